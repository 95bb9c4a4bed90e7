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
What staff hid from the public (moderation.py) is left out too: a hidden description is null here
and each surface shows `HIDDEN_DESCRIPTION` in the reader's language; hidden photos are not listed.
docs/complaints.md ("What the public sees of a complaint", "Moderation") lists the fields.
"""

from __future__ import annotations

import uuid

from serang_app.api import Text

PUBLIC_COMPLAINTS = """
SELECT r.case_id,
       c.reference,
       c.status,                                   -- its fixed title is the public status text
       c.phase,
       c.closed_at IS NULL AS is_open,
       r.category_code,
       k.title AS category_title,
       o.name AS agency,
       -- Text staff hid (moderation.py) is left out here, so no surface can show it: each shows
       -- a neutral text in the reader's language instead (hidden_description).
       CASE WHEN h.case_id IS NULL THEN r.description END AS description,
       h.case_id IS NOT NULL AS text_hidden,
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
             -- and not those staff hid (their public thumbnail answers 404 too)
             WHERE u.case_id = r.case_id AND u.purpose = 'complaint_photo' AND u.content_type LIKE 'image/%'
               AND NOT u.is_hidden
             ORDER BY u.attached_at, u.id) AS photo_ids,
       r.created_at,
       c.updated_at,
       c.due_at
FROM complaints.reports r
JOIN core.cases c ON c.id = r.case_id
JOIN complaints.categories k ON k.code = r.category_code
LEFT JOIN complaints.hidden_content h ON h.case_id = r.case_id AND h.target = 'text'
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


# What every public surface shows in place of a description staff hid: neither the words nor why.
HIDDEN_DESCRIPTION = Text(
    id="Uraian laporan ini disembunyikan petugas karena memuat informasi yang tidak untuk umum.",
    en="Staff hid this report's description because it held information not meant for the public.",
)


def public_description(description: str | None, locale: str) -> str:
    """The description as the public reads it: the neutral text when staff hid it."""
    return HIDDEN_DESCRIPTION.in_locale(locale) if description is None else description


def thumbnail_url(base_url: str, photo_id: uuid.UUID) -> str:
    return f"{base_url}/v1/uploads/{photo_id}/public-thumbnail"
