"""Residents who follow a case they did not open (a "me too" on a complaint): they are sent the
same notifications as its resident (cases/events.py: notify_followers), and see nothing more of
it than the module shows the public."""

from __future__ import annotations

import uuid

import asyncpg


async def follow_case(connection: asyncpg.Connection, case_id: uuid.UUID, resident_id: uuid.UUID) -> bool:
    """Start following; False when the resident already did."""
    added = await connection.fetchval(
        """INSERT INTO case_followers (case_id, resident_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING RETURNING 1""",
        case_id,
        resident_id,
    )
    return added is not None


async def unfollow_case(connection: asyncpg.Connection, case_id: uuid.UUID, resident_id: uuid.UUID) -> bool:
    """Stop following; False when the resident did not follow it."""
    removed = await connection.fetchval(
        "DELETE FROM case_followers WHERE case_id = $1 AND resident_id = $2 RETURNING 1", case_id, resident_id
    )
    return removed is not None


async def move_followers(
    connection: asyncpg.Connection, from_case: uuid.UUID, to_case: uuid.UUID, *, also: uuid.UUID | None = None
) -> int:
    """Followers of `from_case` (and the resident `also`, its reporter) follow `to_case` instead,
    except the resident who opened `to_case`; returns how many follow it now."""
    await connection.execute(
        """INSERT INTO case_followers (case_id, resident_id)
           SELECT $2::uuid, resident_id FROM case_followers WHERE case_id = $1
           UNION SELECT $2::uuid, $3::uuid WHERE $3::uuid IS NOT NULL
           ON CONFLICT DO NOTHING""",
        from_case,
        to_case,
        also,
    )
    await connection.execute("DELETE FROM case_followers WHERE case_id = $1", from_case)
    await connection.execute(
        """DELETE FROM case_followers f USING cases c
           WHERE c.id = f.case_id AND f.case_id = $1 AND f.resident_id = c.resident_id""",
        to_case,
    )
    count: int = await connection.fetchval("SELECT count(*) FROM case_followers WHERE case_id = $1", to_case)
    return count
