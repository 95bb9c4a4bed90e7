"""Issuing, revoking and verifying permits and letters, and the letter as a PDF with its QR code."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
from litestar.datastructures import State

from serang_app.api import (
    ApiError,
    CaseActor,
    CaseEngine,
    Letterhead,
    Text,
    applicant_of,
    cancel_scheduled_notifications,
    is_real_name,
    notify_resident,
    take_action,
)
from serang_app.modules.permits.applications import read_application, visible_application
from serang_app.modules.permits.letters import (
    NEXT_SEQ,
    LetterContent,
    answer_values,
    draw_letter,
    fill,
    letter_number,
    local_date,
)
from serang_app.modules.permits.schemas import Agency, Application, Verification
from serang_app.modules.permits.shapes import permit_status, verification_url
from serang_app.modules.permits.versions import ServiceVersion, filed_version

# Holders are reminded this long before a permit ends (permits valid for less are not reminded:
# the reminder would come on the day it is issued).
REMIND_BEFORE = timedelta(days=30)
REMINDER = "permits.expiring"

# The letter's title as the version it was filed under names it.
_ISSUED = """
SELECT i.number, i.holder_name, i.issued_at, i.expires_at, i.verification_code, i.revoked_at,
       coalesce(v.body->'letter'->'title', v.body->'title') AS title, a.type_code, a.definition_version,
       a.answers, c.opd_code, o.name AS opd_name
