"""The chains as stored: read an agency's (its own or the default), replace one, remove one.

A chain is a few rows of `escalation_steps`: the agency's own (opd_code set) or the default
(opd_code null), which every agency without its own follows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg

from serang_app.escalation.schemas import Chain, ChainChange, Step
from serang_app.http.problems import ApiError, LocalizedFieldError

_COLUMNS = "opd_code, position, after_working_days, notify, updated_at"
_CHAIN = f"SELECT {_COLUMNS} FROM escalation_steps WHERE opd_code IS NOT DISTINCT FROM $1 ORDER BY position"  # noqa: S608
_OWN_OR_DEFAULT = f"""
SELECT {_COLUMNS} FROM escalation_steps
WHERE opd_code = $1 OR (opd_code IS NULL AND NOT EXISTS (SELECT 1 FROM escalation_steps WHERE opd_code = $1))
ORDER BY position
"""  # noqa: S608
_ALL = f"SELECT {_COLUMNS} FROM escalation_steps ORDER BY opd_code NULLS FIRST, position"  # noqa: S608
_DELETE = "DELETE FROM escalation_steps WHERE opd_code IS NOT DISTINCT FROM $1"
_INSERT = f"""
INSERT INTO escalation_steps (opd_code, position, after_working_days, notify)
SELECT $1, position, days, notify FROM unnest($2::smallint[], $3::smallint[], $4::text[]) AS s(position, days, notify)
RETURNING {_COLUMNS}
"""  # noqa: S608
# Replacing a chain deletes and inserts its rows: two admins replacing one at once would collide on
# the unique index. Chains change a few times a year, so one lock for all of them is plenty.
_WRITE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('escalation_steps'))"

_NOT_INCREASING = (
    "Hari kerja setiap tahap harus lebih besar daripada tahap sebelumnya",
    "Each step's working days must be more than the previous step's",
)


@dataclass(frozen=True, slots=True)
class Chains:
    """Every chain at once, for the worker's sweep."""

    default: tuple[Step, ...]
    own: Mapping[str, tuple[Step, ...]] = field(default_factory=dict)

    def of(self, opd_code: str) -> tuple[Step, ...]:
        return self.own.get(opd_code, self.default)


async def agency_chain(connection: asyncpg.Connection, opd_code: str) -> Chain:
    """The chain the agency follows: its own, or the default."""
    return _chain(opd_code, await connection.fetch(_OWN_OR_DEFAULT, opd_code))


async def default_chain(connection: asyncpg.Connection) -> Chain:
    return _chain(None, await connection.fetch(_CHAIN, None))


async def all_chains(connection: asyncpg.Connection) -> Chains:
    default: list[Step] = []
    own: dict[str, list[Step]] = {}
    for row in await connection.fetch(_ALL):
        (default if row["opd_code"] is None else own.setdefault(row["opd_code"], [])).append(_step(row))
    return Chains(default=tuple(default), own={code: tuple(steps) for code, steps in own.items()})


async def replace_chain(connection: asyncpg.Connection, opd_code: str | None, change: ChainChange) -> Chain:
    """Save `change` as the agency's own chain (the default for None); inside a transaction."""
    require_increasing(change)
    await connection.execute(_WRITE_LOCK)
    await connection.execute(_DELETE, opd_code)
    rows = await connection.fetch(
        _INSERT,
        opd_code,
        list(range(1, len(change.steps) + 1)),
        [step.after_working_days for step in change.steps],
        [step.notify for step in change.steps],
    )
    return _chain(opd_code, sorted(rows, key=lambda row: row["position"]))


async def remove_chain(connection: asyncpg.Connection, opd_code: str) -> bool:
    """Forget the agency's own chain, so it follows the default again; False when it had none."""
    await connection.execute(_WRITE_LOCK)
    removed: str = await connection.execute(_DELETE, opd_code)
    return removed != "DELETE 0"


def require_increasing(change: ChainChange) -> None:
    """422 naming every step whose days are not more than the step's before it."""
    errors = [
        LocalizedFieldError(f"steps[{index}].after_working_days", *_NOT_INCREASING)
        for index, (before, step) in enumerate(zip(change.steps, change.steps[1:], strict=False), start=1)
        if step.after_working_days <= before.after_working_days
    ]
    if errors:
        raise ApiError(422, errors=errors)


def _chain(opd_code: str | None, rows: Sequence[asyncpg.Record]) -> Chain:
    own = bool(rows) and rows[0]["opd_code"] is not None
    return Chain(
        opd_code=opd_code,
        source="agency" if own else "default",
        steps=[_step(row) for row in rows],
        # The default chain always has rows (the migration seeds it; a replacement has at least one).
        updated_at=max((row["updated_at"] for row in rows), default=None),
    )


def _step(row: asyncpg.Record) -> Step:
    return Step(position=row["position"], after_working_days=row["after_working_days"], notify=row["notify"])
