"""The multi-regency spike (docs/multi-regency.md): do the hot queries keep their index plans when
one database holds several regencies as tenants, with row-level security on a tenant column?

    .venv/bin/python -m bench.tenants_spike                      # 10 tenants x 1,000,000 cases
    .venv/bin/python -m bench.tenants_spike --tenants 1          # one tenant of the same size
    .venv/bin/python -m bench.tenants_spike --tenants 3 --cases 20000 --residents 2000  # a quick look

It builds a database with the project's real migrations (the core's and every installed module's),
then applies the tenancy the design chose, as a later migration would: a `tenant` column (the
regency's code) on the tables the hot queries read, the indexes led by it, and policies on
`current_setting('app.tenant')`. It fills every tenant in set-based SQL (the tenants' rows
interleaved on disk, as they would be when all regencies file at once), builds the indexes after
loading, ANALYZEs, and prints EXPLAIN (ANALYZE, BUFFERS) of the hot queries as the app sends them
(the SQL is imported from the code), run for one tenant as a role that row-level security binds.
It fails when a plan reads a large table sequentially. Not part of `make test` or `make bench`.

The database (`serang_tenants_spike` unless --database) is dropped at the end unless --keep; the
role the queries run as (`serang_tenants_spike_app`) is dropped with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

from serang_app.cases.lists import _BY_DUE_TIME as INBOX_KEYSET
from serang_app.cases.lists import _SELECT as INBOX_SELECT
from serang_app.cases.lists import RESIDENT_FIRST_PAGE
from serang_app.contract.servers import LOCAL_SERVER, with_database
from serang_app.db.conditions import Conditions
from serang_app.db.migrations import apply_migrations
from serang_app.lifespan import migration_sources
from serang_app.module_system.discovery import enabled_specs
from serang_app.modules.complaints.reading import METRES_PER_DEGREE, NEARBY
from serang_app.notifications.inbox import _NEWEST_FIRST as NOTIFICATIONS_KEYSET
from serang_app.notifications.inbox import _SELECT as NOTIFICATIONS_SELECT
from serang_app.stats.public import _THIS_MONTH as PUBLIC_THIS_MONTH
from serang_app.stats.summaries import _COUNTS as SUMMARY_COUNTS
from serang_app.stats.summaries import _OVERDUE as SUMMARY_OVERDUE

APP_ROLE = "serang_tenants_spike_app"
NEARBY_NAME = "nearby complaints (250 m)"
# The functions behind the operators nearby search filters with: point <@ box.
LEAKPROOF_FUNCTIONS = ("on_pb(point, box)",)
# Ten regencies of one province (Jawa Barat's first ten codes). Their areas are synthetic: boxes of
# 0.5 by 0.5 degrees side by side, so that each tenant's complaints lie inside its own area.
TENANTS = ("32.01", "32.02", "32.03", "32.04", "32.05", "32.06", "32.07", "32.08", "32.09", "32.10")
DISTRICTS_PER_TENANT = 30
MEASURED_RESIDENT_CASES = 200
# Agencies cases go to (codes of migrations/0003_opds.sql, which every tenant shares in the spike)
# and the services filed with them: (code, module, agency, share of cases in tenths).
SERVICES = (
    ("complaints.report", "complaints", "DPUPR", 4),
    ("permits.building", "permits", "DPMPTSP", 2),
    ("permits.business", "permits", "DPMPTSP", 1),
    ("appointments.ktp", "appointments", "DISDUKCAPIL", 1),
    ("appointments.kk", "appointments", "DISDUKCAPIL", 1),
    ("social.assistance", "social", "DINSOS", 1),
)
# Tables a tenant's rows live in, for the spike: the ones the hot queries read.
TENANT_TABLES = (
    "residents",
    "cases",
    "notifications",
    "complaints.reports",
    "stats_monthly",
    "stats_monthly_pending",
    "stats_durations",
    "stats_durations_pending",
)
# The secondary indexes the tenant-led ones below replace (dropped before loading).
REPLACED_INDEXES = (
    "cases_resident_created_idx",
    "cases_resident_updated_idx",
    "cases_opd_due_idx",
    "cases_due_idx",
    "cases_overdue_sweep_idx",
    "cases_status_since_idx",
    "cases_open_stats_idx",
    "notifications_recipient_idx",
    "notifications_case_idx",
    "complaints.reports_location_idx",
    "complaints.reports_created_idx",
    "complaints.reports_category_idx",
)
TENANT_INDEXES = (
    "CREATE INDEX cases_resident_created_idx ON cases (tenant, resident_id, created_at DESC, id DESC)",
    "CREATE INDEX cases_resident_updated_idx ON cases (tenant, resident_id, updated_at, id)",
    "CREATE INDEX cases_opd_due_idx ON cases (tenant, opd_code, (coalesce(due_at, 'infinity')), id)",
    "CREATE INDEX cases_due_idx ON cases (tenant, (coalesce(due_at, 'infinity')), id)",
    """CREATE INDEX cases_overdue_sweep_idx ON cases (due_at)
       WHERE closed_at IS NULL AND paused_since IS NULL AND overdue_notified_at IS NULL AND due_at IS NOT NULL""",
    "CREATE INDEX cases_status_since_idx ON cases (tenant, module, workflow, status, status_since)",
    """CREATE INDEX cases_open_stats_idx ON cases (tenant, opd_code, service_code)
       INCLUDE (module, district_code, due_at, paused_since) WHERE closed_at IS NULL""",
    """CREATE INDEX notifications_recipient_idx
       ON notifications (tenant, recipient_kind, recipient_id, created_at DESC, id DESC)""",
    "CREATE INDEX notifications_case_idx ON notifications (case_id)",
    # Tenants' areas do not overlap, so a box inside one tenant's area meets only its rows: the
    # spatial index needs no tenant prefix (btree_gist would allow one).
    "CREATE INDEX reports_location_idx ON complaints.reports USING gist (location)",
    "CREATE INDEX reports_created_idx ON complaints.reports (tenant, created_at DESC, case_id DESC)",
    "CREATE INDEX reports_category_idx ON complaints.reports (tenant, category_code, created_at DESC)",
    "ALTER TABLE stats_monthly DROP CONSTRAINT stats_monthly_pkey,"
    " ADD PRIMARY KEY (tenant, month, opd_code, module, service_code, district_code)",
    "ALTER TABLE stats_durations DROP CONSTRAINT stats_durations_pkey,"
    " ADD PRIMARY KEY (tenant, month, opd_code, module, service_code, district_code, working_days)",
)
# Views of the data contract: with security_invoker they apply the reader's policies (without it a
# view reads its underlying tables as its owner, whom row-level security does not bind).
CONTRACT_VIEWS = ("cases", "uploads", "opds", "regions", "residents", "public_case_events")

_TENANT_SETUP = """
CREATE TABLE spike_tenants (
    n integer PRIMARY KEY, code text NOT NULL UNIQUE,
    west double precision NOT NULL, south double precision NOT NULL
);
INSERT INTO spike_tenants (n, code, west, south)
SELECT n, code, 106.0 + (n % 5) * 0.5, -7.5 + (n / 5) * 0.5
FROM unnest($1::text[]) WITH ORDINALITY AS t(code, ord), LATERAL (SELECT ord::int - 1 AS n) AS numbered;
ALTER TABLE regions DROP CONSTRAINT regions_code_check;
INSERT INTO regions (code, name, level, parent_code)
SELECT code, 'Kabupaten ' || code, 'regency', NULL FROM spike_tenants ON CONFLICT (code) DO NOTHING;
INSERT INTO regions (code, name, level, parent_code)
SELECT code || '.' || lpad(d::text, 2, '0'), 'Kecamatan ' || d, 'district', code
FROM spike_tenants, generate_series(1, $1::int) AS d ON CONFLICT (code) DO NOTHING;
"""
_SERVICE = """
INSERT INTO catalogue_services (code, module, opd_code, title, description, sla_days)
VALUES ($1, $2, $3, '{"id": "Layanan", "en": "Service"}', '{"id": "", "en": ""}', 5)
ON CONFLICT (code) DO NOTHING
"""
# Residents: n = 0 of each tenant is the measured one.
_RESIDENTS = """
INSERT INTO residents (tenant, locale, created_at)
SELECT t.code, 'id', now() - (g % 700) * interval '1 day'
FROM spike_tenants t, generate_series(0, $1 - 1) AS g
ORDER BY g, t.n
"""
_NUMBERED = """
CREATE UNLOGGED TABLE spike_residents AS
SELECT t.n AS tenant_n, row_number() OVER (PARTITION BY r.tenant ORDER BY r.created_at DESC, r.id) - 1 AS k, r.id
FROM residents r JOIN spike_tenants t ON t.code = r.tenant;
CREATE UNIQUE INDEX ON spike_residents (tenant_n, k);
CREATE TABLE spike_measured AS SELECT tenant_n, id FROM spike_residents WHERE k = 0;
CREATE UNLOGGED TABLE spike_services AS
SELECT row_number() OVER (ORDER BY ord) - 1 AS slot, code, module, opd_code
FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) WITH ORDINALITY AS s(code, module, opd_code, tenths, ord),
     generate_series(1, tenths);
