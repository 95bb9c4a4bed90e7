-- The escalation chain (docs/cases.md, "Escalation"): who is told about an overdue case, after how
-- many working days past its due time. Expand only: the release still running keeps its overdue
-- sweep (overdue_notified_at, which the new sweep keeps as the first step's mark) and ignores these.

-- The head of an agency (kepala dinas/badan): a supervisor with this flag, told at the chain's
-- agency_head steps. A flag rather than a fourth role: roles decide permissions and workflow actors,
-- and a head acts on cases as a supervisor does.
ALTER TABLE staff ADD COLUMN is_agency_head boolean NOT NULL DEFAULT false;

-- The chains as data: an agency's own steps, or (opd_code null) the default every other agency
-- follows. Steps are numbered from 1; their days strictly increase (the admin API checks it).
CREATE TABLE escalation_steps (
    opd_code text REFERENCES opds (code),
    position smallint NOT NULL CHECK (position BETWEEN 1 AND 10),
    after_working_days smallint NOT NULL CHECK (after_working_days BETWEEN 0 AND 60),
    notify text NOT NULL CHECK (notify IN ('supervisors', 'agency_head', 'integrating_agency')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX escalation_steps_chain_idx ON escalation_steps ((coalesce(opd_code, '')), position);

-- The default chain: the agency's supervisors when the case falls due (as before), its head two
-- working days later, the integrating agency's admins (Diskominfosatik) after five.
INSERT INTO escalation_steps (opd_code, position, after_working_days, notify) VALUES
    (NULL, 1, 0, 'supervisors'),
    (NULL, 2, 2, 'agency_head'),
    (NULL, 3, 5, 'integrating_agency');

-- The steps taken for each case, once each: the primary key is the last guard against telling
-- anyone twice. A reroute to another agency forgets them (the chain starts again there).
CREATE TABLE case_escalation_steps (
    case_id uuid NOT NULL REFERENCES cases (id),
    position smallint NOT NULL,
    after_working_days smallint NOT NULL,
    notify text NOT NULL,
    done_at timestamptz NOT NULL,
    PRIMARY KEY (case_id, position)
);

-- The sweep reads the open, running cases past their due time, oldest due first.
CREATE INDEX cases_escalation_sweep_idx ON cases (due_at, id)
    WHERE closed_at IS NULL AND paused_since IS NULL AND due_at IS NOT NULL;
