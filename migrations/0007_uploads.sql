-- Photos and documents residents upload straight to object storage, checked by the server before
-- anything may use them. Written by serang_app.uploads.

CREATE TABLE uploads (
    id uuid PRIMARY KEY,
    resident_id uuid NOT NULL REFERENCES residents (id),
    purpose text NOT NULL,
    -- What the phone said it would send, checked against the purpose when the upload starts.
    declared_type text NOT NULL,
    declared_bytes integer NOT NULL CHECK (declared_bytes > 0),
    -- Made by the server from the resident's id and the upload's: never from a client's file name.
    object_key text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed')),
    -- What the server found on completion.
    content_type text,
    bytes integer,
    width integer,
    height integer,
    -- The stored files: {"display": key, "thumbnail": key} for images, {"document": key} for PDFs.
    files jsonb NOT NULL DEFAULT '{}',
    case_id uuid REFERENCES cases (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    attached_at timestamptz,
    CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
    CHECK (case_id IS NULL OR status = 'completed')
);
CREATE INDEX uploads_resident_idx ON uploads (resident_id, status);
CREATE INDEX uploads_case_idx ON uploads (case_id);
-- The clean-up looks for uploads never completed or never attached.
CREATE INDEX uploads_unattached_idx ON uploads (created_at) WHERE case_id IS NULL;
