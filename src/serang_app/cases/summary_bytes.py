"""A page of case summaries encoded straight from its rows.

The bytes are exactly those of `msgspec.json.encode(CasePage(items=[summary_of(row, ...)], ...))`
(reading.py; tests/test_case_summary_bytes.py compares them), made with less work per row:
`summary_of` builds a dictionary of the fields, converts the service's title into a `Text`,
wraps it in a `ServiceRef` and hands the dictionary to `CaseSummary`, and those steps were most
of what `GET /v1/me/cases`, the app's most frequent request, spent on its rows
(docs/performance.md). Here each row is one positional struct whose fields are `CaseSummary`'s
in its order, and the service reference and the status title, which repeat from row to row,
are encoded once per distinct value and spliced in as they are (`msgspec.Raw`).
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import msgspec

from serang_app.bilingual import Text
from serang_app.cases.module_objects import ModuleObject, module_object
from serang_app.cases.registry import WorkflowRegistry
from serang_app.cases.schemas import ServiceRef
from serang_app.cases.sla_clock import is_overdue
from serang_app.cases.workflow import Workflow

# The columns `encoded_page` reads, in this order (the names `summary_of` reads).
COLUMNS = """
c.id, c.reference, c.module, c.workflow, c.service_code, s.title::text AS service_title, c.status, c.phase,
c.due_at, c.paused_since, c.closed_at, c.rating, c.version, c.created_at, c.updated_at, c.object_id
"""


class EncodedSummary(msgspec.Struct, gc=False):
    """`CaseSummary`'s fields, names and order (schemas.py), with the two repeating parts encoded."""

    id: uuid.UUID
    reference: str
    module: str
    service: msgspec.Raw
    status: str
    status_title: msgspec.Raw
    phase: str
    due_at: datetime | None
    is_overdue: bool
    rating: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    module_object: ModuleObject | None


class EncodedPage(msgspec.Struct, gc=False):
    """`CasePage`'s fields, names and order."""

    items: list[EncodedSummary]
    next_cursor: str | None


class _Fragments:
    """The encoded service references and status titles, each made once per distinct value.

    Both are few (a service per catalogue entry, a title per workflow state), so nothing is
    evicted. A service is keyed by its code and kept with the title it was made from: when an
    admin renames the service, the next row carries the new title and the fragment is made again.
    """

    def __init__(self) -> None:
        self._services: dict[str, tuple[str, msgspec.Raw]] = {}
        self._titles: dict[Text, msgspec.Raw] = {}
        # Per registry (an app has one; a test process builds many), what a row's module,
        # workflow and status give: the workflow, for the module object, and the encoded title.
        self._states: weakref.WeakKeyDictionary[WorkflowRegistry, dict[tuple[str, str, str], _StateParts]] = (
            weakref.WeakKeyDictionary()
        )

    def states_of(self, workflows: WorkflowRegistry) -> dict[tuple[str, str, str], _StateParts]:
        states = self._states.get(workflows)
        if states is None:
            states = self._states[workflows] = {}
        return states

    def state(
        self, states: dict[tuple[str, str, str], _StateParts], workflows: WorkflowRegistry, key: tuple[str, str, str]
    ) -> _StateParts:
        """The parts for a row's (module, workflow, status), made on first sight."""
        parts = states.get(key)
        if parts is None:
            module, workflow, status = key
            registered = workflows.get(module, workflow)
            parts = (
                registered.workflow if registered else None,
                self.title(workflows.state_title(module, workflow, status)),
            )
            # The keys come from stored rows: a bound, so that statuses no module declares (left
            # by a module since changed) cannot grow this without end.
            if len(states) < MAX_STATES_KEPT:
                states[key] = parts
        return parts

    def service(self, code: str, title: str) -> msgspec.Raw:
        known = self._services.get(code)
        if known is None or known[0] != title:
            # As summary_of converts the decoded title: one that is not a Text fails here the same way.
            reference = ServiceRef(code=code, title=msgspec.json.decode(title, type=Text))
            known = self._services[code] = (title, msgspec.Raw(msgspec.json.encode(reference)))
        return known[1]

    def title(self, text: Text) -> msgspec.Raw:
        raw = self._titles.get(text)
        if raw is None:
            raw = self._titles[text] = msgspec.Raw(msgspec.json.encode(text))
        return raw


_StateParts = tuple[Workflow | None, msgspec.Raw]
MAX_STATES_KEPT = 10_000

_FRAGMENTS = _Fragments()
_ENCODER = msgspec.json.Encoder()


def encoded_page(rows: Sequence[asyncpg.Record], workflows: WorkflowRegistry, next_cursor: str | None) -> bytes:
    """The page of `rows` (selected with `COLUMNS`) as JSON, as `CasePage` encodes."""
    now = datetime.now(UTC)
    fragments = _FRAGMENTS
    states = fragments.states_of(workflows)
    items = []
    for row in rows:
        (
            case_id,
            reference,
            module,
            workflow,
            service_code,
            service_title,
            status,
            phase,
            due_at,
            paused_since,
            closed_at,
            rating,
            version,
            created_at,
            updated_at,
            object_id,
        ) = row
        state_workflow, status_title = fragments.state(states, workflows, (module, workflow, status))
        items.append(
            EncodedSummary(
                case_id,
                reference,
                module,
                fragments.service(service_code, service_title),
                status,
                status_title,
                phase,
                due_at,
                is_overdue(due_at, paused_since, closed_at, now),
                rating,
                version,
                created_at,
                updated_at,
                module_object(module, state_workflow, case_id, object_id),
            )
        )
    return _ENCODER.encode(EncodedPage(items, next_cursor))