"""
# Cases g0..g1-1 of the whole run: case g is tenant g % T's case number k = g / T, so the tenants'
# rows interleave on disk. A tenant's first 200 cases are its measured resident's; the rest go
# round-robin over its other residents. A third open, over the past year.
_CASES = """
WITH made AS (
    INSERT INTO cases (tenant, reference, module, workflow, service_code, resident_id, opd_code, district_code,
                       status, phase, sla_days, due_at, created_at, updated_at, closed_at, is_public)
    SELECT t.code, 'T' || t.n || '-' || to_char(placed.k, 'FM00000000'), s.module, s.module, s.code, r.id, s.opd_code,
           t.code || '.' || lpad((1 + placed.k % $4)::text, 2, '0'), p.phase, p.phase, 5, created + interval '7 days',
           created, created + interval '1 day',
           CASE WHEN p.phase IN ('completed', 'rejected', 'cancelled') THEN created + interval '1 day' END,
           placed.k % 5 <> 0
    FROM generate_series($1::bigint, $2::bigint - 1) AS g
    CROSS JOIN LATERAL (SELECT (g % $3)::int AS tenant_n, g / $3 AS k) AS placed
    JOIN spike_tenants t ON t.n = placed.tenant_n
    JOIN spike_services s ON s.slot = placed.k % 10
    CROSS JOIN LATERAL (
        SELECT now() - (placed.k % 365) * interval '1 day' - (placed.k * 7919 % 86400) * interval '1 second' AS created,
               (ARRAY['submitted', 'in_progress', 'waiting_for_resident', 'completed', 'completed', 'completed',
                      'rejected', 'cancelled', 'completed'])[1 + placed.k % 9] AS phase
    ) AS p
    JOIN spike_residents r ON r.tenant_n = placed.tenant_n
        AND r.k = CASE WHEN placed.k < $5 THEN 0 ELSE 1 + placed.k % ($6 - 1) END
    RETURNING id, tenant, module, resident_id, reference, created_at
), reported AS (
    INSERT INTO complaints.reports (tenant, case_id, category_code, description, latitude, longitude, created_at)
    SELECT m.tenant, m.id,
           (ARRAY['roads_bridges', 'street_lights', 'drainage_flooding', 'rubbish', 'public_order',
                  'social_assistance', 'health_services', 'schools', 'population_documents', 'other'])
               [1 + floor(random() * 10)::int],
           'Laporan uji: jalan berlubang di dekat pasar.',
           t.south + random() * 0.5, t.west + random() * 0.5, m.created_at
    FROM made m JOIN spike_tenants t ON t.code = m.tenant
    WHERE m.module = 'complaints'
)
INSERT INTO notifications (tenant, recipient_kind, recipient_id, case_id, source, template, params, created_at)
SELECT m.tenant, 'resident', m.resident_id, m.id, 'core', 'case_status_changed',
       jsonb_build_object('reference', m.reference, 'status', 'in_progress'), m.created_at + interval '1 hour'
