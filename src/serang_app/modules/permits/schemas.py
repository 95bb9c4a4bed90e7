"""What the permits API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from serang_app.api import MULTILINE_TEXT, Attribute, AttributeAnswer, LocalText, LongLocalText, Text

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"
TypeCode = Annotated[str, msgspec.Meta(pattern=CODE_PATTERN, examples=["business_certificate"])]
DocumentCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
FieldCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
OpdCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]{1,31}$", examples=["DPMPTSP"])]
NumberPrefix = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2,8}$", examples=["SKU"])]
SlaDays = Annotated[int, msgspec.Meta(ge=1, le=90)]
ValidityDays = Annotated[int, msgspec.Meta(ge=1, le=3650, description="Days an issued permit is valid.")]
SortOrder = Annotated[int, msgspec.Meta(ge=0, le=10000)]
MAX_FIELDS = 30
MAX_DOCUMENTS = 15
DocumentKind = Literal["pdf", "image"]
VerificationStatus = Literal["valid", "expired", "revoked"]


class DocumentRequirement(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: DocumentCode
    title: LocalText
    kinds: Annotated[list[DocumentKind], msgspec.Meta(min_length=1, max_length=2)]
    required: bool = True


class PermitType(msgspec.Struct, kw_only=True):
    code: str
    title: Text
    description: Text
    opd_code: str
    sla_days: int
    validity_days: int | None
    needs_supervisor: bool
    fields: list[Attribute]
    documents: list[DocumentRequirement]
    number_prefix: str
    is_active: bool
    sort_order: int


class PermitTypeDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new permit type. `number_prefix` starts its permit numbers (`SKU/2026/000001`)."""

    code: TypeCode
    title: LocalText
    description: LongLocalText
    opd_code: OpdCode
    sla_days: SlaDays
    validity_days: ValidityDays | None = None
    needs_supervisor: bool = False
    fields: Annotated[list[Attribute], msgspec.Meta(max_length=MAX_FIELDS)] = []
    documents: Annotated[list[DocumentRequirement], msgspec.Meta(max_length=MAX_DOCUMENTS)] = []
    number_prefix: NumberPrefix
    is_active: bool = True
    sort_order: SortOrder = 100


class PermitTypeChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change; `validity_days: null` makes permits issued from now on valid
    without end. The code and the number prefix never change: applications and issued permits keep
    them. A changed form or document list applies to applications submitted from now on."""

    title: LocalText | msgspec.UnsetType = msgspec.UNSET
    description: LongLocalText | msgspec.UnsetType = msgspec.UNSET
    opd_code: OpdCode | msgspec.UnsetType = msgspec.UNSET
    sla_days: SlaDays | msgspec.UnsetType = msgspec.UNSET
    validity_days: ValidityDays | msgspec.UnsetType | None = msgspec.UNSET
    needs_supervisor: bool | msgspec.UnsetType = msgspec.UNSET
    fields: Annotated[list[Attribute], msgspec.Meta(max_length=MAX_FIELDS)] | msgspec.UnsetType = msgspec.UNSET
    documents: Annotated[list[DocumentRequirement], msgspec.Meta(max_length=MAX_DOCUMENTS)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    sort_order: SortOrder | msgspec.UnsetType = msgspec.UNSET


class PermitTypeList(msgspec.Struct, kw_only=True):
    items: list[PermitType]


class NewApplication(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    type_code: TypeCode


class AnswerChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Answers to set; `null` clears one. Checked in full when the application is submitted."""

    answers: Annotated[dict[FieldCode, AttributeAnswer | None], msgspec.Meta(max_length=50)]


class DocumentChoice(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # A completed `permit_document` upload of the applicant's own.
    upload_id: uuid.UUID


class Titled(msgspec.Struct, kw_only=True):
    """A field or document of the permit type, by code and with its title in both languages."""

    code: str
    title: Text


class RevisionAsked(msgspec.Struct, kw_only=True):
    """The revision the agency asked for, while it is open: the note, and what to fix with the
    titles the form shows (the app needs no second call to name them)."""

    note: str
    fields: list[Titled]
    documents: list[Titled]


class Agency(msgspec.Struct, kw_only=True):
    code: str
    name: str


class IssuedPermit(msgspec.Struct, kw_only=True):
    """The permit as issued: what the PDF prints, so the app shows it without reading the PDF."""

    number: str
    status: VerificationStatus
    valid_from: datetime
    # None: valid without end.
    valid_until: datetime | None
    issuing_agency: Agency
    # The page the QR code opens (HTML for people, JSON for machines), on the configured public origin.
    verification_url: str


class AppointmentBooking(msgspec.Struct, kw_only=True):
    """Where the approved applicant books the appointment the service ends with: the appointments
    module's service, and its routes (paths on this API) in the order the app follows them."""

    service: str
    # The offices offering it (`GET`; keep those whose `services` hold it).
    places: str
    # Its free slots (`GET`, adding `place`, `from` and `to`).
    slots: str
    # Booking one (`POST` with `service_code`, `place_code` and the slot's `starts_at`).
    book: str


class Application(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    # The service (a permit type is one): a definition's code.
    type_code: str
    # draft until submitted; then the case's status.
    status: str
    answers: dict[str, AttributeAnswer]
    # document code -> upload id
    documents: dict[str, uuid.UUID]
    case_id: uuid.UUID | None
    reference: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    # While a revision is asked for: what to fix.
    revision: RevisionAsked | None = None
    # Once issued.
    permit: IssuedPermit | None = None
    # The version of the service it was filed under (its form, letter and PDF); None for a draft,
    # which follows the latest published version.
    definition_version: int | None = None
    # Once approved, for a service ending with an appointment: the appointments module's service
    # the resident books next (`GET /v1/appointments/slots?service=...`).
    appointment_service: str | None = None
    # The same, with the routes the app follows to book it (appointment_service stays for apps
    # that read it).
    appointment_booking: AppointmentBooking | None = None


class ApplicationPage(msgspec.Struct, kw_only=True):
    items: list[Application]
    next_cursor: str | None


class RevisionRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What the applicant must fix: fields and documents by code, and a note."""

    note: Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, min_length=1, max_length=2000)]
    fields: Annotated[list[FieldCode], msgspec.Meta(max_length=50)] = []
    documents: Annotated[list[DocumentCode], msgspec.Meta(max_length=50)] = []


class RevokeRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, min_length=1, max_length=2000)]


class Verification(msgspec.Struct, kw_only=True):
    """What anyone holding a permit's code learns: whether it stands, what it is, its number and
    validity, and the holder's name masked. Never the documents, the answers or the address."""

    status: VerificationStatus
    permit_type: Text
    number: str
    holder: str
    issued_at: datetime
    expires_at: datetime | None
    issuing_agency: Agency
