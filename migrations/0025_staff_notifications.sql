-- Staff hear of their work: their phones (staff_devices), their language (staff.locale), and a
-- push job for every notification addressed to a staff member, whoever writes it
-- (serang_app.notifications; docs/notifications.md, "Staff").
--
-- Expand only: the release still running during an upgrade reads none of this. A separate table
-- rather than staff rows in `devices`: that table's resident_id is required, and the running
-- release reads every row of it as a resident's phone (announcement topics, erasure, export).

CREATE TABLE staff_devices (
    -- The app's own id for its installation, as for residents' devices.
    installation_id text PRIMARY KEY CHECK (installation_id ~ '^[A-Za-z0-9_-]{8,128}$'),
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    fcm_token text NOT NULL UNIQUE CHECK (length(fcm_token) BETWEEN 20 AND 4096),
    platform text NOT NULL CHECK (platform IN ('android', 'ios')),
    app_version text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- A token not refreshed for 60 days is no longer used (the app refreshes on every start).
    refreshed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_devices_staff_idx ON staff_devices (staff_id, refreshed_at);

-- The staff member's one language for pushes and the inbox; null until chosen (Indonesian).
ALTER TABLE staff ADD COLUMN locale text CHECK (locale IN ('id', 'en'));

-- Every staff notification gets its push job, written by whom it may be: the case core, the
-- overdue sweep (which writes the notification alone), a module. Deferred to the commit, so a
-- writer that also inserts the job itself, in the same statement or a later one, is not in the
-- way (ON CONFLICT), and a notification deleted before the commit gets none.
CREATE FUNCTION queue_staff_push() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO push_jobs (notification_id, not_before)
    SELECT n.id, n.created_at FROM notifications n WHERE n.id = NEW.id
    ON CONFLICT (notification_id) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER notifications_staff_push AFTER INSERT ON notifications
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.recipient_kind = 'staff')
    EXECUTE FUNCTION queue_staff_push();
