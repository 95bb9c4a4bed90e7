"""The database's copy of the region's time zone, which the statistics' months are counted in.

The triggers of migrations/0015_statistics.sql put every case and rating in a month with
stats_month(), in SQL, and a change is counted as "-1 for the old row, +1 for the new one": both
must land in the months they were first counted in. So the zone is kept in the database
(region_time_zone, migrations/0021_region_time_zone.sql) rather than given per session, and when
the configured region moves to another zone the summaries are counted again from the cases,
in one transaction, so that no row is ever counted in two zones.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import structlog

from serang_app.db.pool import Database

logger = structlog.get_logger("serang_app.stats")

_SUMMARIES = ("stats_monthly", "stats_monthly_pending", "stats_durations", "stats_durations_pending")


async def keep_region_time_zone(database: Database, zone: ZoneInfo) -> bool:
    """Make the database count months in `zone`; True when it counted in another one before.

    Called by every web process at start-up: the first to see a new zone recounts, the others
    wait on the row lock and then find it done. Recounting costs a pass over every case (seconds
    per hundred thousand) and holds off writes to cases meanwhile; it happens when a deployment
    first chooses its region, normally before it has any.
    """
    async with database.acquire() as connection:
        if await connection.fetchval("SELECT name FROM region_time_zone") == zone.key:
            return False
        async with connection.transaction():
            changed = await connection.fetchval(
                "UPDATE region_time_zone SET name = $1 WHERE name <> $1 RETURNING name", zone.key
            )
            if changed is None:
                return False  # another process changed it first
            # Writers of cases and ratings would add rows counted one way or the other; the fold
            # task would move rows this is deleting. Readers go on reading the old figures.
            await connection.execute(f"LOCK TABLE cases, case_ratings, {', '.join(_SUMMARIES)} IN EXCLUSIVE MODE")
            for table in _SUMMARIES:
                await connection.execute(f"DELETE FROM {table}")  # noqa: S608 (constant names)
            # The triggers' own functions, so a recount counts exactly what the triggers would.
            await connection.execute("SELECT stats_count_case(c, 1) FROM cases c")
            await connection.execute("SELECT stats_count_rating(r, 1) FROM case_ratings r")
    logger.info("statistics_recounted_in_new_time_zone", time_zone=zone.key)
    return True
