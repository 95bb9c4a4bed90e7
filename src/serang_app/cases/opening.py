"""Opening a case: what a module calls, inside its own transaction, when a resident submits.

The module then writes its own detail rows keyed by the returned case id in the same transaction,
so a case never exists without its detail or the other way round.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import asyncpg

from serang_app.auth.actor import CaseActor
from serang_app.auth.revoked_sessions import SESSION_NOT_REVOKED, SessionToCheck
from serang_app.cases.calendar import WorkingCalendar
from serang_app.cases.engine import CaseEngine
from serang_app.cases.events import Notice, event_args, event_ctes, notice_args, notice_ctes
from serang_app.cases.registry import RegisteredWorkflow
from serang_app.cases.search_words import CaseWords, case_words_upsert, words_text
from serang_app.cases.staff_notices import NEW_CASE_FROM, NEW_CASE_RECIPIENTS
from serang_app.cases.workflow import FINAL_PHASES
from serang_app.http.problems import ApiError
from serang_app.residents.locking import LOCKED_ACCOUNT

_SERVICE = "SELECT module, opd_code, sla_days, is_open FROM catalogue_services WHERE code = $1"
# The catalogue entry (${service}) and the module's own read of at most one row, in one statement;
# {account} is whether the resident's account is active (authentication's check, for a route that
# skips authentication's own look-up), or `true` when the caller did not ask.
_SERVICE_READING = """
SELECT s.code AS case_service_code, s.module AS case_service_module, s.opd_code AS case_service_opd_code,
       s.sla_days AS case_service_sla_days, s.is_open AS case_service_is_open, {account} AS case_account_active,
       module_read.*