FROM made m
WHERE right(m.reference, 1) IN ('0', '2', '4', '6', '8')  -- every other case tells its resident
"""
# What the statistics triggers (turned off while loading) would have folded into the summaries.
_STATISTICS = """
INSERT INTO stats_monthly (tenant, month, opd_code, module, service_code, district_code, received, still_open,
                           completed, rejected, cancelled, completed_with_sla, completed_within_sla)
SELECT tenant, month, opd_code, module, service_code, district_code, sum(received), sum(still_open),
       sum(completed), sum(rejected), sum(cancelled), sum(with_sla), sum(within_sla)
FROM (
    SELECT tenant, stats_month(created_at) AS month, opd_code, module, service_code,
           coalesce(district_code, '') AS district_code, 1 AS received, (closed_at IS NULL)::int AS still_open,
           0 AS completed, 0 AS rejected, 0 AS cancelled, 0 AS with_sla, 0 AS within_sla
    FROM cases
    UNION ALL
    SELECT tenant, stats_month(closed_at), opd_code, module, service_code, coalesce(district_code, ''), 0, 0,
           (phase = 'completed')::int, (phase = 'rejected')::int, (phase = 'cancelled')::int,
           (phase = 'completed' AND due_at IS NOT NULL)::int, (phase = 'completed' AND closed_at < due_at)::int
    FROM cases WHERE closed_at IS NOT NULL
) AS counted
GROUP BY tenant, month, opd_code, module, service_code, district_code
"""


@dataclass(frozen=True, slots=True)
class Options:
    admin_dsn: str
    database: str
    tenants: int
    cases: int
    residents: int
    chunk: int
    keep: bool
    measured_tenant: int


@dataclass(frozen=True, slots=True)
class HotQuery:
    name: str
    sql: str
    arguments: tuple[object, ...]
    index: str | None  # the index its plan must read the tenant's rows through


def main(argv: Sequence[str] | None = None) -> int:
    options = _parse(argv)
    try:
        return asyncio.run(_run(options))
    except KeyboardInterrupt:
        return 130


def _parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.tenants_spike", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=10, help="regencies in the database (1 to 10)")
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases per tenant")
    parser.add_argument("--residents", type=int, default=100_000, help="residents per tenant")
    parser.add_argument("--chunk", type=int, default=1_000_000, help="cases per INSERT statement")
    parser.add_argument("--database", default="serang_tenants_spike", help="the spike's database (dropped first)")
    parser.add_argument("--tenant", type=int, default=None, help="the measured tenant's number (default: the middle)")
    parser.add_argument("--keep", action="store_true", help="keep the database to look at it afterwards")
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.tenants <= len(TENANTS):
        parser.error(f"--tenants must be 1 to {len(TENANTS)}")
    if arguments.residents < 2 or arguments.cases < MEASURED_RESIDENT_CASES:
        parser.error(f"--residents must be at least 2 and --cases at least {MEASURED_RESIDENT_CASES}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", arguments.database):
        parser.error("--database must be a plain lower-case identifier")
    measured = arguments.tenant if arguments.tenant is not None else arguments.tenants // 2
    admin_dsn = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or LOCAL_SERVER
    return Options(
        admin_dsn=admin_dsn,
        database=arguments.database,
        tenants=arguments.tenants,
        cases=arguments.cases,
        residents=arguments.residents,
        chunk=arguments.chunk,
        keep=arguments.keep,
        measured_tenant=measured,
    )


def say(message: str) -> None:
    print(message, flush=True)


async def _run(options: Options) -> int:
    admin = await asyncpg.connect(options.admin_dsn, timeout=10)
    try:
        # Names checked by _parse and constants: nothing from outside is spliced in.
        await admin.execute(f"DROP DATABASE IF EXISTS {options.database} WITH (FORCE)")
        await admin.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
        await admin.execute(f"CREATE DATABASE {options.database}")
        await admin.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
    finally:
        await admin.close()
    dsn = with_database(options.admin_dsn, options.database)
    try:
        started = time.monotonic()
        await apply_migrations(dsn, migration_sources(enabled_specs(None)))
        say(f"migrations applied in {time.monotonic() - started:.0f} s")
        connection = await asyncpg.connect(dsn, timeout=10, command_timeout=None)
        try:
            await _add_tenancy(connection, options)
            await _load(connection, options)
            await _index_and_protect(connection)
            failures = await _measure(connection, options)
        finally:
            await connection.close()
    finally:
        if not options.keep:
            admin = await asyncpg.connect(options.admin_dsn, timeout=10)
            try:
                await admin.execute(f"DROP DATABASE IF EXISTS {options.database} WITH (FORCE)")
                await admin.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
            finally:
                await admin.close()
    if failures:
        say("FAILED: " + "; ".join(failures))
        return 1
    say("every hot query used its indexes: no sequential scan of a tenant table")
    return 0


async def _add_tenancy(connection: asyncpg.Connection, options: Options) -> None:
    """The schema change the design's first migration would make (before any index is built)."""
    for table in TENANT_TABLES:
        # New rows take the session's tenant (the default is set apart: ADD COLUMN would evaluate it).
        await connection.execute(f"ALTER TABLE {table} ADD COLUMN tenant text NOT NULL")
        await connection.execute(f"ALTER TABLE {table} ALTER COLUMN tenant SET DEFAULT current_setting('app.tenant')")
    for index in REPLACED_INDEXES:
        await connection.execute(f"DROP INDEX {index}")
    # asyncpg runs one parameterised statement at a time: the set-up goes in pieces.
    statements = [part.strip() for part in _TENANT_SETUP.split(";") if part.strip()]
    tenants = list(TENANTS[: options.tenants])
    for statement in statements:
        if "$1::text[]" in statement:
            await connection.execute(statement, tenants)
        elif "$1::int" in statement:
            await connection.execute(statement, DISTRICTS_PER_TENANT)
        else:
            await connection.execute(statement)
    for code, module, opd_code, _tenths in SERVICES:
        await connection.execute(_SERVICE, code, module, opd_code)


