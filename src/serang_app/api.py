"""The core API for modules, version CORE_API_VERSION: the one place a module imports from.

    from serang_app.api import ModuleSpec, open_case, take_action, ApiError

Everything else in the core is private to it and may change in any release; the names here
change only with the version, as docs/core-api.md (what each is for, and the changelog) says.
tests/test_core_api.py holds the built-in modules to this list. Nothing in the core imports
this module, so it may import from every part of the core.
"""

from typing import TYPE_CHECKING, Any

from serang_app.app_state import identity_of, letterhead_of, region_area_of
from serang_app.audit.log import record_by_caller, record_by_system
from serang_app.auth.actor import SYSTEM_ACTOR, CaseActor
from serang_app.auth.permissions import ACCOUNT_CHECKED_BY_ROUTE_OPT, Permission
from serang_app.auth.principal import Principal
from serang_app.auth.revoked_sessions import SessionToCheck
from serang_app.bilingual import ProblemText, Text
from serang_app.cases.calendar import JAKARTA, WorkingCalendar
from serang_app.cases.engine import CaseEngine
from serang_app.cases.events import Notice, notify_resident, notify_resident_all, write_with_notices
from serang_app.cases.followers import follow_case, move_followers, unfollow_case
from serang_app.cases.module_notes import record_case_note
from serang_app.cases.opening import (
    CaseReading,
    OpenedCase,
    PreparedCase,
    open_case,
    prepare_case,
    prepare_case_reading,
)
from serang_app.cases.search_words import CaseWords, WordsReader, index_case_words, write_with_case_words
from serang_app.cases.transitions import take_action
from serang_app.cases.workflow import Actor, Phase, State, Transition, Workflow
from serang_app.catalogue.editing import announce_change as announce_catalogue_change
from serang_app.catalogue.offering import offer_service
from serang_app.catalogue.service import OfferedAnswers, offered_answers
from serang_app.db.conditions import Conditions
from serang_app.db.keyset import Keyset, KeysetPage, PageRows
from serang_app.db.pool import Database
from serang_app.db.updates import sent_fields, update_row, upsert_row
from serang_app.forms.checking import answer_problems, answer_text_problems, definition_problems
from serang_app.forms.fields import Attribute, AttributeAnswer, LocalText, LongLocalText
from serang_app.http.caching import CACHED_OPT, NOT_MODIFIED, CachedJson
from serang_app.http.deprecation import deprecated, replaced_by
from serang_app.http.locale import Locale, negotiate_locale
from serang_app.http.openapi import HTML_PAGE_OPT
from serang_app.http.pagination import (
    DEFAULT_LIMIT,
    PageCursor,
    PageLimit,
    decode_cursor,
    encode_cursor,
    owned_cursor,
    owned_position,
)
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.http.public_url import public_base_url
from serang_app.http.strict_body import converted_strictly
from serang_app.http.text import DISPLAY_NAME, MULTILINE_TEXT, PLAIN_TEXT, is_real_name, normalized_in_place, writable
from serang_app.identity.deployment import DeploymentIdentity
from serang_app.module_system.offers import OfferState, module_offer, offer_to_modules
from serang_app.module_system.search_backfill import words_backfill_task
from serang_app.module_system.spec import (
    CORE_API_RELEASE,
    CORE_API_VERSION,
    CORE_CONTRACT_VERSION,
    CatalogueService,
    ModuleCommandContext,
    ModuleContext,
    ModuleSpec,
    ModuleTask,
    ModuleTaskContext,
)
from serang_app.notifications.cancelling import cancel_scheduled_notifications
from serang_app.opds.active import agency_problems, require_agency
from serang_app.pdf.font import FONT as PDF_FONT
from serang_app.pdf.letterhead import Letterhead, draw_letterhead
from serang_app.regions.boundaries import PinPlace, RegionArea
from serang_app.residents.applicant import Applicant, applicant_of
from serang_app.residents.locking import lock_resident, lock_resident_reading
from serang_app.residents.service_accounts import create_service_resident
from serang_app.startup.failures import StartupError
from serang_app.uploads.hiding import end_public_photo_links, hide_case_photo, restore_case_photo
from serang_app.uploads.service import UploadOwner, attach_uploads, link_used_uploads, release_uploads, use_uploads

