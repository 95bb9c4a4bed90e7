"""Issuing, revoking and verifying permits, and the permit as a PDF with its QR code."""

from __future__ import annotations

import asyncio
import io
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
import segno

from serang_app.api import (
    PDF_FONT,
    ApiError,
    CaseActor,
    CaseEngine,
    Letterhead,
    PdfDocument,
    Text,
    cancel_scheduled_notifications,
    draw_letterhead,
    is_real_name,
    notify_resident,
    take_action,
)
from serang_app.modules.permits.applications import read_application, visible_application
from serang_app.modules.permits.schemas import Agency, Application, Verification
from serang_app.modules.permits.shapes import permit_status, verification_url
from serang_app.modules.permits.types import permit_type

# Holders are reminded this long before a permit ends (permits valid for less are not reminded:
# the reminder would come on the day it is issued).
REMIND_BEFORE = timedelta(days=30)
REMINDER = "permits.expiring"

_NEXT_NUMBER = """
INSERT INTO permits.number_counters (prefix, year, last_value) VALUES ($1, $2, 1)
ON CONFLICT (prefix, year) DO UPDATE SET last_value = permits.number_counters.last_value + 1
RETURNING last_value
"""
_ISSUED = """
SELECT i.number, i.holder_name, i.issued_at, i.expires_at, i.verification_code, i.revoked_at,
       t.title, t.number_prefix, c.opd_code, o.name AS opd_name
FROM permits.issued i
JOIN permits.applications a ON a.id = i.application_id
JOIN permits.types t ON t.code = a.type_code
JOIN core.cases c ON c.id = i.case_id
JOIN core.opds o ON o.code = c.opd_code
"""
# The public check, by the code in the QR: one row by a unique index.
VERIFY = _ISSUED + "WHERE i.verification_code = $1"


async def issue(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, application_id: uuid.UUID, base_url: str
) -> Application:
    """Inside a transaction: the number (per type and year), the validity from now, a random
    verification code; the applicant is told."""
    row = await visible_application(connection, actor, application_id)
    kind = await permit_type(connection, row["type_code"])
    assert kind is not None
    holder = await connection.fetchval("SELECT name FROM core.residents WHERE id = $1", row["resident_id"])
    if not is_real_name(holder):
        # A permit printed to `-` names nobody: the applicant completes the profile's name first.
        raise ApiError(409, "permits_holder_name_missing", params={"field": "name"}, extra={"field": "name"})
    await take_action(engine, connection, actor, row["case_id"], "issue", expected_version=None)
    now = datetime.now(UTC)
    # Numbered per local year: a permit issued at 00:30 WITA on 1 January is the new year's.
    year = now.astimezone(engine.zone).year
    prefix = kind.number_prefix
    number = await connection.fetchval(_NEXT_NUMBER, prefix, year)
    expires_at = now + timedelta(days=kind.validity_days) if kind.validity_days else None
    await connection.execute(
        """INSERT INTO permits.issued (case_id, application_id, number, holder_name, issued_at, expires_at,
                                      verification_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        row["case_id"],
        application_id,
        f"{prefix}/{year}/{number:06d}",
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
            params={"reference": row["reference"], "number": f"{prefix}/{year}/{number:06d}"},
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
) -> bytes:
    """The issued permit for its holder (and the agency). Before it is issued the application is
    there and the permit is not: 409 `permits_not_issued`, which the app can explain."""
    row = await visible_application(connection, actor, application_id)
    issued = await connection.fetchrow(_ISSUED + "WHERE i.application_id = $1", application_id)
    if issued is None:
        raise ApiError(409, "permits_not_issued")
    url = verification_url(base_url, issued["verification_code"])
    # Embedding the font's glyphs takes tens of milliseconds of CPU: not on the event loop.
    return await asyncio.to_thread(_drawn, issued, str(row["reference"]), url, zone, head)


def _drawn(issued: asyncpg.Record, reference: str, url: str, zone: ZoneInfo, head: Letterhead) -> bytes:
    title = msgspec.convert(issued["title"], Text)
    pdf = PdfDocument()
    pdf.set_title(f"{title.id} {issued['number']}")
    pdf.add_page()
    # The letterhead names the agency that handled the case, as the verification page does.
    draw_letterhead(pdf, head, issued["opd_name"])
    pdf.set_font(PDF_FONT, "B", 14)
    pdf.cell(0, 10, title.id.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(PDF_FONT, "", 12)
    lines = [
        ("Nomor", issued["number"]),
        ("Nama pemegang", issued["holder_name"]),
        ("Terbit", _date(issued["issued_at"], zone)),
        ("Berlaku sampai", _date(issued["expires_at"], zone) if issued["expires_at"] else "Tidak terbatas"),
        ("Permohonan", reference),
    ]
    pdf.ln(6)
    for label, value in lines:
        pdf.cell(50, 8, label)
        pdf.cell(0, 8, f": {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, f"Periksa keaslian izin ini dengan memindai kode QR atau membuka {url}")
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=8, border=4)
    qr.seek(0)
    pdf.image(qr, x=70, w=70)
    return bytes(pdf.output())


def _date(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d-%m-%Y")
