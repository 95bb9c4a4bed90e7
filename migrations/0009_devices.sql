-- The phones a resident is signed in on, with their FCM registration tokens. Written by
-- serang_app.notifications.devices; read by push delivery.

CREATE TABLE devices (
    -- The app's own id for its installation: stable across token refreshes and sign-ins.
    installation_id text PRIMARY KEY CHECK (installation_id ~ '^[A-Za-z0-9_-]{8,128}$'),
    resident_id uuid NOT NULL REFERENCES residents (id),
    fcm_token text NOT NULL UNIQUE CHECK (length(fcm_token) BETWEEN 20 AND 4096),
    platform text NOT NULL CHECK (platform IN ('android', 'ios')),
    app_version text NOT NULL,
    locale text NOT NULL CHECK (locale IN ('id', 'en')),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- A token not refreshed for 60 days is no longer used (the app refreshes on every start).
    refreshed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_resident_idx ON devices (resident_id, refreshed_at);