if TYPE_CHECKING:
    from serang_app.pdf.document import PdfDocument


def __getattr__(name: str) -> Any:
    """PdfDocument, imported when a module first asks for it (`from serang_app.api import
    PdfDocument` inside the function that writes a PDF): it is built on fpdf2, which only the
    processes that write PDFs need to import (serang_app/pdf/font.py says why)."""
    if name == "PdfDocument":
        from serang_app.pdf.document import PdfDocument

        return PdfDocument
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ACCOUNT_CHECKED_BY_ROUTE_OPT",
    "CACHED_OPT",
    "CORE_API_RELEASE",
    "CORE_API_VERSION",
    "CORE_CONTRACT_VERSION",
    "DEFAULT_LIMIT",
    "DISPLAY_NAME",
    "HTML_PAGE_OPT",
    "JAKARTA",
    "MULTILINE_TEXT",
    "NOT_MODIFIED",
    "PDF_FONT",
    "PLAIN_TEXT",
    "SYSTEM_ACTOR",
    "Actor",
    "ApiError",
    "Applicant",
    "Attribute",
    "AttributeAnswer",
    "CachedJson",
    "CaseActor",
    "CaseEngine",
    "CaseReading",
    "CaseWords",
    "CatalogueService",
    "Conditions",
    "Database",
    "DeploymentIdentity",
    "Keyset",
    "KeysetPage",
    "Letterhead",
    "LocalText",
    "Locale",
    "LocalizedFieldError",
    "LongLocalText",
    "ModuleCommandContext",
    "ModuleContext",
    "ModuleSpec",
    "ModuleTask",
    "ModuleTaskContext",
    "Notice",
    "OfferState",
    "OfferedAnswers",
    "OpenedCase",
    "PageCursor",
    "PageLimit",
    "PageRows",
    "PdfDocument",
    "Permission",
    "Phase",
    "PinPlace",
    "PreparedCase",
    "Principal",
    "ProblemText",
    "RegionArea",
    "SessionToCheck",
    "StartupError",
    "State",
    "Text",
    "Transition",
    "UploadOwner",
    "WordsReader",
    "Workflow",
    "WorkingCalendar",
    "agency_problems",
    "announce_catalogue_change",
    "answer_problems",
    "answer_text_problems",
    "applicant_of",
    "attach_uploads",
    "cancel_scheduled_notifications",
    "converted_strictly",
    "create_service_resident",
    "decode_cursor",
    "definition_problems",
    "deprecated",
    "draw_letterhead",
    "encode_cursor",
    "end_public_photo_links",
    "follow_case",
    "hide_case_photo",
    "identity_of",
    "index_case_words",
    "is_real_name",
    "letterhead_of",
    "link_used_uploads",
    "lock_resident",
    "lock_resident_reading",
    "module_offer",
    "move_followers",
    "negotiate_locale",
    "normalized_in_place",
    "notify_resident",
    "notify_resident_all",
    "offer_service",
    "offer_to_modules",
    "offered_answers",
    "open_case",
    "owned_cursor",
    "owned_position",
    "prepare_case",
    "prepare_case_reading",
    "public_base_url",
    "record_by_caller",
    "record_by_system",
    "record_case_note",
    "region_area_of",
    "release_uploads",
    "replaced_by",
    "require_agency",
    "restore_case_photo",
    "sent_fields",
    "take_action",
    "unfollow_case",
    "update_row",
    "upsert_row",
    "use_uploads",
    "words_backfill_task",
    "writable",
    "write_with_case_words",
    "write_with_notices",
]
