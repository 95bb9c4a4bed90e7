"""Creating staff accounts. Passwords are stored only as argon2id hashes."""

from __future__ import annotations

import asyncpg

from serang_app.staff.emails import canonical_email, is_staff_address
from serang_app.staff.passwords import MIN_PASSWORD_LENGTH, hash_password_async

ADMIN_OPD = "DISKOMINFOSATIK"


class StaffAccountError(Exception):
    """The account cannot be created; the message says why."""


async def create_admin_account(dsn: str, *, email: str, name: str, password: str) -> str:
    """Create the account; return its address as stored (canonical)."""
    email = canonical_email(email)
    name = name.strip()
    if not is_staff_address(email):
        raise StaffAccountError("email: not a valid e-mail address (staff addresses are ASCII)")
    if not 1 <= len(name) <= 200:
        raise StaffAccountError("name: must be 1 to 200 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(f"password: must be at least {MIN_PASSWORD_LENGTH} characters")
    password_hash = await hash_password_async(password)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "INSERT INTO staff (email, name, password_hash, role, opd_code) VALUES ($1, $2, $3, 'admin', $4)",
            email,
            name,
            password_hash,
            ADMIN_OPD,
        )
    except asyncpg.UniqueViolationError:
        raise StaffAccountError("email: a staff account with this address already exists") from None
    except asyncpg.UndefinedTableError:
        raise StaffAccountError("the database is not migrated: run `serang-app migrate apply` first") from None
    finally:
        await connection.close()
    return email
