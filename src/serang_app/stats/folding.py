"""Folding the pending changes the triggers append into the monthly summaries (a worker task).

One statement per table: the pending rows are deleted and added to the summaries in the same
transaction, so a reader sees them on one side or the other, never both or neither. Two workers
folding at once are safe: the second's DELETE waits for the first's rows and then skips them.
"""

from __future__ import annotations

from serang_app.db.pool import Database
from serang_app.stats.summaries import COUNT_COLUMNS

_KEY = ("month", "opd_code", "module", "service_code", "district_code")


def _fold(table: str, key: tuple[str, ...], values: tuple[str, ...]) -> str:
    keys = ", ".join(key)
    sums = ", ".join(f"sum({name})::int" for name in values)
    additions = ", ".join(f"{name} = summary.{name} + excluded.{name}" for name in values)
    return f"""
WITH moved AS (DELETE FROM {table}_pending RETURNING *)
INSERT INTO {table} AS summary ({keys}, {", ".join(values)})
SELECT {keys}, {sums} FROM moved GROUP BY {keys}
ON CONFLICT ({keys}) DO UPDATE SET {additions}
"""  # noqa: S608 (constant names only)


_FOLD_MONTHLY = _fold("stats_monthly", _KEY, COUNT_COLUMNS)
_FOLD_DURATIONS = _fold("stats_durations", (*_KEY, "working_days"), ("cases",))


async def fold_statistics(database: Database) -> int:
    """Fold what is pending; returns the summary rows written."""
    async with database.acquire() as connection, connection.transaction():
        written = 0
        for statement in (_FOLD_MONTHLY, _FOLD_DURATIONS):
            status: str = await connection.execute(statement)
            written += int(status.rsplit(" ", 1)[-1])
        return written
