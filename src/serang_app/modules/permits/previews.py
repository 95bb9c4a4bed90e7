"""What an admin sees of a draft before publishing it: the service as residents would get it, and
a sample letter filled with the fields' titles (marked as a sample; its QR code leads nowhere)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg

from serang_app.api import ApiError
from serang_app.modules.permits import definitions
from serang_app.modules.permits.definition import PublishedService
from serang_app.modules.permits.letters import LetterContent, fill, letter_number, local_date
from serang_app.modules.permits.schemas import Agency
from serang_app.modules.permits.shapes import verification_url

SAMPLE_NAME = "Nama Pemohon"
SAMPLE_NIK = "3604000000000000"
SAMPLE_REFERENCE = "IZN-0000-000000"


async def draft_preview(connection: asyncpg.Connection, code: str) -> PublishedService:
    admin = await definitions.admin_definition(connection, code)
    kind = await definitions.draft_version(connection, code)
    agency = await connection.fetchval("SELECT name FROM core.opds WHERE code = $1", kind.opd_code)
    published = definitions.rendered(kind, Agency(code=kind.opd_code, name=agency or kind.opd_code))
    # The version it would become.
    published.version = (admin.published_version or 0) + 1
    published.is_open = not admin.is_closed
    return published


async def sample_letter(
    connection: asyncpg.Connection, code: str, base_url: str, zone: ZoneInfo, now: datetime
) -> LetterContent:
    kind = await definitions.draft_version(connection, code)
    letter = kind.letter
    if letter is None:
        raise ApiError(409, "permits_no_letter")
    local = now.astimezone(zone)
    agency = await connection.fetchval("SELECT name FROM core.opds WHERE code = $1", kind.opd_code) or kind.opd_code
    number = letter_number(letter.number_pattern, 1, local, kind.opd_code, kind.code)
    values = {f"answer.{field.code}": f"«{field.description.id}»" for field in kind.fields}
    values |= {
        "resident.name": SAMPLE_NAME,
        "resident.nik": SAMPLE_NIK,
        "number": number,
        "reference": SAMPLE_REFERENCE,
        "issued_date": local_date(now, zone),
        "valid_until": "-",
        "agency.name": agency,
    }
    return LetterContent(
        title=letter.title.id,
        number=number,
        holder=SAMPLE_NAME,
        issued_at=now,
        expires_at=None,
        reference=SAMPLE_REFERENCE,
        body=fill(letter.body.id, values),
        signatory=letter.signatory,
        verification_url=verification_url(base_url, "SAMPLE"),
        agency_name=agency,
        sample=True,
    )
