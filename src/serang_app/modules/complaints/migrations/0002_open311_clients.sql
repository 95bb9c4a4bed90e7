-- Systems allowed to file complaints through Open311 (a call centre, a national complaints hub),
-- each with an API key admins issue. Only a hash of the key is kept. Each client files as its own
-- resident account (no phone, no NIK), so its complaints are cases like any other.

CREATE TABLE open311_clients (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    key_hash bytea NOT NULL UNIQUE,
    -- The first characters of the key, so admins can tell keys apart.
    key_prefix text NOT NULL,
    resident_id uuid NOT NULL REFERENCES public.residents (id),
    created_by uuid NOT NULL REFERENCES public.staff (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