FROM (SELECT 1) AS one
LEFT JOIN catalogue_services s ON s.code = ${service}
LEFT JOIN (SELECT true AS module_read_found, found.* FROM ({read}) AS found) AS module_read ON true
"""
_ACCOUNT_ACTIVE = "EXISTS (SELECT FROM residents WHERE id = ${resident} AND erased_at IS NULL AND {session_open})"
# The same check with the resident's row locked until the transaction ends (lock_resident_reading's
# lock): the reads share the statement's snapshot, taken before the lock is waited for.
_ACCOUNT_LOCKED = f"WITH case_account AS ({LOCKED_ACCOUNT})"
_LOCKED_ACCOUNT_ACTIVE = "coalesce((SELECT active FROM case_account), false)"
# A new case's notifications to its resident carry the reference the statement numbers.
_WITH_REFERENCE = "notice.params || jsonb_build_object('reference', (SELECT reference FROM opened))"
# The next reference number of the prefix and month, the case under it, and the case's timeline
# and audit entries, in one statement. The counter's row stays locked until the transaction ends
# (numbers are gap-free), so every round trip after this one holds up the next opening of the same
# workflow: the module's detail row follows in one more statement (docs/performance.md, "The write
# paths"). The entries name the case by its id ($1): their foreign keys are checked at the end of
# the statement, when the case is there. When the workflow tells the agency's staff of new cases,
# their notifications are one more CTE (_INSERT_CASE_TELLING_STAFF): the same rows
# tell_agency_of_new_case writes, with the reference the statement numbered.
_CASE_CTES = f"""
counter AS (
    INSERT INTO case_reference_counters (prefix, period, last_value) VALUES ($2, $18, 1)
    ON CONFLICT (prefix, period) DO UPDATE SET last_value = case_reference_counters.last_value + 1
    RETURNING last_value
),
opened AS (
    INSERT INTO cases (id, reference, module, workflow, service_code, resident_id, opd_code, district_code,
                       status, phase, sla_days, due_at, paused_since, closed_at, created_at, updated_at, is_public,
                       object_id)
    SELECT $1, $2 || '-' || $18 || '-' || lpad(last_value::text, greatest(6, length(last_value::text)), '0'),
           $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17
    FROM counter
    RETURNING reference
),
{event_ctes(19)}"""  # noqa: S608 (constant text)
_STAFF_TOLD = NEW_CASE_FROM.format(
    case="$1",
    opd_code="$7",
    params="jsonb_build_object('reference', (SELECT reference FROM opened), 'status', $9::text)",
    limit="$35",
)
_CASE_CTES_TELLING_STAFF = f"{_CASE_CTES},\nstaff_told AS ({_STAFF_TOLD})"
_INSERT_CASE = f"WITH {_CASE_CTES}\nSELECT reference FROM opened"
_INSERT_CASE_TELLING_STAFF = f"WITH {_CASE_CTES_TELLING_STAFF}\nSELECT reference FROM opened"
# open_writing(returning=True)'s answer: the reference and the first row of the module's write.
_OPENED_AND_WRITTEN = """SELECT opened.reference AS case_opened_reference, module_write.*
FROM opened LEFT JOIN (SELECT true AS module_write_found, * FROM module_write LIMIT 1) AS module_write ON true"""
_PARAMETER = re.compile(r"\$(\d+)")


@dataclass(frozen=True, slots=True)
class OpenedCase:
    id: uuid.UUID
    reference: str
    status: str
    due_at: datetime | None
    # open_writing(returning=True): the first row the module's write returned (None if none).
    written: dict[str, Any] | None = None


async def open_case(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    *,
    module: str,
    workflow: str,
    service_code: str,
    district_code: str | None = None,
    opd_code: str | None = None,
    sla_days: int | None = None,
    is_public: bool = False,
    object_id: uuid.UUID | None = None,
) -> OpenedCase:
    """Open a case for the resident `actor` in the workflow's initial state.

    The owning agency and the SLA come from the catalogue entry (which admins may edit); a module
    that routes by its own rules (a complaint category) passes `opd_code`, and `sla_days` when it
    keeps its own SLA (the category's). `is_public` lets
    anyone see the thumbnails of the case's photos (a complaint reported as public). `object_id`:
    the id of the module's own object for this case (a permit application), which fills
    `{object_id}` in the workflow's `object_path`; without it the case id does.
    """
    prepared = await prepare_case(
        engine,
        connection,
        actor,
        module=module,
        workflow=workflow,
        service_code=service_code,
        district_code=district_code,
        opd_code=opd_code,
        sla_days=sla_days,
        is_public=is_public,
        object_id=object_id,
    )
    return await prepared.open(connection)


@dataclass(frozen=True, slots=True)
class PreparedCase:
    """A case checked and ready to open: everything open_case reads before it writes. A module
    that locks a row of its own before the case (a slot's seat) prepares the case before taking
    that lock and opens it after, so the reads do not hold up the next writer of that row."""

    actor: CaseActor
    module: str
    workflow: str
    service_code: str
    reference_prefix: str
    period: str  # the region's month, whose counter numbers the case
    opd_code: str | None
    district_code: str | None
    status: str
    phase: str
    sla_days: int | None
    due_at: datetime | None
    now: datetime
    pauses_sla: bool
    is_public: bool
    object_id: uuid.UUID | None
    # The workflow's Workflow.notify_staff_of_new_cases: the agency's staff hear of the new case.
    notify_staff: bool
    # Chosen before the case is written, so that a module's own write in the same statement
    # (open_writing) can name it.
    case_id: uuid.UUID = field(default_factory=uuid.uuid4)

    async def open(self, connection: asyncpg.Connection) -> OpenedCase:
        """Number and insert the case, write its timeline and audit entries, and tell the agency's
        staff when the workflow says so: one statement."""
        statement = _INSERT_CASE_TELLING_STAFF if self._tells_staff else _INSERT_CASE
        reference: str = await connection.fetchval(statement, *self._case_args())
        return OpenedCase(id=self.case_id, reference=reference, status=self.status, due_at=self.due_at)

    async def open_writing(
        self,
        connection: asyncpg.Connection,
        statement: str,
        args: Sequence[Any],
        *,
        words: CaseWords | None = None,
        notices: Sequence[Notice] = (),
        returning: bool = False,
    ) -> OpenedCase:
        """`open`, with the module's own write (one INSERT, UPDATE or DELETE, `args` as $1..$n,
        naming the case by `case_id`), the words staff find the case by (index_case_words) and the
        resident's `notices` (notify_resident_all's, each notice's values given the case's
        `reference`, which only the statement knows), in the same one statement: every row of the
        new case is written at once, so a module whose filing writes nothing else needs no
        transaction around it (no BEGIN and no COMMIT round trip), and the reference number's lock
        is held for that statement alone (docs/performance.md, "Filing, fourth round"). Foreign
        keys to the case are checked at the end of the statement, when the case is there. With
        `returning`, the write has a RETURNING clause and `OpenedCase.written` holds its row."""
        first = len(args)
        ctes = _PARAMETER.sub(
            lambda found: f"${int(found[1]) + first}",
            _CASE_CTES_TELLING_STAFF if self._tells_staff else _CASE_CTES,
        )
        values = [*args, *self._case_args()]
        written = f"WITH {ctes},\nmodule_write AS ({statement})"
        if words is not None:
            at = len(values) + 1
            written += f",\nwords AS ({case_words_upsert(at)})"
            values += [self.case_id, words_text(words.words), words.resident_findable]
        if notices:
            assert self.actor.id is not None  # prepared for a signed-in resident (_registered)
            written += f",\n{notice_ctes(len(values) + 1, _WITH_REFERENCE)}"
            values += notice_args(self.actor.id, self.case_id, self.module, notices)
        if not returning:
            reference: str = await connection.fetchval(f"{written}\nSELECT reference FROM opened", *values)
            return OpenedCase(id=self.case_id, reference=reference, status=self.status, due_at=self.due_at)
        row = await connection.fetchrow(f"{written}\n{_OPENED_AND_WRITTEN}", *values)
        assert row is not None  # the case's row, whatever the write returned
        row_values = dict(row)
        reference = row_values.pop("case_opened_reference")
        found = row_values.pop("module_write_found")
        return OpenedCase(
            id=self.case_id,
            reference=reference,
            status=self.status,
            due_at=self.due_at,
            written=row_values if found else None,
        )

    @property
    def _tells_staff(self) -> bool:
        return self.notify_staff and self.opd_code is not None

    def _case_args(self) -> tuple[Any, ...]:
        return (
            self.case_id,
            self.reference_prefix,
            self.module,
            self.workflow,
            self.service_code,
            self.actor.id,
            self.opd_code,
            self.district_code,
            self.status,
            self.phase,
            self.sla_days,
            self.due_at,
            self.now if self.pauses_sla else None,
            self.now if self.phase in FINAL_PHASES else None,
            self.now,
            self.is_public,
            self.object_id,
            self.period,
            *event_args(self.actor, self.case_id, "created", to_status=self.status),
            *((NEW_CASE_RECIPIENTS,) if self._tells_staff else ()),
        )


async def prepare_case(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    *,
    module: str,
    workflow: str,
    service_code: str,
    district_code: str | None = None,
    opd_code: str | None = None,
    sla_days: int | None = None,
    is_public: bool = False,
    object_id: uuid.UUID | None = None,
) -> PreparedCase:
    """open_case's checks and reads (the same arguments): 409 `service_closed`, ValueError for a
    module's mistake; `PreparedCase.open` then writes the case, in the same transaction."""
    registered = _registered(engine, actor, module, workflow)
    service = await connection.fetchrow(_SERVICE, service_code)
    prepared, is_open, _ = await _prepared(
        engine,
        connection,
        actor,
        registered,
        service,
        module=module,
        workflow=workflow,
        service_code=service_code,
        district_code=district_code,
        opd_code=opd_code,
        sla_days=sla_days,
        is_public=is_public,
        object_id=object_id,
    )
    if not is_open:
        raise ApiError(409, "service_closed", params={"service": service_code})
    return prepared


