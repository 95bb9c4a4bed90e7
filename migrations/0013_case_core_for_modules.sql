-- What the complaints module (and others after it) needs from the case core: when a case entered
-- its status (for transitions a workflow takes by itself after some days), and residents who
-- follow a case they did not open ("me too" on a complaint) and are told of its changes.

ALTER TABLE cases ADD COLUMN status_since timestamptz;
UPDATE cases SET status_since = updated_at;
ALTER TABLE cases ALTER COLUMN status_since SET NOT NULL;
ALTER TABLE cases ALTER COLUMN status_since SET DEFAULT now();
-- The timer sweep: cases of one workflow in one status, longest there first.
CREATE INDEX cases_status_since_idx ON cases (module, workflow, status, status_since);

CREATE TABLE case_followers (
    case_id uuid NOT NULL REFERENCES cases (id),
    resident_id uuid NOT NULL REFERENCES residents (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, resident_id)
);
CREATE INDEX case_followers_resident_idx ON case_followers (resident_id);
