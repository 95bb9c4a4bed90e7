"""Loaded by schemathesis in the contract test (SCHEMATHESIS_HOOKS).

Schemathesis draws Idempotency-Key values from a small space ("0", "00", ...) and so sends the
same key with many different requests. The API answers those, correctly, with 422
`idempotency_key_reused`, which schemathesis then reads as the server refusing valid input.
A real client makes a new key for each new request: so does this hook, for every key that is
valid (a malformed one is left as it is, since refusing it is what a negative case tests).

A complaint names things only the server knows: a category from GET /v1/complaints/categories,
a district of the regency, the resident's own uploads, the category's questions, and a pin inside
the regency's boundary (the schema's bounds are Indonesia's). Drawn from the schema alone they
almost never exist, and the API rightly refuses nearly every draft. A real client fills them from
the server's lists and the phone's position, and so does this hook for schema-valid drafts: a
drawn pin outside the regency becomes one in Kramatwatu, and the district the pin's. The free
parts (the description, a pin already inside, the flags) stay as drawn. The refusals themselves
are tested in tests/modules/complaints/test_complaints.py and tests/modules/complaints/test_complaint_places.py.

A booking names a slot the server offers: a service and a place from GET
/v1/appointments/services and /places, and the start of one of their slots inside the booking
window. This hook books the seeded KTP-el recording at the Disdukcapil office, at 08:00 WIB of the
third day from now (or the next weekday), as the app would from GET /v1/appointments/slots; the
refusals are tested in tests/modules/appointments/test_appointments.py.

Likewise If-Match on a case action names the version the client last saw; a drawn value names
one the case never had, and the API rightly answers 412. A client that did not load the case
may send `*` (any version), which is what this hook sends; tests/test_cases.py tests 412 and 428.

An upload's purpose decides who may upload and which types it takes (uploads/purposes.py): the
signed-in resident of this run may not upload a staff member's case proof, nor a PDF as a
complaint photo, and is rightly refused. A real app picks a purpose its user has and a type it
takes; this hook makes such a drawn pair the resident's general document, which takes every type.
tests/test_uploads.py tests the refusals.

Signing in names the privacy policy the app showed, the current one (its text ships with the
app); any other string is rightly refused with 422 `consent_outdated`. This hook sends the current
version where a string was drawn; tests/test_resident_shapes.py tests the refusal.

An app sends its own version in X-App-Version, one the server still supports; a drawn one is
mostly older than the minimum and rightly answered 426. This hook sends a supported version where
a valid one was drawn; tests/test_app_config.py tests the gate.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta
from typing import Any

import schemathesis
from schemathesis.generation.meta import CoverageScenario

from serang_app.auth.schemas import CURRENT_PRIVACY_POLICY
from serang_app.cases.calendar import JAKARTA
from serang_app.modules.appointments.timetable import public_holiday
from serang_app.regions.boundaries import region_area
from serang_app.uploads.purposes import PURPOSES

_KEY_HEADER = "Idempotency-Key"
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_REGENCY = region_area("36.04", None)
_KRAMATWATU = (-6.05, 106.1)
_VALID_KEY = re.compile(r"^[!-~]{1,255}$")
_VERSION_HEADER = "X-App-Version"
_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*$")
_SUPPORTED_VERSION = "999.0.0"
_SIGN_INS = ("/v1/auth/dev", "/v1/auth/firebase")
_IF_MATCH_MAX = 20  # the maxLength of If-Match in the document


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """The fuzzing and stateful phases."""
    return _fresh_key(headers) if headers else headers


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    """The coverage phase, which does not pass through map_headers. Its cases that test a missing
    header are left untouched: schemathesis sends those with their headers exactly as drawn."""
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    if getattr(data, "scenario", None) == CoverageScenario.MISSING_PARAMETER:
        return
    if case.headers:
        case.headers = _fresh_key(case.headers)
    case.body = _as_a_real_client_sends_it(case.method, case.path, case.body)


def _fresh_key(headers: dict[str, Any]) -> dict[str, Any]:
    key = headers.get(_KEY_HEADER)
    if isinstance(key, str) and _VALID_KEY.match(key):
        headers = {**headers, _KEY_HEADER: uuid.uuid4().hex}
    # Only a value the schema allows (1-20 characters) stands for "the version I last saw"; a
    # value drawn to break the schema is sent as drawn, for the server to refuse.
    if isinstance(headers.get("If-Match"), str) and 1 <= len(headers["If-Match"]) <= _IF_MATCH_MAX:
        headers = {**headers, "If-Match": "*"}
    if isinstance(headers.get(_VERSION_HEADER), str) and _VERSION.match(headers[_VERSION_HEADER]):
        headers = {**headers, _VERSION_HEADER: _SUPPORTED_VERSION}
    return headers


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    operation = getattr(context, "operation", None)
    return _as_a_real_client_sends_it(getattr(operation, "method", ""), getattr(operation, "path", ""), body)


def _as_a_real_client_sends_it(method: str, path: str, body: Any) -> Any:
    if method.upper() != "POST":
        return body
    if path == "/v1/complaints":
        return _as_a_real_client_files_it(body)
    if path == "/v1/appointments":
        return _as_a_real_client_books_it(body)
    if path == "/v1/uploads":
        return _as_a_resident_uploads_it(body)
    if path in _SIGN_INS and isinstance(body, dict) and isinstance(body.get("consent_policy_version"), str):
        return {**body, "consent_policy_version": CURRENT_PRIVACY_POLICY}
    if path == "/v1/appointments/{booking_id}/reschedule" and isinstance(body, dict) and "starts_at" in body:
        return {**body, "starts_at": _an_offered_slot(days_ahead=4)}
    return body


def _as_a_resident_uploads_it(body: Any) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("purpose"), str):
        return body
    purpose = PURPOSES.get(body["purpose"])
    if purpose is None or ("resident" in purpose.roles and body.get("content_type") in purpose.content_types):
        return body
    return {**body, "purpose": "resident_document"}


def _as_a_real_client_books_it(body: Any) -> Any:
    if not isinstance(body, dict) or not all(name in body for name in ("service_code", "place_code", "starts_at")):
        return body
    return {
        **body,
        "service_code": "ktp_recording",
        "place_code": "disdukcapil_office",
        "starts_at": _an_offered_slot(),
    }


def _an_offered_slot(days_ahead: int = 3) -> str:
    """08:00 WIB on a weekday `days_ahead` days or more from now that is no public holiday."""
    day = datetime.now(JAKARTA).date() + timedelta(days=days_ahead)
    while day.weekday() >= 4 or public_holiday(day) is not None:  # Friday's hours differ, weekends closed
        day += timedelta(days=1)
    return datetime.combine(day, time(8, 0), JAKARTA).isoformat()


def _as_a_real_client_files_it(body: Any) -> Any:
    if not isinstance(body, dict) or not _CATEGORY.match(str(body.get("category", ""))):
        return body
    # A listed category whose questions are all optional and which needs no photo.
    filled = {**body, "category": "street_lights", "attributes": {}, "photo_upload_ids": []}
    latitude, longitude = filled.get("latitude"), filled.get("longitude")
    if not (isinstance(latitude, (int, float)) and isinstance(longitude, (int, float))):
        return filled  # a pin drawn to break the schema is sent as drawn
    place = _REGENCY.place(latitude, longitude)
    if place is None:
        filled["latitude"], filled["longitude"] = _KRAMATWATU
        place = _REGENCY.place(*_KRAMATWATU)
    assert place is not None
    if isinstance(filled.get("district_code"), str):  # left out, it is found from the pin
        filled["district_code"] = place.district_code
    filled.pop("village_code", None)
    return filled
