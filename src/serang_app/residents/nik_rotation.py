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

from serang_app.residents.nik import NikDecryptionError, NikVault

_COUNT_BY_VERSION = """
SELECT get_byte(nik_ciphertext, 0) AS version, count(*) AS niks
FROM residents WHERE nik_ciphertext IS NOT NULL GROUP BY 1 ORDER BY 1
"""
_NOT_CURRENT = "SELECT count(*) FROM residents WHERE get_byte(nik_ciphertext, 0) <> $1"
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
    # NIKs under an older version that its key does not open (altered in the database, or sealed
    # by another key than the one listed): left as they were, for the operator to look into.
    unreadable: int
    # NIKs still under another version than the current one, the unreadable ones included.
    left: int


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
    unreadable: set[uuid.UUID] = set()  # ids only, kept in memory to count each row once
    done = 0
    left = await connection.fetchval(_NOT_CURRENT, vault.key_version)
    for _ in range(MAX_PASSES if older else 0):
        moved = await _one_pass(connection, vault, older, batch_size, unreadable, already=done, progress=progress)
        done += moved
        left = await connection.fetchval(_NOT_CURRENT, vault.key_version)
        if moved == 0 or left <= len(unreadable):
            break
    return RotationResult(reencrypted=done, unreadable=len(unreadable), left=left)


async def _one_pass(
    connection: asyncpg.Connection,
    vault: NikVault,
    older: list[int],
    batch_size: int,
    unreadable: set[uuid.UUID],
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
            sealed = []
            for row in rows:
                try:
                    sealed.append((row["id"], vault.reencrypt(row["nik_ciphertext"])))
                except NikDecryptionError:
                    unreadable.add(row["id"])
            await connection.executemany(_WRITE_BACK, sealed)
        after = rows[-1]["id"]
        moved += len(sealed)
        progress(already + moved)