async def _load(connection: asyncpg.Connection, options: Options) -> None:
    total = options.tenants * options.cases
    say(
        f"loading {options.tenants} tenant(s) x {options.cases:,} cases ({total:,}), "
        f"{options.residents:,} residents each ..."
    )
    # Triggers (the statistics' counting) and foreign-key checks off while loading: the rows are
    # consistent by construction, and the summaries are computed once afterwards (_STATISTICS).
    await connection.execute("SET session_replication_role = replica")
    await connection.execute("SET maintenance_work_mem = '512MB'")
    # One helper process per index build at most: the machine is shared.
    await connection.execute("SET max_parallel_maintenance_workers = 1")
    started = time.monotonic()
    await connection.execute(_RESIDENTS, options.residents)
    codes, modules, agencies, tenths = zip(*SERVICES, strict=True)
    numbered = [part.strip() for part in _NUMBERED.split(";") if part.strip()]
    for statement in numbered:
        if "$1" in statement:
            await connection.execute(statement, list(codes), list(modules), list(agencies), list(tenths))
        else:
            await connection.execute(statement)
    say(f"  residents: {time.monotonic() - started:.0f} s")
    for first in range(0, total, options.chunk):
        last = min(total, first + options.chunk)
        chunk_started = time.monotonic()
        await connection.execute(
            _CASES,
            first,
            last,
            options.tenants,
            DISTRICTS_PER_TENANT,
            MEASURED_RESIDENT_CASES,
            options.residents,
        )
        say(f"  cases {last:,} of {total:,}: {time.monotonic() - chunk_started:.0f} s")
    chunk_started = time.monotonic()
    await connection.execute(_STATISTICS)
    say(f"  statistics summaries: {time.monotonic() - chunk_started:.0f} s")
    await connection.execute("RESET session_replication_role")
    say(f"loaded in {time.monotonic() - started:.0f} s")


