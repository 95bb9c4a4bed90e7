-- What an admin's closed date is (docs/cases.md, "The SLA clock"): the region's own holiday, its
-- collective leave (cuti bersama, which a calendar for staffed services does not close, like the
-- national one), or a closure (a flood, an office move). Days saved before are closures. The
-- reason gets an English name beside the Indonesian one; none yet for the days saved before.
ALTER TABLE closed_dates ADD COLUMN kind text NOT NULL DEFAULT 'local_closure'
    CHECK (kind IN ('regional_holiday', 'collective_leave', 'local_closure'));
ALTER TABLE closed_dates ADD COLUMN reason_en text CHECK (length(reason_en) BETWEEN 1 AND 200);
