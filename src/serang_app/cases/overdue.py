"""The overdue sweep: marks open cases past their due time and tells the agency's supervisors,
once per case. Run by the worker; several workers may sweep at once (SKIP LOCKED)."""

from __future__ import annotations

import asyncpg

from serang_app.db.pool import Database

BATCH_SIZE = 500

# One statement: claim a batch, mark it, put it on each timeline (internal), notify every active
# supervisor of the owning agency, and audit it; all or nothing.
_SWEEP = """
WITH due AS (
    SELECT id FROM cases
    WHERE closed_at IS NULL AND paused_since IS NULL AND overdue_notified_at IS NULL
      AND due_at IS NOT NULL AND due_at <= now()
    ORDER BY due_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE cases c SET overdue_notified_at = now()
    FROM due WHERE c.id = due.id
    RETURNING c.id, c.reference, c.opd_code
), timeline AS (
    INSERT INTO case_events (case_id, kind, actor_kind, actor_role, is_public)
    SELECT id, 'overdue', 'system', 'system', false FROM marked
), audit AS (
    INSERT INTO audit_log (actor_kind, action, object_type, object_id)
    SELECT 'system', 'case.overdue', 'case', id::text FROM marked
), notified AS (
    INSERT INTO notifications (recipient_kind, recipient_id, case_id, source, template, params)
    SELECT 'staff', s.id, m.id, 'core', 'case.overdue', jsonb_build_object('reference', m.reference)
    FROM marked m JOIN staff s ON s.opd_code = m.opd_code AND s.role = 'supervisor' AND s.is_active
)
SELECT count(*) FROM marked
"""


async def sweep_overdue_cases(database: Database) -> int:
    """Mark every overdue case not yet reported; returns how many were marked."""
    total = 0
    async with database.acquire() as connection:
        while True:
            marked = await _sweep_batch(connection)
            total += marked
            if marked < BATCH_SIZE:
                return total


async def _sweep_batch(connection: asyncpg.Connection) -> int:
    async with connection.transaction():
        count: int = await connection.fetchval(_SWEEP, BATCH_SIZE)
        return count
