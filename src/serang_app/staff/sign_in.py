"""Staff sign-in with e-mail and password, locked after repeated failures.

Failures are counted per e-mail address, whether or not an account has it, and the answers are
the same in both cases: a guesser learns neither which addresses exist nor when a lock is real.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from serang_app.audit.log import record
from serang_app.staff.emails import canonical_email
from serang_app.staff.passwords import password_matches


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    staff_id: uuid.UUID | None  # None: refused
    locked: bool = False


def _email_hash(canonical: str) -> bytes:
    return hashlib.sha256(canonical.encode()).digest()


async def attempt_sign_in(
    connection: asyncpg.Connection,
    *,
    email: str,
    password: str,
    max_failures: int,
    lockout: timedelta,
    request_id: str | None,
) -> SignInOutcome:
    """Check the password and keep the failure count; call inside a transaction and commit it.

    The count and the look-up use the same canonical address (staff/emails.py), so every spelling
    of an address shares one lock-out.
    """
    email = canonical_email(email)
    email_hash = _email_hash(email)
    await connection.execute(
        "INSERT INTO staff_sign_in_throttle (email_hash) VALUES ($1) ON CONFLICT DO NOTHING", email_hash
    )
    throttle = await connection.fetchrow(
        "SELECT failures, window_started_at, locked_until, now() AS now "
        "FROM staff_sign_in_throttle WHERE email_hash = $1 FOR UPDATE",
        email_hash,
    )
    assert throttle is not None
    if throttle["locked_until"] is not None and throttle["locked_until"] > throttle["now"]:
        await _audit(connection, None, "staff.sign_in_locked", email_hash, request_id)
        return SignInOutcome(staff_id=None, locked=True)
    account = await connection.fetchrow("SELECT id, password_hash FROM staff WHERE email = $1 AND is_active", email)
    if await password_matches(account["password_hash"] if account else None, password) and account is not None:
        await connection.execute(
            "UPDATE staff_sign_in_throttle SET failures = 0, locked_until = NULL WHERE email_hash = $1", email_hash
        )
        await record(
            connection,
            actor_kind="staff",
            actor_id=account["id"],
            action="staff.sign_in",
            object_type="staff",
            object_id=str(account["id"]),
            request_id=request_id,
        )
        return SignInOutcome(staff_id=account["id"])
    # A failure: count it within the lock-out window, and lock once the limit is reached.
    fresh_window = throttle["now"] - throttle["window_started_at"] > lockout
    failures = 1 if fresh_window else throttle["failures"] + 1
    locked = failures >= max_failures
    await connection.execute(
        """UPDATE staff_sign_in_throttle
           SET failures = $2,
               window_started_at = CASE WHEN $3 THEN now() ELSE window_started_at END,
               locked_until = CASE WHEN $4 THEN now() + $5::interval ELSE NULL END
           WHERE email_hash = $1""",
        email_hash,
        0 if locked else failures,
        fresh_window,
        locked,
        lockout,
    )
    await _audit(connection, account["id"] if account else None, "staff.sign_in_failed", email_hash, request_id)
    return SignInOutcome(staff_id=None, locked=locked)


async def _audit(
    connection: asyncpg.Connection, staff_id: uuid.UUID | None, action: str, email_hash: bytes, request_id: str | None
) -> None:
    # The e-mail is recorded only as a short hash prefix: enough to group attempts, not to read it.
    await record(
        connection,
        actor_kind="anonymous",
        actor_id=None,
        action=action,
        object_type="staff",
        object_id=str(staff_id) if staff_id else None,
        request_id=request_id,
        details={"email_hash": email_hash.hex()[:16]},
    )
