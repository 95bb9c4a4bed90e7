-- Services defined as data (issue 23): every application-type service of every agency is a
-- definition admins write through the API, published in immutable versions. The permit types
-- become definitions (version 1 each), so one machinery serves them all (docs/services.md).

CREATE TABLE definitions (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,40}$'),
    -- The definition file being edited (serang-service-definition/1), checked when saved.
    draft jsonb NOT NULL,
    -- The latest published version; NULL before the first publication.
    published_version integer,
    -- A permit type's number prefix: the definition is also served as a permit type
    -- (/v1/permits/types) and reached through the catalogue's permits entry.
    permit_prefix text CHECK (permit_prefix ~ '^[A-Z]{2,8}$'),
    -- Closed: no new applications; those made go on.
    closed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- What applications are filed under: never changed once written.
CREATE TABLE definition_versions (
    code text NOT NULL REFERENCES definitions (code),
    version integer NOT NULL CHECK (version >= 1),
    body jsonb NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (code, version)
);

-- Letter numbers per number pattern and year: definitions sharing a pattern share its counter,
-- so the numbers stay unique.
CREATE TABLE letter_counters (
    pattern text NOT NULL,
    year integer NOT NULL,
    last_value integer NOT NULL,
    PRIMARY KEY (pattern, year)
);

-- The version an application was filed under (set when it is submitted; a draft follows the
-- latest published version).
ALTER TABLE applications ADD COLUMN definition_version integer;
-- An application's type is now a definition's code.
ALTER TABLE applications DROP CONSTRAINT applications_type_code_fkey;

INSERT INTO definitions (code, draft, published_version, permit_prefix, closed_at)
SELECT code,
       jsonb_build_object(
           'format', 'serang-service-definition/1',
           'code', code,
           'title', title,
           'description', description,
           'agency', opd_code,
           'eligibility', 'any_resident',
           'requirements', jsonb_build_object('id', description->>'id', 'en', description->>'en'),
           'fields', fields,
           'documents', documents,
           'workflow', jsonb_build_object(
               'approval', CASE WHEN needs_supervisor THEN 'supervisor' ELSE 'officer' END,
               'revisions', true,
               'outcome', 'letter'),
           'appointment', NULL,
           'sla_days', sla_days,
           'letter', jsonb_build_object(
               'title', title,
               'body', jsonb_build_object(
                   'id', 'Diberikan kepada {resident.name} berdasarkan permohonan {reference}.',
                   'en', 'Granted to {resident.name} on application {reference}.'),
               'signatory', NULL,
               'number_pattern', number_prefix || '/{year}/{seq}',
               'validity_days', validity_days),
           'sort_order', sort_order),
       1, number_prefix, CASE WHEN is_active THEN NULL ELSE now() END
FROM types;

INSERT INTO definition_versions (code, version, body)
SELECT code, 1, draft FROM definitions;

UPDATE applications SET definition_version = 1 WHERE submitted_at IS NOT NULL;

INSERT INTO letter_counters (pattern, year, last_value)
SELECT prefix || '/{year}/{seq}', year, last_value FROM number_counters;
