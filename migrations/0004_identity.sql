-- Residents, sign-in tokens, staff lock-out and the audit log.

CREATE TABLE residents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Firebase's user id; null for dev sign-ins and after erasure.
    firebase_uid text UNIQUE,
    phone text UNIQUE,
    name text,
    locale text NOT NULL DEFAULT 'id' CHECK (locale IN ('id', 'en')),
    district_code text REFERENCES regions (code),
    village_code text REFERENCES regions (code),
    -- The NIK is personal data (UU PDP): AES-GCM ciphertext, and a keyed hash (blind index) that
    -- makes "one NIK, one resident" enforceable without decrypting anything.
    nik_ciphertext bytea,
    nik_index bytea UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    erased_at timestamptz,
    CHECK ((nik_ciphertext IS NULL) = (nik_index IS NULL))
);

CREATE TABLE consents (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resident_id uuid NOT NULL REFERENCES residents (id),
    purpose text NOT NULL,
    policy_version text NOT NULL,
    given_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_resident_idx ON consents (resident_id, given_at);

-- Opaque refresh tokens, stored as SHA-256 of the token. Each sign-in starts a family; every use
-- replaces the token with a new one of the same family.
CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id uuid NOT NULL,
    subject_kind text NOT NULL CHECK (subject_kind IN ('resident', 'staff')),
    subject_id uuid NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    replaced_at timestamptz,
    replaced_by uuid REFERENCES refresh_tokens (id),
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_subject_idx ON refresh_tokens (subject_kind, subject_id);

-- Failed staff sign-ins per e-mail address (hashed), known or not, so a lock-out answers the same
-- whether or not the account exists.
CREATE TABLE staff_sign_in_throttle (
    email_hash bytea PRIMARY KEY,
    failures integer NOT NULL DEFAULT 0,
    window_started_at timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz
);

-- Append-only: written in the same transaction as the action it records.
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_kind text NOT NULL CHECK (actor_kind IN ('resident', 'staff', 'system', 'anonymous')),
    actor_id uuid,
    action text NOT NULL,
    object_type text,
    object_id text,
    request_id text,
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_kind, actor_id, id DESC);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