@dataclass(frozen=True, slots=True)
class CaseReading:
    """What prepare_case_reading read: the module's own row (None when its read found nothing),
    and the case, prepared, which `case()` hands over (409 `service_closed` there, so that the
    module's own refusals from its row come first, as they would with prepare_case after them)."""

    row: dict[str, Any] | None
    prepared: PreparedCase
    is_open: bool
    calendar: WorkingCalendar

    def case(self) -> PreparedCase:
        if not self.is_open:
            raise ApiError(409, "service_closed", params={"service": self.prepared.service_code})
        return self.prepared

    def routed_case(
        self, *, opd_code: str, district_code: str | None, sla_days: int | None, is_public: bool
    ) -> PreparedCase:
        """case(), routed by what the module found after the read rather than by arguments known
        before it (a complaint's category: its agency, its SLA, whether its cases are public; the
        district its pin lies in). `sla_days` None keeps the catalogue entry's."""
        prepared = self.case()
        sla_days = prepared.sla_days if sla_days is None else sla_days
        return replace(
            prepared,
            opd_code=opd_code,
            district_code=district_code,
            sla_days=sla_days,
            due_at=self.calendar.due_at(prepared.now, sla_days) if sla_days is not None else None,
            is_public=is_public,
        )


async def prepare_case_reading(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    read: str,
    args: Sequence[Any],
    *,
    module: str,
    workflow: str,
    service_code: str,
    district_code: str | None = None,
    opd_code: str | None = None,
    sla_days: int | None = None,
    is_public: bool = False,
    object_id: uuid.UUID | None = None,
    account: SessionToCheck | None = None,
    lock_resident: bool = False,
) -> CaseReading:
    """prepare_case with the module's own `read` (a SELECT of at most one row, `args` as $1..$n)
    in the same round trip as the case's catalogue entry: booking reads the place's schedule this
    way, filing reads the complaint's category. With `account` (the token's session), the same
    round trip checks the resident's account as authentication would, for a route that says
    ACCOUNT_CHECKED_BY_ROUTE_OPT: 401 when the account was erased or the session ended, before
    anything else. With `lock_resident` too (inside a transaction), the statement also takes
    lock_resident's lock; the reads share the statement's snapshot, taken before the lock is
    waited for, so a count the lock protects belongs in a later statement. ValueError for a
    module's mistake at once; `service_closed` from `case()`."""
    registered = _registered(engine, actor, module, workflow)
    service = len(args) + 1
    if account is None:
        if lock_resident:
            raise ValueError("lock_resident needs the account's session to check (account=SessionToCheck(...))")
        statement = _SERVICE_READING.format(service=service, read=read, account="true")
        row = await connection.fetchrow(statement, *args, service_code)
    else:
        session_open = SESSION_NOT_REVOKED.format(f"${service + 2}")
        if lock_resident:
            locked = _ACCOUNT_LOCKED.format(resident=service + 1, session_open=session_open)
            statement = locked + _SERVICE_READING.format(service=service, read=read, account=_LOCKED_ACCOUNT_ACTIVE)
        else:
            active = _ACCOUNT_ACTIVE.format(resident=service + 1, session_open=session_open)
            statement = _SERVICE_READING.format(service=service, read=read, account=active)
        row = await connection.fetchrow(statement, *args, service_code, actor.id, account.session_id)
    assert row is not None  # one row, whatever the reads find
    values = dict(row)
    if not values.pop("case_account_active"):
        raise ApiError(401)
    entry = {name: values.pop(f"case_service_{name}") for name in ("code", "module", "opd_code", "sla_days", "is_open")}
    found = values.pop("module_read_found")
    prepared, is_open, calendar = await _prepared(
        engine,
        connection,
        actor,
        registered,
        entry if entry["code"] is not None else None,
        module=module,
        workflow=workflow,
        service_code=service_code,
        district_code=district_code,
        opd_code=opd_code,
        sla_days=sla_days,
        is_public=is_public,
        object_id=object_id,
    )
    return CaseReading(row=values if found else None, prepared=prepared, is_open=is_open, calendar=calendar)


