"""The letter an application ends with: its number from the definition's pattern, its text with
the placeholders filled, and the PDF (letterhead, the table of what it is, the text, the
signatory, the QR code of its verification URL). Permits are letters without text or signatory.

`{resident.nik}` is filled only inside the PDF, which only the applicant and the agency download;
never in the verification page, the JSON or the logs."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import segno

from serang_app.api import PDF_FONT, AttributeAnswer, Letterhead, draw_letterhead
from serang_app.modules.permits.definition import ServiceField, Signatory
from serang_app.modules.permits.definition_checks import PLACEHOLDER

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
SEQ_DIGITS = 6
NEXT_SEQ = """
INSERT INTO permits.letter_counters (pattern, year, last_value) VALUES ($1, $2, 1)
ON CONFLICT (pattern, year) DO UPDATE SET last_value = permits.letter_counters.last_value + 1
RETURNING last_value
"""


def letter_number(pattern: str, seq: int, local: datetime, agency: str, code: str) -> str:
    """`400.9/{seq}/DINSOS/{month_roman}/{year}` -> `400.9/000012/DINSOS/XII/2026`."""
    tokens = {
        "seq": f"{seq:0{SEQ_DIGITS}d}",
        "year": f"{local.year}",
        "month": f"{local.month:02d}",
        "month_roman": ROMAN_MONTHS[local.month - 1],
        "agency": agency,
        "code": code,
    }
    return PLACEHOLDER.sub(lambda match: tokens.get(match.group(1), match.group(0)), pattern)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Each known {placeholder} replaced; the definition was checked for unknown ones when saved."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def answer_values(fields: list[ServiceField], answers: Mapping[str, AttributeAnswer]) -> dict[str, str]:
    """`answer.<code>` for every field: a choice by its Indonesian name, a number without `.0`,
    an unanswered (or hidden) one as `-`."""
    values = {}
    for field in fields:
        names = {choice.key: choice.name.id for choice in field.values}
        answer = answers.get(field.code)
        if answer is None:
            shown = "-"
        elif isinstance(answer, list):
            shown = ", ".join(names.get(key, key) for key in answer)
        elif isinstance(answer, float):
            shown = f"{int(answer)}" if answer.is_integer() else f"{answer}"
        else:
            shown = names.get(answer, answer)
        values[f"answer.{field.code}"] = shown
    return values


@dataclass(frozen=True, slots=True, kw_only=True)
class LetterContent:
    title: str
    number: str
    holder: str
    issued_at: datetime
    expires_at: datetime | None
    reference: str
    # The filled text; None for a permit, which prints only its table.
    body: str | None
    signatory: Signatory | None
    verification_url: str
    agency_name: str
    # An admin's preview of a draft: marked so it is never taken for a letter.
    sample: bool = False


def draw_letter(letter: LetterContent, zone: ZoneInfo, head: Letterhead) -> bytes:
    # Here, not at the top: fpdf2 is imported by the processes that write a letter, not by every
    # start of the app (serang_app/pdf/font.py).
    from serang_app.api import PdfDocument

    pdf = PdfDocument()
    pdf.set_title(f"{letter.title} {letter.number}")
    pdf.add_page()
    # The letterhead names the agency that handled the case, as the verification page does.
    draw_letterhead(pdf, head, letter.agency_name)
    pdf.set_font(PDF_FONT, "B", 14)
    if letter.sample:
        pdf.cell(0, 8, "CONTOH - SAMPLE", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, letter.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(PDF_FONT, "", 12)
    lines = [
        ("Nomor", letter.number),
        ("Nama pemegang", letter.holder),
        ("Terbit", local_date(letter.issued_at, zone)),
        ("Berlaku sampai", local_date(letter.expires_at, zone) if letter.expires_at else "Tidak terbatas"),
        ("Permohonan", letter.reference),
    ]
    pdf.ln(6)
    for label, value in lines:
        pdf.cell(50, 8, label)
        pdf.cell(0, 8, f": {value}", new_x="LMARGIN", new_y="NEXT")
    if letter.body:
        pdf.ln(4)
        pdf.multi_cell(0, 6, letter.body, new_x="LMARGIN", new_y="NEXT")
    if letter.signatory is not None:
        pdf.ln(6)
        for text in (
            local_date(letter.issued_at, zone),
            letter.signatory.title,
            "",
            "",
            letter.signatory.name,
            f"NIP {letter.signatory.nip}",
        ):
            pdf.cell(0, 6, text, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, f"Periksa keaslian dokumen ini dengan memindai kode QR atau membuka {letter.verification_url}")
    qr = io.BytesIO()
    segno.make(letter.verification_url, error="m").save(qr, kind="png", scale=8, border=4)
    qr.seek(0)
    pdf.image(qr, x=80, w=50 if letter.body else 70)
    return bytes(pdf.output())


def local_date(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d-%m-%Y")
