-- What staff hid of a public complaint, and why (docs/complaints.md, "Moderation"): its text, or
-- one of its photos. One row per thing hidden now; restoring deletes it. Each hide and restore is
-- also in the case's timeline and the audit log. A hidden photo is flagged in the core too
-- (core.uploads.is_hidden), which is what its public thumbnail route reads.
CREATE TABLE hidden_content (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id uuid NOT NULL REFERENCES reports (case_id),
    target text NOT NULL CHECK (target IN ('text', 'photo')),
    photo_upload_id uuid REFERENCES public.uploads (id),
    reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
    hidden_by uuid NOT NULL REFERENCES public.staff (id),
    hidden_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((target = 'photo') = (photo_upload_id IS NOT NULL))
);
-- Hidden once: the text of a complaint, each photo.
CREATE UNIQUE INDEX hidden_content_text_idx ON hidden_content (case_id) WHERE target = 'text';
CREATE UNIQUE INDEX hidden_content_photo_idx ON hidden_content (photo_upload_id) WHERE target = 'photo';
CREATE INDEX hidden_content_case_idx ON hidden_content (case_id);
