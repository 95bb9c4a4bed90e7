"""Creating staff accounts. Passwords are stored only as argon2id hashes."""

from __future__ import annotations

import re

import asyncpg

from serang_app.staff.passwords import MIN_PASSWORD_LENGTH, hash_password_async

ADMIN_OPD = "DISKOMINFOSATIK"
# No spaces or control characters anywhere (PostgreSQL text cannot even store a NUL).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,255}\.[^@\s\x00-\x1f\x7f]{2,63}$"
_EMAIL = re.compile(EMAIL_PATTERN)


class StaffAccountError(Exception):
    """The account cannot be created; the message says why."""


async def create_admin_account(dsn: str, *, email: str, name: str, password: str) -> None:
    email = email.strip().lower()
    name = name.strip()
    if not _EMAIL.match(email):
        raise StaffAccountError("email: not a valid e-mail address")
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
