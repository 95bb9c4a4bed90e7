"""A service definition as admins write it and as it travels between deployments: one JSON file
(`serang-service-definition/1`, docs/services.md). The shapes here bound every list and text;
definition_checks.py names what the shapes cannot (codes used twice, unknown placeholders)."""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec

from serang_app.api import DISPLAY_NAME, MULTILINE_TEXT, PLAIN_TEXT, Attribute, LocalText, LongLocalText, Text
from serang_app.modules.permits.schemas import (
    CODE_PATTERN,
    Agency,
    DocumentRequirement,
    FieldCode,
    OpdCode,
    SlaDays,
    SortOrder,
)

FORMAT: Final = "serang-service-definition/1"
MAX_FIELDS = 60
MAX_DOCUMENTS = 20
MAX_CHOICES = 20
MAX_LETTER_BODY = 10_000
MAX_FILE_BYTES = 256 * 1024

ServiceCode = Annotated[str, msgspec.Meta(pattern=CODE_PATTERN, examples=["dinsos_pbi_recommendation"])]
Eligibility = Literal["any_resident", "regency_resident", "nik_on_file"]
Approval = Literal["officer", "supervisor"]
Outcome = Literal["decision", "letter", "appointment"]
Requirement = Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, min_length=1, max_length=4000)]
LetterText = Annotated[str, msgspec.Meta(pattern=MULTILINE_TEXT, min_length=1, max_length=MAX_LETTER_BODY)]
NumberPattern = Annotated[
    str, msgspec.Meta(pattern=PLAIN_TEXT, max_length=120, examples=["400.9/{seq}/DINSOS/{month_roman}/{year}"])
]
SignatoryName = Annotated[str, msgspec.Meta(pattern=DISPLAY_NAME, max_length=120)]
SignatoryTitle = Annotated[str, msgspec.Meta(pattern=PLAIN_TEXT, max_length=160)]
# NIP: the 18-digit civil-servant number.
Nip = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{18}$")]
ValidityDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]


class ShownWhen(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The field is shown (and may be required) only while the list field `field` holds one of
    `values`."""

    field: FieldCode
    values: Annotated[list[FieldCode], msgspec.Meta(min_length=1, max_length=MAX_CHOICES)]


class ServiceField(Attribute, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """A question of the form (serang_app.forms), perhaps shown only after another answer."""

    shown_when: ShownWhen | None = None


class ServiceWorkflow(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The template: who approves, whether the officer may send it back for a revision, and what
    the applicant gets at the end (a decision, a numbered letter, an appointment booked)."""

    approval: Approval
    revisions: bool
    outcome: Outcome


class AppointmentLink(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # The appointments module's service the approved applicant books (to collect, for biometrics).
    service: ServiceCode


class Requirements(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Requirement
    en: Requirement


class LetterBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """The letter's text with {placeholders}; Indonesian always, English when the agency writes one."""

    id: LetterText
    en: LetterText | None = None


class Signatory(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: SignatoryName
    title: SignatoryTitle
    nip: Nip


class LetterTemplate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: LocalText
    body: LetterBody
    # None: no signature block (the permit types, which print none).
    signatory: Signatory | None
    number_pattern: NumberPattern
    # None: valid without end.
    validity_days: ValidityDays | None


class DefinitionFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One service, whole: exactly these keys (docs/services.md)."""

    format: Literal["serang-service-definition/1"]
    code: ServiceCode
    title: LocalText
    description: LongLocalText
    agency: OpdCode
    eligibility: Eligibility
    requirements: Requirements
    fields: Annotated[list[ServiceField], msgspec.Meta(max_length=MAX_FIELDS)]
    documents: Annotated[list[DocumentRequirement], msgspec.Meta(max_length=MAX_DOCUMENTS)]
    workflow: ServiceWorkflow
    appointment: AppointmentLink | None
    sla_days: SlaDays
    letter: LetterTemplate | None
    sort_order: SortOrder


class PublishedService(msgspec.Struct, kw_only=True):
    """A published service as the app renders its form: the latest version (applications keep
    the one they were filed under)."""

    code: str
    version: int
    title: Text
    description: Text
    agency: Agency
    eligibility: Eligibility
    requirements: Text
    fields: list[ServiceField]
    documents: list[DocumentRequirement]
    workflow: ServiceWorkflow
    appointment: AppointmentLink | None
    sla_days: int
    is_open: bool


class PublishedServiceList(msgspec.Struct, kw_only=True):
    items: list[PublishedService]


class AdminDefinition(msgspec.Struct, kw_only=True):
    """A definition as its admins see it: the draft being edited, the latest published version,
    whether it is closed."""

    code: str
    draft: DefinitionFile
    published_version: int | None
    # True when the draft differs from the latest published version.
    has_unpublished_changes: bool
    is_closed: bool


class TrialAnswers(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Answers tried against a draft's form; nothing is kept."""

    answers: Annotated[dict[FieldCode, str | float | list[str]], msgspec.Meta(max_length=MAX_FIELDS)]


class TrialProblem(msgspec.Struct, kw_only=True):
    field: str
    message: Text


class TrialResult(msgspec.Struct, kw_only=True):
    """What submitting these answers would refuse (documents are not tried), and the fields the
    form would show for them."""

    problems: list[TrialProblem]
    shown_fields: list[str]
