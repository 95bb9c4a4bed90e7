-- Sign-ins (refresh token families) that were ended, so their access tokens stop at once in every
-- process (src/serang_app/auth/revoked_sessions.py). A row matters only while an access token of
-- the session can still be valid (an hour and a bit); the worker deletes older ones.
CREATE TABLE revoked_sessions (
    session_id uuid PRIMARY KEY,
    revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_sessions_revoked_at_idx ON revoked_sessions (revoked_at);
