-- Reference data, the home-screen catalogue and staff accounts: the tables every module relies on.

CREATE TABLE regions (
    code text PRIMARY KEY CHECK (code ~ '^36\.04(\.\d{2}(\.\d{4})?)?$'),
    name text NOT NULL,
    level text NOT NULL CHECK (level IN ('regency', 'district', 'village')),
    parent_code text REFERENCES regions (code)
);
CREATE INDEX regions_parent_idx ON regions (parent_code, name);

CREATE TABLE opds (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
    short_name text NOT NULL,
    name text NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per service on the app's home screen. Modules declare their services; the core inserts
-- them on first start and never overwrites them, so administrators' edits stay.
CREATE TABLE catalogue_services (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*\.[a-z0-9_.-]+$'),
    module text NOT NULL,
    opd_code text NOT NULL REFERENCES opds (code),
    title jsonb NOT NULL,
    description jsonb NOT NULL,
    icon text NOT NULL DEFAULT 'default',
    sla_days integer CHECK (sla_days > 0),
    requirements jsonb NOT NULL DEFAULT '[]',
    is_open boolean NOT NULL DEFAULT true,
    sort_order integer NOT NULL DEFAULT 100,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalogue_services_module_idx ON catalogue_services (module);

CREATE TABLE staff (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL,
    name text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
    opd_code text REFERENCES opds (code),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Officers and supervisors belong to one agency; admins (Diskominfosatik) act for all.
    CHECK (role = 'admin' OR opd_code IS NOT NULL)
);
CREATE UNIQUE INDEX staff_email_idx ON staff (lower(email));
