-- The data contract between the core and modules (docs/core-api.md, "The data contract"): the
-- core data a module may read, as read-only views in the schema `core`, contract version 1.
--
-- A module reads these views and never the tables of `public`; it changes core data only through
-- serang_app.api. Each view holds only the columns modules read: no phone, no NIK, no home
-- address, no storage keys. A view is never changed in a way that breaks a reader: a changed one
-- gets a new name (core.cases_v2) beside the old, which stays while any core API major version
-- still offers it.
--
-- Each view selects from one table with no expression a query could not see through, so
-- PostgreSQL flattens it into the module's query and the table's indexes serve as before. A
-- simple one-table view is also one PostgreSQL would let a module INSERT, UPDATE and DELETE
-- through; the trigger below refuses that for everyone, the database's owner and superusers too
-- (privileges would not stop them).

CREATE SCHEMA core;
COMMENT ON SCHEMA core IS 'core contract v1: the read-only views of core data modules read (docs/core-api.md)';

CREATE FUNCTION core.refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'core.% is a read-only view of the core data contract', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Change core data through serang_app.api (docs/core-api.md, "The data contract").';
END
$$;

CREATE VIEW core.cases AS
SELECT id, reference, module, resident_id, opd_code, district_code, status, phase, is_public,
       due_at, closed_at, created_at, updated_at
FROM public.cases;
COMMENT ON VIEW core.cases IS
    'core contract v1: every case, with what a module shows of its own (reference, status, agency, district, deadline)';

-- Files residents uploaded: the module checks that an upload is the caller's and of the kind it
-- takes, and lists a case's photos. Never the storage keys: files are served by the core's URLs.
CREATE VIEW core.uploads AS
SELECT id, resident_id, purpose, status, content_type, case_id, attached_at
FROM public.uploads;
COMMENT ON VIEW core.uploads IS
    'core contract v1: residents'' uploads (whose, what for, checked or not, attached to which case)';

CREATE VIEW core.opds AS
SELECT code, short_name, name, is_active
FROM public.opds;
COMMENT ON VIEW core.opds IS 'core contract v1: the agencies (OPD); is_active false for a closed one';

CREATE VIEW core.regions AS
SELECT code, name, level, parent_code
FROM public.regions;
COMMENT ON VIEW core.regions IS 'core contract v1: the regency, its districts and its villages';

-- A resident's display name only (null when they gave none or after erasure); never the phone,
-- the NIK, the home or the Firebase identity.
CREATE VIEW core.residents AS
SELECT id, name, erased_at IS NOT NULL AS is_erased
FROM public.residents;
COMMENT ON VIEW core.residents IS 'core contract v1: residents'' display names, and whether the account was erased';

-- The public part of a case's timeline: what the resident and the public may read, never staff's
-- internal comments, and not who among the staff acted.
CREATE VIEW core.public_case_events AS
SELECT id, case_id, at, kind, action, from_status, to_status, actor_kind, note
FROM public.case_events
WHERE is_public;
COMMENT ON VIEW core.public_case_events IS
    'core contract v1: the public entries of cases'' timelines (moves, and notes to the resident)';

CREATE TRIGGER refuse_write INSTEAD OF INSERT OR UPDATE OR DELETE ON core.cases
    FOR EACH ROW EXECUTE FUNCTION core.refuse_write();
CREATE TRIGGER refuse_write INSTEAD OF INSERT OR UPDATE OR DELETE ON core.uploads
    FOR EACH ROW EXECUTE FUNCTION core.refuse_write();
CREATE TRIGGER refuse_write INSTEAD OF INSERT OR UPDATE OR DELETE ON core.opds
    FOR EACH ROW EXECUTE FUNCTION core.refuse_write();
CREATE TRIGGER refuse_write INSTEAD OF INSERT OR UPDATE OR DELETE ON core.regions
    FOR EACH ROW EXECUTE FUNCTION core.refuse_write();
CREATE TRIGGER refuse_write INSTEAD OF INSERT OR UPDATE OR DELETE ON core.residents
    FOR EACH ROW EXECUTE FUNCTION core.refuse_write();
CREATE TRIGGER refuse_write INSTEAD OF INSERT OR UPDATE OR DELETE ON core.public_case_events
    FOR EACH ROW EXECUTE FUNCTION core.refuse_write();