async def _index_and_protect(connection: asyncpg.Connection) -> None:
    started = time.monotonic()
    for statement in TENANT_INDEXES:
        await connection.execute(statement)
    say(f"tenant-led indexes built in {time.monotonic() - started:.0f} s")
    for table in TENANT_TABLES:
        await connection.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        await connection.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING (tenant = current_setting('app.tenant'))"
            " WITH CHECK (tenant = current_setting('app.tenant'))"
        )
    for view in CONTRACT_VIEWS:
        await connection.execute(f"ALTER VIEW core.{view} SET (security_invoker = true)")
    for schema in ("public", "core", "complaints"):
        await connection.execute(f"GRANT USAGE ON SCHEMA {schema} TO {APP_ROLE}")
        await connection.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {APP_ROLE}")
    started = time.monotonic()
    await connection.execute("VACUUM (ANALYZE)")
    say(f"VACUUM (ANALYZE) in {time.monotonic() - started:.0f} s")
    sizes = await connection.fetch(
        """SELECT c.relname, pg_size_pretty(pg_table_size(c.oid)) AS data, pg_size_pretty(pg_indexes_size(c.oid)) AS idx
           FROM pg_class c WHERE c.relname IN ('cases', 'residents', 'notifications', 'reports') AND c.relkind = 'r'
           ORDER BY c.relname"""
    )
    database_size = await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
    say(f"database: {database_size}; " + ", ".join(f"{r['relname']} {r['data']} + {r['idx']} indexes" for r in sizes))


