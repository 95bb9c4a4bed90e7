-- Broadcasts: announcements admins publish to the whole regency or chosen districts, shown in
-- GET /v1/announcements and pushed through FCM topics. Written by serang_app.announcements.

CREATE TABLE announcements (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title jsonb NOT NULL,  -- {"id": ..., "en": ...}
    body jsonb NOT NULL,
    image_upload_id uuid REFERENCES uploads (id),
    -- Empty: the whole regency.
    district_codes text[] NOT NULL DEFAULT '{}',
    published_by uuid NOT NULL REFERENCES staff (id),
    published_at timestamptz NOT NULL DEFAULT now(),
    -- Shown in the feed until then (always, when NULL), or until withdrawn.
    ends_at timestamptz,
    withdrawn_at timestamptz
);
CREATE INDEX announcements_feed_idx ON announcements (published_at DESC) WHERE withdrawn_at IS NULL;

-- One push per FCM topic the announcement goes to, written with it (so a committed announcement
-- is always pushed), retried like push_jobs.
CREATE TABLE announcement_pushes (
    announcement_id uuid NOT NULL REFERENCES announcements (id),
    topic text NOT NULL,
    locale text NOT NULL CHECK (locale IN ('id', 'en')),
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'dead', 'withdrawn')),
    not_before timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    finished_at timestamptz,
    PRIMARY KEY (announcement_id, topic)
);
CREATE INDEX announcement_pushes_due_idx ON announcement_pushes (not_before) WHERE state = 'queued';

-- The FCM topics each device's token is subscribed to, and when they next need to be checked
-- against what they should be (its resident's district, its language); NULL when in step.
ALTER TABLE devices ADD COLUMN topics text[] NOT NULL DEFAULT '{}';
ALTER TABLE devices ADD COLUMN topics_due_at timestamptz DEFAULT now();
CREATE INDEX devices_topics_due_idx ON devices (topics_due_at) WHERE topics_due_at IS NOT NULL;
