-- Any regency or city of Indonesia, chosen by SERANG_REGION_CODE (docs/regions.md). Its rows are
-- loaded from the shipped national list by regions/loading.py, which records each load here.

-- 0001 allowed only codes under 36.04; any Kemendagri code of a regency, district or village now.
ALTER TABLE regions DROP CONSTRAINT regions_code_check;
ALTER TABLE regions ADD CONSTRAINT regions_code_format
    CHECK (code ~ '^\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?$');

-- A code a later decree no longer lists keeps its row (cases and residents point at it), marked
-- with the data version that dropped it; lists of regions leave it out.
ALTER TABLE regions ADD COLUMN retired_in text;

-- Which region was loaded from which version of the national list, and the province it lies in
-- (the regions table itself starts at the regency, so that GET /v1/regions and every reader of
-- the table stay as they were).
CREATE TABLE region_data_loads (
    region_code text NOT NULL REFERENCES regions (code),
    data_version text NOT NULL,
    province_code text NOT NULL,
    province_name text NOT NULL,
    rows_loaded integer NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region_code, data_version)
);

-- Codes a decree moved, split, merged or renamed: how an old code (an old NIK's, an old case's)
-- leads to today's (data/code_changes.csv, docs/regions.md "A new Kepmendagri list").
CREATE TABLE region_code_history (
    old_code text NOT NULL,
    new_code text NOT NULL,
    change text NOT NULL CHECK (change IN ('renamed', 'moved', 'split', 'merged')),
    decree text NOT NULL,
    data_version text NOT NULL,
    PRIMARY KEY (old_code, new_code, data_version)
);
CREATE INDEX region_code_history_new_idx ON region_code_history (new_code);
