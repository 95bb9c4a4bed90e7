-- Push delivery of notifications: one job per notification (written with it, in the same
-- transaction), and what each device's push came to. Written by serang_app.notifications.delivery.

CREATE TABLE push_jobs (
    notification_id uuid PRIMARY KEY REFERENCES notifications (id) ON DELETE CASCADE,
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'dead')),
    -- Not sent before this: a retry's backoff, or a claimed job's lease (a worker that dies
    -- mid-send leaves the job to be claimed again when the lease runs out).
    not_before timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX push_jobs_due_idx ON push_jobs (not_before) WHERE state = 'queued';

CREATE TABLE push_deliveries (
    notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    installation_id text NOT NULL,
    result text NOT NULL CHECK (result IN ('sent', 'token_gone', 'token_invalid', 'retry', 'failed')),
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, installation_id)
);
