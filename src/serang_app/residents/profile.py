"""Reading and changing a resident's own profile."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from serang_app.announcements.topics import recheck_topics
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.notifications.language import set_resident_locale
from serang_app.residents.nik import NikError, NikVault, parse_nik
from serang_app.residents.schemas import Profile, ProfileUpdate

_PROFILE = """
SELECT id, phone, name, locale, district_code, village_code, nik_ciphertext, created_at
FROM residents WHERE id = $1 AND erased_at IS NULL
"""


async def read_profile(connection: asyncpg.Connection, resident_id: uuid.UUID, vault: NikVault) -> Profile:
    row = await connection.fetchrow(_PROFILE, resident_id)
    if row is None:
        raise ApiError(404)
    return Profile(
        id=row["id"],
        phone=row["phone"],
        name=row["name"],
        locale=row["locale"],
        district_code=row["district_code"],
        village_code=row["village_code"],
        nik=vault.decrypt(row["nik_ciphertext"]) if row["nik_ciphertext"] is not None else None,
        created_at=row["created_at"],
    )


async def update_profile(
    connection: asyncpg.Connection, resident_id: uuid.UUID, update: ProfileUpdate, vault: NikVault, region_code: str
) -> list[str]:
    """Apply the changes (inside a transaction); return the names of the fields changed."""
    current = await connection.fetchrow(
        "SELECT district_code, village_code FROM residents WHERE id = $1 AND erased_at IS NULL FOR UPDATE",
        resident_id,
    )
    if current is None:
        raise ApiError(404)
    changes = {name: value for name, value in msgspec.structs.asdict(update).items() if value is not msgspec.UNSET}
    district = changes.get("district_code", current["district_code"])
    village = changes.get("village_code", current["village_code"])
    await _check_home(connection, district, village, region_code)
    # The language is the resident's one setting, shared with their devices (notifications/language.py).
    columns: dict[str, object] = {k: v for k, v in changes.items() if k not in ("nik", "locale")}
    if "locale" in changes:
        await set_resident_locale(connection, resident_id, str(changes["locale"]))
    if "nik" in changes:
        nik = changes["nik"]
        if nik is None:
            columns.update(nik_ciphertext=None, nik_index=None)
        else:
            try:
                parsed = parse_nik(str(nik))
            except NikError as error:
                raise ApiError(
                    422, errors=[LocalizedFieldError("nik", error.message("id"), error.message("en"))]
                ) from None
            columns.update(nik_ciphertext=vault.encrypt(parsed.value), nik_index=vault.index(parsed.value))
    if not columns:
        return sorted(changes)
    # Column names come from ProfileUpdate's fields, never from the request's keys.
    assignments = ", ".join(f"{name} = ${position}" for position, name in enumerate(columns, start=2))
    try:
        await connection.execute(
            f"UPDATE residents SET {assignments}, updated_at = now() WHERE id = $1",  # noqa: S608
            resident_id,
            *columns.values(),
        )
    except asyncpg.UniqueViolationError:
        raise ApiError(409, "nik_taken") from None
    if district != current["district_code"]:
        await recheck_topics(connection, resident_id)  # announcements for the new district
    return sorted(changes)


async def _check_home(connection: asyncpg.Connection, district: object, village: object, region_code: str) -> None:
    if district is not None:
        found = await connection.fetchval(
            "SELECT 1 FROM regions WHERE code = $1 AND code LIKE $2 || '.%' AND level = 'district' AND retired_in IS NULL",
            district,
            region_code,
        )
        if not found:
            raise ApiError(
                422,
                errors=[
                    LocalizedFieldError(
                        "district_code",
                        "Kecamatan tidak ada di wilayah layanan ini",
                        "No such district in this service's region",
                    )
                ],
            )
    if village is not None:
        parent = await connection.fetchval(
            "SELECT parent_code FROM regions WHERE code = $1 AND level = 'village'", village
        )
        if parent is None or parent != district:
            raise ApiError(
                422,
                errors=[
                    LocalizedFieldError(
                        "village_code",
                        "Desa/kelurahan tidak ada di kecamatan yang dipilih",
                        "No such village in the chosen district",
                    )
                ],
            )
