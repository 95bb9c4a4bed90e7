-- A photo staff hid from the public (it shows a face, a number plate, a phone number): its public
-- thumbnail answers 404 and public lists leave it out, while the resident and the agency still
-- read it. Set and cleared only through serang_app.api (hide_case_photo, restore_case_photo).
ALTER TABLE uploads ADD COLUMN hidden_at timestamptz;

-- The data contract's view gains the flag at its end (contract v1: a view is only added to), so
-- a module's public lists leave hidden photos out as the core's thumbnail route does.
CREATE OR REPLACE VIEW core.uploads AS
SELECT id, resident_id, purpose, status, content_type, case_id, attached_at, hidden_at IS NOT NULL AS is_hidden
FROM public.uploads;
