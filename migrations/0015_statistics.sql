-- Service statistics (serang_app.stats): monthly summaries kept up to date by triggers, so that a
-- year of figures over a million cases reads a few thousand rows, never the cases themselves.
--
-- Why append-only "pending" tables: a trigger adding to the summary row of (month, service,
-- district) directly would hold that row's lock until its transaction ends, and every case opened
-- for the same service and district in the same month would wait for the one before it. The
-- triggers only append signed changes (no lock shared with anyone); a worker task folds them
-- into the summaries every few seconds, and readers add what is still pending, so figures are
-- exact at every moment.

-- The agency's time, in working days, from receipt to completion (set when a case is completed,
-- cleared if it reopens), and the working days it spent waiting for the resident (a pause stops
-- the SLA clock, and does not count as the agency's time). Both counted by cases/calendar.py.
ALTER TABLE cases ADD COLUMN paused_working_days integer NOT NULL DEFAULT 0 CHECK (paused_working_days >= 0);
ALTER TABLE cases ADD COLUMN working_days_taken integer CHECK (working_days_taken >= 0);

-- "Currently overdue" is read live from the open cases: a small part of all cases.
CREATE INDEX cases_open_stats_idx ON cases (opd_code, service_code)
    INCLUDE (module, district_code, due_at, paused_since) WHERE closed_at IS NULL;

-- The month (its first day, WIB) a case was received, closed or rated in.
CREATE FUNCTION stats_month(moment timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN date_trunc('month', moment AT TIME ZONE 'Asia/Jakarta')::date;

-- Per month and (agency, module, service, district): '' stands for a case without a district.
-- received/still_open count by the month of receipt (still_open: received then, not closed yet);
-- completed, rejected, cancelled and the SLA figures by the month of closing; ratings and the
-- nine survey elements of PermenPANRB 14/2017 by the month of rating.
CREATE TABLE stats_monthly (
    month date NOT NULL,
    opd_code text NOT NULL,
    module text NOT NULL,
    service_code text NOT NULL,
    district_code text NOT NULL,
    received integer NOT NULL DEFAULT 0,
    still_open integer NOT NULL DEFAULT 0,
    completed integer NOT NULL DEFAULT 0,
    rejected integer NOT NULL DEFAULT 0,
    cancelled integer NOT NULL DEFAULT 0,
    completed_with_sla integer NOT NULL DEFAULT 0,
    completed_within_sla integer NOT NULL DEFAULT 0,
    ratings integer NOT NULL DEFAULT 0,
    stars integer NOT NULL DEFAULT 0,
    requirements integer NOT NULL DEFAULT 0,
    procedure integer NOT NULL DEFAULT 0,
    service_time integer NOT NULL DEFAULT 0,
    cost integer NOT NULL DEFAULT 0,
    product integer NOT NULL DEFAULT 0,
    competence integer NOT NULL DEFAULT 0,
    behaviour integer NOT NULL DEFAULT 0,
    complaint_handling integer NOT NULL DEFAULT 0,
    facilities integer NOT NULL DEFAULT 0,
    PRIMARY KEY (month, opd_code, module, service_code, district_code)
);
CREATE TABLE stats_monthly_pending (LIKE stats_monthly INCLUDING DEFAULTS);

-- How many completed cases took how many working days: medians and percentiles are exact from
-- these counts, because the durations are whole days.
CREATE TABLE stats_durations (
    month date NOT NULL,
    opd_code text NOT NULL,
    module text NOT NULL,
    service_code text NOT NULL,
    district_code text NOT NULL,
    working_days integer NOT NULL,
    cases integer NOT NULL,
    PRIMARY KEY (month, opd_code, module, service_code, district_code, working_days)
);
CREATE TABLE stats_durations_pending (LIKE stats_durations);

-- What one case row contributes, times `sign` (+1 for the row as it is now, -1 for what it was).
CREATE FUNCTION stats_count_case(c cases, sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    district text := coalesce(c.district_code, '');
    closed_month date := stats_month(c.closed_at);
    is_completed boolean := c.phase = 'completed';
BEGIN
    INSERT INTO stats_monthly_pending (month, opd_code, module, service_code, district_code, received, still_open)
    VALUES (stats_month(c.created_at), c.opd_code, c.module, c.service_code, district, sign,
            CASE WHEN c.closed_at IS NULL THEN sign ELSE 0 END);
    IF c.closed_at IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO stats_monthly_pending (month, opd_code, module, service_code, district_code,
                                       completed, rejected, cancelled, completed_with_sla, completed_within_sla)
    VALUES (closed_month, c.opd_code, c.module, c.service_code, district,
            CASE WHEN is_completed THEN sign ELSE 0 END,
            CASE WHEN c.phase = 'rejected' THEN sign ELSE 0 END,
            CASE WHEN c.phase = 'cancelled' THEN sign ELSE 0 END,
            CASE WHEN is_completed AND c.due_at IS NOT NULL THEN sign ELSE 0 END,
            -- The due time is the first instant past the SLA (cases/calendar.py).
            CASE WHEN is_completed AND c.closed_at < c.due_at THEN sign ELSE 0 END);
    IF is_completed AND c.working_days_taken IS NOT NULL THEN
        INSERT INTO stats_durations_pending (month, opd_code, module, service_code, district_code, working_days, cases)
        VALUES (closed_month, c.opd_code, c.module, c.service_code, district, c.working_days_taken, sign);
    END IF;
END
$$;

CREATE FUNCTION stats_cases_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM stats_count_case(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM stats_count_case(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER stats_cases_inserted_or_deleted AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION stats_cases_changed();
-- Most updates (a comment, an assignment, a step between two open states) change nothing counted.
CREATE TRIGGER stats_cases_updated AFTER UPDATE ON cases
    FOR EACH ROW
    WHEN ((OLD.created_at, OLD.opd_code, OLD.module, OLD.service_code, OLD.district_code, OLD.phase,
           OLD.closed_at, OLD.due_at, OLD.working_days_taken)
          IS DISTINCT FROM
          (NEW.created_at, NEW.opd_code, NEW.module, NEW.service_code, NEW.district_code, NEW.phase,
           NEW.closed_at, NEW.due_at, NEW.working_days_taken))
    EXECUTE FUNCTION stats_cases_changed();

CREATE FUNCTION stats_count_rating(r case_ratings, sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_monthly_pending (month, opd_code, module, service_code, district_code, ratings, stars,
                                       requirements, procedure, service_time, cost, product, competence,
                                       behaviour, complaint_handling, facilities)
    SELECT stats_month(r.created_at), c.opd_code, c.module, c.service_code, coalesce(c.district_code, ''),
           sign, sign * r.stars, sign * r.requirements, sign * r.procedure, sign * r.service_time, sign * r.cost,
           sign * r.product, sign * r.competence, sign * r.behaviour, sign * r.complaint_handling,
           sign * r.facilities
    FROM cases c WHERE c.id = r.case_id;
END
$$;

CREATE FUNCTION stats_ratings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM stats_count_rating(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM stats_count_rating(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER stats_ratings_changed AFTER INSERT OR DELETE OR UPDATE OF
    created_at, stars, requirements, procedure, service_time, cost, product, competence, behaviour,
    complaint_handling, facilities
    ON case_ratings FOR EACH ROW EXECUTE FUNCTION stats_ratings_changed();

-- The cases already there, counted once (durations are unknown for cases closed before this).
INSERT INTO stats_monthly_pending (month, opd_code, module, service_code, district_code, received, still_open)
SELECT stats_month(created_at), opd_code, module, service_code, coalesce(district_code, ''), 1,
       CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END
FROM cases;
INSERT INTO stats_monthly_pending (month, opd_code, module, service_code, district_code,
                                   completed, rejected, cancelled, completed_with_sla, completed_within_sla)
SELECT stats_month(closed_at), opd_code, module, service_code, coalesce(district_code, ''),
       (phase = 'completed')::int, (phase = 'rejected')::int, (phase = 'cancelled')::int,
       (phase = 'completed' AND due_at IS NOT NULL)::int, (phase = 'completed' AND closed_at < due_at)::int
FROM cases WHERE closed_at IS NOT NULL;
SELECT stats_count_rating(r, 1) FROM case_ratings r;