def _hot_queries(resident_id: uuid.UUID, west: float, south: float) -> list[HotQuery]:
    """The app's SQL for one tenant, with the values the app would send."""
    queries = [
        HotQuery(
            "my cases (first page)", RESIDENT_FIRST_PAGE, (resident_id, 21, uuid.uuid4()), "cases_resident_created_idx"
        )
    ]
    officer = Conditions()
    officer.add("c.opd_code = ?", "DPUPR")
    officer.add("c.closed_at IS NULL")
    sql, values = INBOX_KEYSET.page(20, None).query(INBOX_SELECT, officer)
    queries.append(HotQuery("staff inbox (DPUPR, open, by due time)", sql, tuple(values), "cases_opd_due_idx"))
    latitude, longitude, radius = south + 0.25, west + 0.25, 250
    half_height = radius / METRES_PER_DEGREE
    half_width = half_height / 0.99
    queries.append(
        HotQuery(
            NEARBY_NAME,
            NEARBY,
            (latitude, longitude, half_height, half_width, radius, None, 20),
            "reports_location_idx",
        )
    )
    own = Conditions()
    own.add("n.recipient_kind = 'resident' AND n.recipient_id = ?", resident_id)
    own.add("n.created_at <= now()")
    sql, values = NOTIFICATIONS_KEYSET.page(20, None, owner=resident_id).query(NOTIFICATIONS_SELECT, own)
    queries.append(HotQuery("notifications inbox", sql, tuple(values), "notifications_recipient_idx"))
    today = datetime.now(UTC).date()
    this_month = today.replace(day=1)
    year_ago = date(this_month.year - 1, this_month.month, 1)
    queries.append(HotQuery("statistics: public, this month", PUBLIC_THIS_MONTH, (this_month,), None))
    queries.append(
        HotQuery(
            "statistics: a year by agency", SUMMARY_COUNTS["opd"], (year_ago, this_month, None, None, None, None), None
        )
    )
    queries.append(
        HotQuery(
            "statistics: overdue now by agency",
            SUMMARY_OVERDUE["opd"],
            (datetime.now(UTC), None, None, None, None),
            "cases_open_stats_idx",
        )
    )
    return queries


