-- Idempotency keys: the first answer to a signed-in caller's POST, PUT or PATCH that carried an
-- Idempotency-Key header, kept for 24 hours so a retry gets that answer instead of a second effect.
-- Written by serang_app.http.idempotency; expired rows are replaced on use and deleted by a worker task.

CREATE TABLE idempotency_keys (
    -- Keys belong to the caller: two residents may pick the same key without meeting.
    caller_kind text NOT NULL CHECK (caller_kind IN ('resident', 'staff')),
    caller_id uuid NOT NULL,
    key text NOT NULL CHECK (key ~ '^[!-~]{1,255}$'),
    -- For people reading the table; the fingerprint is what decides.
    method text NOT NULL,
    route text NOT NULL,
    -- SHA-256 of method, path, query string and body bytes.
    fingerprint bytea NOT NULL CHECK (octet_length(fingerprint) = 32),
    -- A random id of the request that holds the key: only that request may complete or release it,
    -- even after another one took over a claim it thought abandoned.
    claim uuid NOT NULL,
    state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'completed')),
    response_status smallint CHECK (response_status BETWEEN 100 AND 599),
    -- [[name, value], ...]: only the headers worth replaying (content type and language, location, etag).
    response_headers jsonb,
    response_body bytea,
    -- When the current claim started: a running row much older than a request can take is abandoned.
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (caller_kind, caller_id, key),
    CHECK ((state = 'completed') = (response_status IS NOT NULL AND response_headers IS NOT NULL AND response_body IS NOT NULL))
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
