-- The region's time zone in the database, for what SQL counts by local day or month: the months
-- of the statistics (stats_month). One row, kept equal to SERANG_REGION_CODE's zone by every web
-- process at start-up (stats/time_zone.py), which also recounts the summaries when it changes.
-- Kabupaten Serang's zone until then, the one stats_month used before.
CREATE TABLE region_time_zone (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    name text NOT NULL CHECK (name IN ('Asia/Jakarta', 'Asia/Pontianak', 'Asia/Makassar', 'Asia/Jayapura'))
);
INSERT INTO region_time_zone (name) VALUES ('Asia/Jakarta');

-- STABLE now, not IMMUTABLE: it reads the table above. Only triggers and the recount call it;
-- nothing indexes it.
CREATE OR REPLACE FUNCTION stats_month(moment timestamptz) RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN date_trunc('month', moment AT TIME ZONE (SELECT name FROM region_time_zone))::date;