def _registered(engine: CaseEngine, actor: CaseActor, module: str, workflow: str) -> RegisteredWorkflow:
    if actor.role != "resident" or actor.id is None:
        raise ValueError("cases are opened for a signed-in resident")
    registered = engine.workflows.get(module, workflow)
    if registered is None:
        raise ValueError(f"module {module!r} declares no workflow {workflow!r}")
    return registered


async def _prepared(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    registered: RegisteredWorkflow,
    service: asyncpg.Record | Mapping[str, Any] | None,
    *,
    module: str,
    workflow: str,
    service_code: str,
    district_code: str | None,
    opd_code: str | None,
    sla_days: int | None,
    is_public: bool,
    object_id: uuid.UUID | None,
) -> tuple[PreparedCase, bool, WorkingCalendar]:
    """The case prepared from its catalogue entry, whether the entry is open, and the calendar
    its due time was counted in."""
    if service is None or service["module"] != module:
        raise ValueError(f"service {service_code!r} does not belong to module {module!r}")
    initial = registered.states[registered.workflow.initial]
    now = engine.now()
    calendar = await engine.calendars.get(connection)
    if sla_days is None:
        sla_days = service["sla_days"]
    prepared = PreparedCase(
        actor=actor,
        module=module,
        workflow=workflow,
        service_code=service_code,
        reference_prefix=registered.workflow.reference_prefix,
        # One counter row per prefix and month (the region's month).
        period=now.astimezone(engine.zone).strftime("%y%m"),
        opd_code=opd_code or service["opd_code"],
        district_code=district_code,
        status=initial.code,
        phase=initial.phase,
        sla_days=sla_days,
        due_at=calendar.due_at(now, sla_days) if sla_days is not None else None,
        now=now,
        pauses_sla=initial.pauses_sla,
        is_public=is_public,
        object_id=object_id,
        notify_staff=registered.workflow.notify_staff_of_new_cases,
    )
    return prepared, bool(service["is_open"]), calendar
