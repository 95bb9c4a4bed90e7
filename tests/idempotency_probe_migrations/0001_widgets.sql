-- The probe module of tests/test_idempotency.py: a row per creation, so tests can count effects.
CREATE TABLE widgets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    created_by uuid NOT NULL
);
