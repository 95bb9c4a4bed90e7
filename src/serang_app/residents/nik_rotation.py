"""Moving stored NIKs to the current encryption key version, and counting them by version.

Each ciphertext starts with the version of the key that sealed it (nik.py), so the database can
count and select them by `get_byte(nik_ciphertext, 0)` without any key. Only counts ever leave
this module: never a NIK, nor a resident's id.

The re-encryption runs beside the live app. It walks the residents in id order (keyset batches,
each its own short transaction), locks a batch with FOR UPDATE SKIP LOCKED so that it never waits
on, nor blocks for long, a request changing a profile, and writes the same NIK back under the
current version. A row skipped because a request held it is picked up by the next pass; a stopped
run is resumed by running it again, since rows already moved no longer match.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import asyncpg

from serang_app.residents.nik import NikVault

_COUNT_BY_VERSION = """
SELECT get_byte(nik_ciphertext, 0) AS version, count(*) AS niks
FROM residents WHERE nik_ciphertext IS NOT NULL GROUP BY 1 ORDER BY 1
"""
_SAMPLE = "SELECT nik_ciphertext FROM residents WHERE get_byte(nik_ciphertext, 0) = $1 LIMIT 1"
_NEXT_BATCH = """
SELECT id, nik_ciphertext FROM residents
WHERE id > $1 AND nik_ciphertext IS NOT NULL AND get_byte(nik_ciphertext, 0) = ANY($2::int[])
ORDER BY id LIMIT $3
FOR UPDATE SKIP LOCKED
"""
# updated_at stays: the resident's data did not change, only how it is sealed.
_WRITE_BACK = "UPDATE residents SET nik_ciphertext = $2 WHERE id = $1"
# Passes over the table before giving up on rows that requests keep locked.
MAX_PASSES = 5
_KEYS = "SERANG_NIK_ENCRYPTION_KEYS"


@dataclass(frozen=True, slots=True)
class StoredVersion:
    niks: int
    # One ciphertext of this version, to prove the configured key opens it; never shown.
    sample: bytes


@dataclass(frozen=True, slots=True)
class RotationResult:
    reencrypted: int
    # Stored NIKs per key version after the run, the current version included.
    stored: dict[int, StoredVersion]


async def stored_versions(connection: asyncpg.Connection) -> dict[int, StoredVersion]:
    """The key versions the stored NIKs are sealed with: how many each, and one sample."""
    if await connection.fetchval("SELECT to_regclass('residents')") is None:
        return {}  # a database the migrations have not reached yet holds no NIK
    counts = await connection.fetch(_COUNT_BY_VERSION)
    return {
        row["version"]: StoredVersion(row["niks"], await connection.fetchval(_SAMPLE, row["version"])) for row in counts
    }


def key_problem(stored: Mapping[int, StoredVersion], vault: NikVault) -> str | None:
    """One line when some stored NIKs cannot be read with the configured keys, else None."""
    missing = {version: found.niks for version, found in stored.items() if version not in vault.key_versions}
    if missing:
        parts = ", ".join(f"{niks} under v{version}" for version, niks in sorted(missing.items()))
        return (
            f"{_KEYS}: stored NIKs use key versions it does not list ({parts}); list those keys again "
            "after the first and run `serang-app nik rotate` before removing them"
        )
    for version, found in sorted(stored.items()):
        if not vault.opens(found.sample):
            return f"{_KEYS}: the key listed as v{version} does not decrypt the stored NIKs of version {version}"
    return None


async def rotate(
    connection: asyncpg.Connection,
    vault: NikVault,
    *,
    batch_size: int,
    progress: Callable[[int], None] = lambda done: None,
) -> RotationResult:
    """Re-encrypt every NIK under an older configured version; ``progress`` gets the running total."""
    older = sorted(vault.key_versions - {vault.key_version})
    done = 0
    stored = await stored_versions(connection)
    for _ in range(MAX_PASSES):
        if not any(version in stored for version in older):
            break
        moved = await _one_pass(connection, vault, older, batch_size, already=done, progress=progress)
        done += moved
        stored = await stored_versions(connection)
        if moved == 0:
            break
    return RotationResult(reencrypted=done, stored=stored)


async def _one_pass(
    connection: asyncpg.Connection,
    vault: NikVault,
    older: list[int],
    batch_size: int,
    *,
    already: int,
    progress: Callable[[int], None],
) -> int:
    after, moved = uuid.UUID(int=0), 0
    while True:
        async with connection.transaction():
            rows = await connection.fetch(_NEXT_BATCH, after, older, batch_size)
            if not rows:
                return moved
            await connection.executemany(
                _WRITE_BACK, [(row["id"], vault.reencrypt(row["nik_ciphertext"])) for row in rows]
            )
        after = rows[-1]["id"]
        moved += len(rows)
        progress(already + moved)