async def _measure(connection: asyncpg.Connection, options: Options) -> list[str]:
    tenant = await connection.fetchrow(
        "SELECT t.code, t.west, t.south, m.id FROM spike_tenants t JOIN spike_measured m ON m.tenant_n = t.n"
        " WHERE t.n = $1",
        options.measured_tenant,
    )
    if tenant is None:
        raise SystemExit(f"no tenant number {options.measured_tenant}")
    say(f"\nmeasured tenant {tenant['code']} (of {options.tenants}), as role {APP_ROLE} with app.tenant set")
    failures: list[str] = []
    queries = _hot_queries(tenant["id"], tenant["west"], tenant["south"])
    async with connection.transaction():
        await connection.execute(f"SET LOCAL ROLE {APP_ROLE}")
        await connection.execute("SELECT set_config('app.tenant', $1, true)", tenant["code"])
        visible = await connection.fetchval("SELECT count(*) FROM cases")
        say(f"cases this tenant sees: {visible:,}")
        for query in queries:
            problem = await _explain(connection, query)
            if problem and query.name == NEARBY_NAME:
                say(f"-> {problem}: the box test (<@, function on_pb) is not LEAKPROOF, so under a policy")
                say("   PostgreSQL may not evaluate it before the policy's test, nor use it as an index condition")
            elif problem:
                failures.append(problem)
    # The remedy the design takes: declare the spatial operators' functions leakproof (they compare
    # numbers and cannot fail, so they reveal nothing about rows the policy hides).
    for function in LEAKPROOF_FUNCTIONS:
        await connection.execute(f"ALTER FUNCTION {function} LEAKPROOF")
    say(f"\nafter ALTER FUNCTION ... LEAKPROOF on {', '.join(LEAKPROOF_FUNCTIONS)}:")
    async with connection.transaction():
        await connection.execute(f"SET LOCAL ROLE {APP_ROLE}")
        await connection.execute("SELECT set_config('app.tenant', $1, true)", tenant["code"])
        for query in queries:
            if query.name == NEARBY_NAME and (problem := await _explain(connection, query)):
                failures.append(problem)
    # A fresh session: once set (even locally) a setting reads '' for the rest of the session, which
    # matches no tenant; never set, it makes every query on a tenant table fail.
    fresh = await asyncpg.connect(with_database(options.admin_dsn, options.database), timeout=10)
    try:
        await fresh.execute(f"SET ROLE {APP_ROLE}")
        await fresh.fetchval("SELECT count(*) FROM cases")
    except asyncpg.UndefinedObjectError:
        say("\nwithout app.tenant a query fails (unrecognized configuration parameter): tenancy fails closed")
    else:
        failures.append("a query without app.tenant did not fail")
    finally:
        await fresh.close()
    return failures


async def _explain(connection: asyncpg.Connection, query: HotQuery) -> str | None:
    """Run the query as the app would (prepared, repeated), print its plan and timing; what is
    wrong with the plan, if anything."""
    for _warm_up in range(2):
        await connection.fetch(query.sql, *query.arguments)
    timings = []
    rows: list[asyncpg.Record] = []
    for _run in range(5):
        timed = time.perf_counter()
        rows = await connection.fetch(query.sql, *query.arguments)
        timings.append((time.perf_counter() - timed) * 1000)
    plan = [row[0] for row in await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {query.sql}", *query.arguments)]
    timings.sort()
    say(f"\n== {query.name}: {len(rows)} rows, median {timings[2]:.2f} ms over 5 runs (client side)")
    for line in plan:
        say("   " + line)
    scanned = [line.strip() for line in plan if "Seq Scan on" in line and _large(line)]
    if scanned:
        return f"{query.name}: {scanned[0]}"
    if query.index is not None and not any(re.search(rf"(using|on) {query.index}\b", line) for line in plan):
        return f"{query.name}: its plan does not use {query.index}"
    return None


def _large(line: str) -> bool:
    return any(f" {table}" in line for table in ("cases", "residents", "notifications", "reports"))


if __name__ == "__main__":
    sys.exit(main())
