"""The search rows' data: a million complaints' cases with their search rows (case_search), made
in PostgreSQL from Indonesian word lists, and residents with Indonesian names.

Each description is five words drawn from lists of problems, things, places and qualifiers
(`Jalan berlubang dekat pasar Cikande sudah seminggu`), so a common word such as `banjir` is in
about one complaint in five and a place name in one in forty; the words are stemmed by
the `indonesian` configuration as the app's own rows are. Complaints are spread over five agencies;
the officer measured (DPUPR) sees a fifth of them, a third of those open. Only the core's rows
are made: the search reads no module table.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

AGENCY = "DPUPR"
RESIDENTS = 10_000
STAFF_EMAIL = "bench.search@serang.test"
# What the rows search for: a common word, a word in few rows, a misspelt name, an exact reference.
COMMON_WORD = "banjir"
RARE_WORD = "Cikande"
MISSPELT_NAME = "Nurhalisa"

_NAMES = """
CREATE TEMP TABLE bench_search_residents AS
WITH made AS (
    INSERT INTO residents (locale, name)
    SELECT 'id',
           (ARRAY['Siti', 'Ahmad', 'Dewi', 'Budi', 'Rina', 'Agus', 'Nur', 'Eko', 'Sri', 'Dedi', 'Yanti',
                  'Hendra', 'Lestari', 'Joko', 'Wati', 'Rudi'])[1 + g % 16] || ' ' ||
           (ARRAY['Nurhaliza', 'Santoso', 'Rahmawati', 'Hidayat', 'Suryani', 'Pratama', 'Kurniawan',
                  'Wulandari', 'Saputra', 'Fauzi', 'Maulana', 'Permata', 'Setiawan', 'Anggraini',
                  'Firmansyah', 'Susanti', 'Ramadhan'])[1 + (g / 16) % 17]
    FROM generate_series(1, $1) AS g
    RETURNING id
)
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM made
"""
_CASES = """
WITH made AS (
    INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, district_code, status,
                       phase, sla_days, due_at, created_at, updated_at, closed_at, is_public)
    SELECT 'CRB-' || to_char(2600 + g / 1000000, 'FM0000') || '-' || to_char(g % 1000000, 'FM000000'),
           'complaints', 'complaint', 'complaints.report', r.id,
           (ARRAY['DPUPR', 'DISHUB', 'DLH', 'SATPOLPP', 'DINSOS'])[1 + g % 5], '36.04.05',
           CASE WHEN g % 3 = 0 THEN 'submitted' ELSE 'closed' END,
           CASE WHEN g % 3 = 0 THEN 'submitted' ELSE 'completed' END,
           5, created + interval '7 days', created, created,
           CASE WHEN g % 3 <> 0 THEN created + interval '2 days' END, true
    FROM generate_series(1, $1) AS g
    CROSS JOIN LATERAL (SELECT now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second' AS created)
        AS moment
    JOIN bench_search_residents r ON r.n = g % $2
    RETURNING id
)
INSERT INTO case_search (case_id, words, resident_findable)
SELECT id, to_tsvector('indonesian', concat_ws(' ',
    (ARRAY['Jalan', 'Jalanan', 'Jembatan', 'Saluran', 'Gorong-gorong', 'Lampu jalan', 'Trotoar', 'Sampah',
           'Selokan', 'Drainase', 'Pohon', 'Tiang listrik'])[1 + floor(random() * 12)::int],
    (ARRAY['berlubang', 'rusak parah', 'tergenang banjir', 'tersumbat', 'mati total', 'retak', 'ambruk',
           'menumpuk', 'longsor', 'tumbang', 'bocor', 'amblas'])[1 + floor(random() * 12)::int],
    (ARRAY['dekat', 'di depan', 'di belakang', 'samping', 'menuju'])[1 + floor(random() * 5)::int],
    (ARRAY['pasar', 'sekolah', 'masjid', 'puskesmas', 'kantor desa', 'terminal', 'perumahan', 'pabrik'])
        [1 + floor(random() * 8)::int],
    (ARRAY['Kramatwatu', 'Ciruas', 'Kragilan', 'Anyer', 'Cinangka', 'Pontang', 'Tirtayasa', 'Baros',
           'Petir', 'Cikeusal', 'Pamarayan', 'Kibin', 'Cikande', 'Padarincang', 'Ciomas', 'Pabuaran',
           'Waringinkurung', 'Mancak', 'Bojonegara', 'Puloampel', 'Lebakwangi', 'Tanara', 'Carenang',
           'Binuang', 'Jawilan', 'Kopo', 'Tunjung Teja', 'Bandung', 'Gunungsari', 'Walantaka', 'Curug',
           'Kasemen', 'Taktakan', 'Cipocok', 'Serang', 'Sukamanah', 'Lontar', 'Karangantu', 'Sawah Luhur',
           'Banten Lama'])[1 + floor(random() * 40)::int],
    (ARRAY['sudah seminggu', 'mohon segera diperbaiki', 'membahayakan pengendara', 'saat hujan deras',
           'sejak bulan lalu', 'warga terganggu', 'banjir setiap sore', 'anak sekolah kesulitan lewat'])
        [1 + floor(random() * 8)::int])),
       true
FROM made
"""
_OFFICER = """
INSERT INTO staff (email, name, password_hash, role, opd_code)
VALUES ($1, 'Bench Officer', 'not-a-password-hash', 'officer', $2) RETURNING id
"""


@dataclass(frozen=True, slots=True)
class SearchSetup:
    officer_id: str
    reference: str  # an open case of the officer's agency
    seconds: float


async def seed_search(dsn: str, count: int) -> SearchSetup:
    """The residents, the complaints' cases and search rows, and the officer who searches."""
    started = time.monotonic()
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute(_NAMES, RESIDENTS)
        await connection.execute(_CASES, count, RESIDENTS)
        officer_id = await connection.fetchval(_OFFICER, STAFF_EMAIL, AGENCY)
        reference = await connection.fetchval(
            "SELECT reference FROM cases WHERE reference LIKE 'CRB-%' AND opd_code = $1 AND closed_at IS NULL "
            "ORDER BY reference DESC LIMIT 1",
            AGENCY,
        )
        # As a database in service would be: statistics current, the visibility map set.
        await connection.execute("VACUUM (ANALYZE) cases, case_search, residents")
    finally:
        await connection.close()
    return SearchSetup(officer_id=str(officer_id), reference=str(reference), seconds=time.monotonic() - started)
