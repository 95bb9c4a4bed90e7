"""Demo staff accounts for development, so the admin API can be explored the moment `make run` starts.

Only `serang-app serve` in development seeds them; production never does (the caller checks).
"""

from __future__ import annotations

import asyncpg

from serang_app.staff.accounts import ADMIN_OPD
from serang_app.staff.passwords import hash_password_async

DEMO_PASSWORD = "serang-dev"  # noqa: S105 - a published development password, refused in production
DEMO_DOMAIN = "serang.test"  # a reserved name (RFC 2606): mail to it goes nowhere


def demo_email(role: str, opd_code: str | None = None) -> str:
    return f"{role}@{DEMO_DOMAIN}" if opd_code is None else f"{role}.{opd_code.lower()}@{DEMO_DOMAIN}"


async def seed_demo_accounts(dsn: str) -> int:
    """Create the demo accounts that do not exist yet; return how many were created."""
    password_hash = await hash_password_async(DEMO_PASSWORD)  # one hash for all: argon2 is slow on purpose
    connection = await asyncpg.connect(dsn)
    try:
        agencies = [row["code"] for row in await connection.fetch("SELECT code FROM opds ORDER BY code")]
        accounts = [(demo_email("admin"), "Admin Demo", "admin", ADMIN_OPD)]
        for code in agencies:
            accounts.append((demo_email("officer", code), f"Petugas {code}", "officer", code))
            accounts.append((demo_email("supervisor", code), f"Supervisor {code}", "supervisor", code))
        created = 0
        async with connection.transaction():
            for email, name, role, opd_code in accounts:
                status = await connection.execute(
                    """INSERT INTO staff (email, name, password_hash, role, opd_code)
                       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING""",
                    email,
                    name,
                    password_hash,
                    role,
                    opd_code,
                )
                created += status == "INSERT 0 1"
        return created
    finally:
        await connection.close()
