-- Issued permits: the number, the validity, and the code anyone can verify them by.

CREATE TABLE issued (
    case_id uuid PRIMARY KEY REFERENCES public.cases (id),
    application_id uuid NOT NULL UNIQUE REFERENCES applications (id),
    number text NOT NULL UNIQUE,
    -- As printed on the permit; verification shows it masked.
    holder_name text NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    verification_code text NOT NULL UNIQUE,
    revoked_at timestamptz,
    revoke_reason text
);

-- Permit numbers per type prefix and year: SKU/2026/000001.
CREATE TABLE number_counters (
    prefix text NOT NULL,
    year integer NOT NULL,
    last_value integer NOT NULL,
    PRIMARY KEY (prefix, year)
);
