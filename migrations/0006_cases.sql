-- Cases: one row per resident request of any module, its timeline, its rating, the notifications
-- it causes, and the calendar its SLA is counted in. Written by serang_app.cases.

-- Whether residents see the names of the staff who act on their cases (else only the role).
ALTER TABLE opds ADD COLUMN show_staff_names boolean NOT NULL DEFAULT false;

-- Days the agencies are closed beyond weekends and the holidays package (serang_app.cases.calendar).
CREATE TABLE closed_dates (
    day date PRIMARY KEY,
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The last sequence number handed out per reference prefix and month (ADU-2611-000042).
CREATE TABLE case_reference_counters (
    prefix text NOT NULL CHECK (prefix ~ '^[A-Z]{2,5}$'),
    period text NOT NULL CHECK (period ~ '^\d{4}$'),
    last_value integer NOT NULL,
    PRIMARY KEY (prefix, period)
);

CREATE TABLE cases (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    reference text NOT NULL UNIQUE,
    module text NOT NULL,
    workflow text NOT NULL,
    service_code text NOT NULL REFERENCES catalogue_services (code),
    resident_id uuid NOT NULL REFERENCES residents (id),
    opd_code text NOT NULL REFERENCES opds (code),
    assignee_id uuid REFERENCES staff (id),
    district_code text REFERENCES regions (code),
    status text NOT NULL,
    phase text NOT NULL CHECK (
        phase IN ('submitted', 'in_progress', 'waiting_for_resident', 'completed', 'rejected', 'cancelled')
    ),
    -- The service's SLA when the case was opened; null when the service has none.
    sla_days integer CHECK (sla_days >= 0),
    due_at timestamptz,
    -- Set while the case is in a state that stops the SLA clock (waiting for the resident).
    paused_since timestamptz,
    -- When the OPD's supervisors were told the case is overdue: once per case.
    overdue_notified_at timestamptz,
    -- Optimistic concurrency: every change adds one; clients send it back in If-Match.
    version integer NOT NULL DEFAULT 1,
    rating smallint CHECK (rating BETWEEN 1 AND 5),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Set on reaching a final phase (completed, rejected, cancelled); cleared if the case reopens.
    closed_at timestamptz,
    CHECK ((due_at IS NULL) = (sla_days IS NULL))
);
-- The resident's list, newest first, and its delta sync (updated_since).
CREATE INDEX cases_resident_created_idx ON cases (resident_id, created_at DESC, id DESC);
CREATE INDEX cases_resident_updated_idx ON cases (resident_id, updated_at, id);
-- The agencies' inboxes, by due time (cases without an SLA last).
CREATE INDEX cases_opd_due_idx ON cases (opd_code, (coalesce(due_at, 'infinity')), id);
CREATE INDEX cases_due_idx ON cases ((coalesce(due_at, 'infinity')), id);
-- The overdue sweep looks only at open, running cases not yet reported.
CREATE INDEX cases_overdue_sweep_idx ON cases (due_at)
    WHERE closed_at IS NULL AND paused_since IS NULL AND overdue_notified_at IS NULL AND due_at IS NOT NULL;

-- The timeline: every state change, comment, assignment and rating. Internal entries
-- (is_public = false) are shown to staff only.
CREATE TABLE case_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES cases (id),
    at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL CHECK (kind IN ('created', 'transition', 'comment', 'assigned', 'rated', 'overdue')),
    action text,
    from_status text,
    to_status text,
    actor_kind text NOT NULL CHECK (actor_kind IN ('resident', 'staff', 'system')),
    actor_role text NOT NULL CHECK (actor_role IN ('resident', 'officer', 'supervisor', 'admin', 'system')),
    actor_id uuid,
    note text,
    is_public boolean NOT NULL
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);

-- The rating and the nine-element satisfaction survey of PermenPANRB 14/2017 (each 1-4).
CREATE TABLE case_ratings (
    case_id uuid PRIMARY KEY REFERENCES cases (id),
    stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment text,
    requirements smallint NOT NULL CHECK (requirements BETWEEN 1 AND 4),
    procedure smallint NOT NULL CHECK (procedure BETWEEN 1 AND 4),
    service_time smallint NOT NULL CHECK (service_time BETWEEN 1 AND 4),
    cost smallint NOT NULL CHECK (cost BETWEEN 1 AND 4),
    product smallint NOT NULL CHECK (product BETWEEN 1 AND 4),
    competence smallint NOT NULL CHECK (competence BETWEEN 1 AND 4),
    behaviour smallint NOT NULL CHECK (behaviour BETWEEN 1 AND 4),
    complaint_handling smallint NOT NULL CHECK (complaint_handling BETWEEN 1 AND 4),
    facilities smallint NOT NULL CHECK (facilities BETWEEN 1 AND 4),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox and in-app inbox: written in the transaction of what caused it; delivered later.
CREATE TABLE notifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    recipient_kind text NOT NULL CHECK (recipient_kind IN ('resident', 'staff')),
    recipient_id uuid NOT NULL,
    case_id uuid REFERENCES cases (id),
    -- Whose template: 'core' or the slug of the module that declares it.
    source text NOT NULL,
    template text NOT NULL,
    params jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz
);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_kind, recipient_id, created_at DESC, id DESC);
CREATE INDEX notifications_case_idx ON notifications (case_id);
