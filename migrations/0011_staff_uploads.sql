-- Staff upload too: proof photos on a resolved case, the image of an announcement. An upload
-- belongs to exactly one resident or one staff member. Uploads in use by something other than a
-- case (an announcement) are marked by attached_at, so the clean-up keys on that instead.

ALTER TABLE uploads ALTER COLUMN resident_id DROP NOT NULL;
ALTER TABLE uploads ADD COLUMN staff_id uuid REFERENCES staff (id);
ALTER TABLE uploads ADD CONSTRAINT uploads_one_owner CHECK (num_nonnulls(resident_id, staff_id) = 1);
CREATE INDEX uploads_staff_idx ON uploads (staff_id, status) WHERE staff_id IS NOT NULL;

DROP INDEX uploads_unattached_idx;
CREATE INDEX uploads_unattached_idx ON uploads (created_at) WHERE attached_at IS NULL;
