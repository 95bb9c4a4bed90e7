"""What the public may see of a complaint: the one definition every public surface reads.

The feed, nearby search, one public complaint and Open311's requests (JSON and XML) select their
columns from `PUBLIC_COMPLAINTS` through `public_query`, never from the tables: a field reaches
the public only by being named below, and a later public surface gets the same fields. Only
public complaints are in it. Left out on purpose, because residents and staff write them for each
other, not for everyone:
- the reporter's own `address` text (it names houses and phone numbers, and stays after an
  anonymous filing or the reporter's erasure); `place` is made of the region names instead;
- every note of the timeline (staff's notes and comments to the resident, the resident's answers,
  internal comments): the public reads the status's fixed title instead;
- the answers to the category's extra questions, the reporter's account, the agency's staff and
  the files they attach as proof.
docs/complaints.md ("What the public sees of a complaint") lists the fields.
"""

from __future__ import annotations

import uuid

PUBLIC_COMPLAINTS = """
SELECT r.case_id,
       c.reference,
       c.status,                                   -- its fixed title is the public status text
       c.phase,
       c.closed_at IS NULL AS is_open,
       r.category_code,
       k.title AS category_title,
       o.name AS agency,
       r.description,
       r.latitude,
       r.longitude,
       r.location,                                 -- the pin again, for the GiST index
       c.district_code,
       r.village_code,
       concat_ws(', ', v.name, d.name, g.name) AS place,
       -- The reporter's name only when they did not ask to stay anonymous and still have an account.
       CASE WHEN r.is_anonymous OR p.is_erased THEN NULL ELSE p.name END AS reporter_name,
       r.support_count,
       -- The complaint's photos, as thumbnails only (GET /v1/uploads/{id}/public-thumbnail); not the
       -- files staff attach as proof, which may show papers and people.
       ARRAY(SELECT u.id FROM core.uploads u
             WHERE u.case_id = r.case_id AND u.purpose = 'complaint_photo' AND u.content_type LIKE 'image/%'
             ORDER BY u.attached_at, u.id) AS photo_ids,
       r.created_at,
       c.updated_at,
       c.due_at
FROM complaints.reports r
JOIN core.cases c ON c.id = r.case_id
JOIN complaints.categories k ON k.code = r.category_code
-- Outer joins on primary keys: PostgreSQL drops the ones a query takes no column from.
LEFT JOIN core.residents p ON p.id = c.resident_id
LEFT JOIN core.opds o ON o.code = c.opd_code
LEFT JOIN core.regions d ON d.code = c.district_code
LEFT JOIN core.regions v ON v.code = r.village_code
LEFT JOIN core.regions g ON g.code = d.parent_code
WHERE c.is_public
"""


def public_query(columns: str, rest: str) -> str:
    """`SELECT columns FROM` the public view `AS v`, then `rest` (conditions, order, limit) on its
    columns. PostgreSQL flattens the view into the query, so its indexes serve as before."""
    return f"SELECT {columns} FROM ({PUBLIC_COMPLAINTS}) AS v {rest}"  # noqa: S608  # no input in it


def thumbnail_url(base_url: str, photo_id: uuid.UUID) -> str:
    return f"{base_url}/v1/uploads/{photo_id}/public-thumbnail"
