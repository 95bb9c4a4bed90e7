-- Write limits shared by every process and replica (http/write_limits.py): one row per limited
-- caller (a signed-in account, or a client address on public routes) counting its writes in the
-- current fixed window. UNLOGGED: a counter needs no crash safety (a crash starts every window
-- afresh), and skipping the WAL keeps the count a write costs small.
CREATE UNLOGGED TABLE write_limit_windows (
    bucket text PRIMARY KEY,
    window_started_at timestamptz NOT NULL,
    hits integer NOT NULL
);