FROM permits.issued i
JOIN permits.applications a ON a.id = i.application_id
JOIN permits.definition_versions v ON v.code = a.type_code AND v.version = a.definition_version
JOIN core.cases c ON c.id = i.case_id
JOIN core.opds o ON o.code = c.opd_code
"""
# The public check, by the code in the QR: one row by a unique index.
VERIFY = _ISSUED + "WHERE i.verification_code = $1"


async def issue(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID, base_url: str
) -> Application:
    """Inside a transaction: the number (the version's pattern, counted per pattern and year), the
    validity from now, a random verification code; the applicant is told."""
    row = await visible_application(connection, actor, application_id)
    kind = await filed_version(connection, row["type_code"], row["definition_version"])
    letter = kind.letter
    if letter is None:
        # A decision is done when approved; an appointment is booked, not issued.
        raise ApiError(409, "permits_no_letter")
    holder = await connection.fetchval("SELECT name FROM core.residents WHERE id = $1", row["resident_id"])
    if not is_real_name(holder):
        # A permit printed to `-` names nobody: the applicant completes the profile's name first.
        raise ApiError(409, "permits_holder_name_missing", params={"field": "name"}, extra={"field": "name"})
    await take_action(engine, connection, actor, row["case_id"], "issue", expected_version=None)
    now = datetime.now(UTC)
    # Numbered per local year: a permit issued at 00:30 WITA on 1 January is the new year's.
    local = now.astimezone(engine.zone)
    seq = await connection.fetchval(NEXT_SEQ, letter.number_pattern, local.year)
    number = letter_number(letter.number_pattern, seq, local, kind.opd_code, kind.code)
    expires_at = now + timedelta(days=letter.validity_days) if letter.validity_days else None
    await connection.execute(
        """INSERT INTO permits.issued (case_id, application_id, number, holder_name, issued_at, expires_at,
                                      verification_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        row["case_id"],
        application_id,
        number,
        holder,
        now,
        expires_at,
        # 96 random bits: unguessable, short enough for a QR code a phone reads at a glance.
        secrets.token_urlsafe(12),
    )
    if expires_at is not None and expires_at - REMIND_BEFORE > now:
        # A scheduled notification: in the inbox and pushed from then (notifications/delivery.py).
        await notify_resident(
            connection,
            row["resident_id"],
            row["case_id"],
            source="permits",
            template=REMINDER,
            params={"reference": row["reference"], "number": number},
            at=expires_at - REMIND_BEFORE,
        )
    return await read_application(connection, actor, application_id, base_url)


async def revoke(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    application_id: uuid.UUID,
    reason: str,
    base_url: str,
) -> Application:
    row = await visible_application(connection, actor, application_id)
    await take_action(engine, connection, actor, row["case_id"], "revoke", expected_version=None, note=reason)
    await connection.execute(
        "UPDATE permits.issued SET revoked_at = now(), revoke_reason = $2 WHERE case_id = $1", row["case_id"], reason
    )
    # A revoked permit does not expire: its reminder, not yet due, goes (its push job with it).
    await cancel_scheduled_notifications(connection, row["case_id"], [REMINDER])
    return await read_application(connection, actor, application_id, base_url)


async def verify(connection: asyncpg.Connection, code: str) -> Verification:
    """What a third party needs, and nothing more: never the documents or the answers."""
    row = await connection.fetchrow(VERIFY, code)
    if row is None:
        raise ApiError(404)
    return Verification(
        status=permit_status(row["revoked_at"], row["expires_at"]),
        permit_type=msgspec.convert(row["title"], Text),
        number=row["number"],
        holder=mask_name(row["holder_name"]),
        issued_at=row["issued_at"],
        expires_at=row["expires_at"],
        issuing_agency=Agency(code=row["opd_code"], name=row["opd_name"]),
    )


def mask_name(name: str) -> str:
    """Siti Aminah -> S*** A*****: enough to match a face to a permit, not to learn a name."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


async def permit_pdf(
    connection: asyncpg.Connection,
    actor: CaseActor,
    application_id: uuid.UUID,
    base_url: str,
    zone: ZoneInfo,
    head: Letterhead,
    state: State,
) -> bytes:
    """The issued letter (a permit is one) for its holder (and the agency), drawn from the version
    it was filed under. Before it is issued the application is there and the letter is not: 409
    `permits_not_issued`, which the app can explain."""
    row = await visible_application(connection, actor, application_id)
    issued = await connection.fetchrow(_ISSUED + "WHERE i.application_id = $1", application_id)
    if issued is None:
        raise ApiError(409, "permits_not_issued")
    kind = await filed_version(connection, issued["type_code"], issued["definition_version"])
    reference = str(row["reference"])
    values = {
        **answer_values(kind.fields, issued["answers"]),
        "resident.name": issued["holder_name"],
        "number": issued["number"],
        "reference": reference,
        "issued_date": local_date(issued["issued_at"], zone),
        "valid_until": local_date(issued["expires_at"], zone) if issued["expires_at"] else "-",
        "agency.name": issued["opd_name"],
    }
    if _names_nik(kind):
        applicant = await applicant_of(connection, row["resident_id"], nik_from=state)
        values["resident.nik"] = (applicant.nik if applicant else None) or "-"
    content = _content(kind, issued, values, verification_url(base_url, issued["verification_code"]))
    # Embedding the font's glyphs takes tens of milliseconds of CPU: not on the event loop.
    return await asyncio.to_thread(draw_letter, content, zone, head)


def _names_nik(kind: ServiceVersion) -> bool:
    letter = kind.letter
    return letter is not None and "{resident.nik}" in f"{letter.body.id}{letter.body.en or ''}"


def _content(kind: ServiceVersion, issued: asyncpg.Record, values: dict[str, str], url: str) -> LetterContent:
    letter = kind.letter
    title = msgspec.convert(issued["title"], Text)
    return LetterContent(
        title=title.id,
        number=issued["number"],
        holder=issued["holder_name"],
        issued_at=issued["issued_at"],
        expires_at=issued["expires_at"],
        reference=values["reference"],
        # A permit type prints its table only, as before definitions.
        body=fill(letter.body.id, values) if letter is not None and kind.permit_prefix is None else None,
        signatory=letter.signatory if letter is not None else None,
        verification_url=url,
        agency_name=issued["opd_name"],
    )
