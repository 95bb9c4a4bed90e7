"""The verification page the QR code opens: the same facts as the JSON answer, for a person with
a phone's browser, in Indonesian or English.

Everything shown is escaped (`html.escape`): the holder's name and the agency's name are typed by
people. The page loads nothing: its one style sheet is inline, allowed by its hash in the
Content-Security-Policy, which forbids everything else (scripts, images, fonts, frames, forms).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from serang_app.api import DeploymentIdentity, Text
from serang_app.modules.permits.schemas import Verification

_STYLE = (
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f4f6f8;color:#1b1f23}"
    "main{max-width:34rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.25rem;margin:0 0 .75rem}"
    ".status{border-radius:.5rem;padding:.75rem 1rem;font-weight:700;font-size:1.1rem;margin-bottom:1rem}"
    ".valid{background:#dcf5e3;color:#0b5d23}.expired{background:#fff1cc;color:#6b4a00}"
    ".revoked{background:#fde0df;color:#8a1510}"
    "dl{background:#fff;border-radius:.5rem;padding:.5rem 1rem;margin:0}"
    "dt{font-size:.85rem;color:#57606a;margin-top:.5rem}dd{margin:0 0 .5rem;font-size:1.05rem;overflow-wrap:anywhere}"
    "p{font-size:.85rem;color:#57606a}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
# Nothing may load but the inline style sheet above; the page may not be framed or post anywhere.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

_HEADING = Text(id="Verifikasi izin", en="Permit verification")
_STATUS = {
    "valid": Text(id="Izin ini sah dan berlaku", en="This permit is genuine and valid"),
    "expired": Text(id="Izin ini sah tetapi sudah tidak berlaku", en="This permit is genuine but has expired"),
    "revoked": Text(id="Izin ini telah dicabut", en="This permit has been revoked"),
}
_LABELS = {
    "type": Text(id="Jenis izin", en="Permit type"),
    "number": Text(id="Nomor izin", en="Permit number"),
    "agency": Text(id="Diterbitkan oleh", en="Issued by"),
    "holder": Text(id="Pemegang izin", en="Holder"),
    "from": Text(id="Berlaku sejak", en="Valid from"),
    "until": Text(id="Berlaku sampai", en="Valid until"),
}
_NO_END = Text(id="Tidak terbatas", en="No end date")
_MASKED = Text(
    id="Nama pemegang disamarkan untuk melindungi data pribadi; cocokkan dengan dokumen aslinya.",
    en="The holder's name is masked to protect personal data; compare it with the original document.",
)
# {government}: the deployment's (identity_of), never a name written here.
_NOT_FOUND = Text(
    id="Kode verifikasi ini tidak dikenal. Izin dengan kode ini tidak diterbitkan oleh {government}.",
    en="This verification code is unknown. No permit with this code was issued by the {government}.",
)
_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def government(identity: DeploymentIdentity) -> Text:
    """The government the page speaks for: "Pemerintah Kabupaten Pandeglang" / "Pandeglang Regency
    Government" (the English from the region's name, as SERANG_DEPLOYMENT_NAME is Indonesian)."""
    return Text(id=identity.government_name, en=f"{identity.region_name_en} Government")


def verification_page(verification: Verification, locale: str, zone: ZoneInfo, identity: DeploymentIdentity) -> str:
    """The page for a known code, dates as days in the region's zone."""
    until = verification.expires_at
    rows = [
        ("type", verification.permit_type.in_locale(locale)),
        ("number", verification.number),
        ("agency", verification.issuing_agency.name),
        ("holder", verification.holder),
        ("from", _day(verification.issued_at, locale, zone)),
        ("until", _day(until, locale, zone) if until is not None else _NO_END.in_locale(locale)),
    ]
    details = "".join(
        f'<dt>{escape(_LABELS[key].in_locale(locale))}</dt><dd id="{key}">{escape(value)}</dd>' for key, value in rows
    )
    body = (
        f'<div class="status {verification.status}" id="status">{escape(_STATUS[verification.status].in_locale(locale))}'
        f"</div><dl>{details}</dl><p>{escape(_MASKED.in_locale(locale))}</p>"
    )
    return _page(locale, body, identity)


def not_found_page(locale: str, identity: DeploymentIdentity) -> str:
    text = _NOT_FOUND.in_locale(locale).format(government=government(identity).in_locale(locale))
    return _page(locale, f'<div class="status revoked" id="status">{escape(text)}</div>', identity)


def _page(locale: str, body: str, identity: DeploymentIdentity) -> str:
    heading = escape(_HEADING.in_locale(locale))
    return (
        f'<!DOCTYPE html><html lang="{escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{heading}</title><style>{_STYLE}</style></head>"
        f"<body><main><p>{escape(government(identity).in_locale(locale))}</p><h1>{heading}</h1>{body}</main></body></html>"
    )


def _day(moment: datetime, locale: str, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {_MONTHS[locale][local.month - 1]} {local.year}"
