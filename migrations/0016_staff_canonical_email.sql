-- Staff e-mails stored in their canonical form (src/serang_app/staff/emails.py: NFKC, casefold,
-- trimmed, and visible ASCII), unique as stored. Before, uniqueness and look-up used PostgreSQL's
-- lower() while the lock-out counted Python's lower(), and the two disagree on characters such as
-- U+0130 (issue 18).
--
-- For an address that is ASCII after NFKC, the canonical form is NFKC then ASCII lower-casing,
-- which SQL computes exactly (lower() under the "C" collation touches A-Z only). Rows this cannot
-- convert stop the migration with their ids, for an operator to settle before running it again:
-- an address that is not ASCII after NFKC (not a valid staff address any more), and two accounts
-- whose addresses become the same (which one keeps the address is a person's decision, not ours).
DO $$
DECLARE
    offenders text;
BEGIN
    SELECT string_agg(id::text, ', ' ORDER BY id) INTO offenders
    FROM staff WHERE normalize(btrim(email), NFKC) ~ '[^!-~]';
    IF offenders IS NOT NULL THEN
        RAISE EXCEPTION 'staff accounts % have an e-mail address that is not ASCII; change it, then migrate again',
            offenders;
    END IF;
    SELECT string_agg(ids, '; ') INTO offenders
    FROM (SELECT string_agg(id::text, ', ' ORDER BY id) AS ids
          FROM staff GROUP BY lower(normalize(btrim(email), NFKC) COLLATE "C") HAVING count(*) > 1) AS same;
    IF offenders IS NOT NULL THEN
        RAISE EXCEPTION 'staff accounts share an e-mail address once normalized (%); give all but one another '
            'address, then migrate again', offenders;
    END IF;
END
$$;

DROP INDEX staff_email_idx;
UPDATE staff SET email = lower(normalize(btrim(email), NFKC) COLLATE "C")
WHERE email IS DISTINCT FROM lower(normalize(btrim(email), NFKC) COLLATE "C");
ALTER TABLE staff
    ADD CONSTRAINT staff_email_canonical CHECK (email ~ '^[!-~]+$' AND email = lower(email COLLATE "C")),
    ADD CONSTRAINT staff_email_key UNIQUE (email);
