"""A minimal module declared in the tests: street-lamp repair requests.

It uses only the module contract and the case core (open_case and the engine), as any
third-party module would, and shows that a workflow declared as data runs end to end.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import msgspec
from litestar import Request, Router, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from serang_app.api import (
    CaseActor,
    CaseEngine,
    CatalogueService,
    Database,
    ModuleSpec,
    Permission,
    Principal,
    State,
    Text,
    Transition,
    Workflow,
    open_case,
)

SERVICE: Final = "lamps.repair"
# A second service, of another agency and without an SLA (the statistics group by service).
NEW_POLE_SERVICE: Final = "lamps.new_pole"


class RepairIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    pole_number: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    district_code: Annotated[str, msgspec.Meta(pattern=r"^36\.04\.\d{2}$")] | None = None
    public: bool = False
    service: Literal["lamps.repair", "lamps.new_pole"] = SERVICE


class RepairOut(msgspec.Struct, kw_only=True):
    case_id: uuid.UUID
    reference: str
    status: str


@post("/requests", summary="Report a broken street lamp", opt={"permission": "lamps.report"}, status_code=201)
async def report_lamp(
    request: Request[Principal, Any, Any],
    data: JSONBody[RepairIn],
    database: NamedDependency[Database],
    cases: NamedDependency[CaseEngine],
) -> RepairOut:
    async with database.acquire() as connection, connection.transaction():
        opened = await open_case(
            cases,
            connection,
            CaseActor.of(request),
            module="lamps",
            workflow="repair",
            service_code=data.service,
            district_code=data.district_code,
            is_public=data.public,
        )
        await connection.execute(
            "INSERT INTO lamps.requests (case_id, pole_number) VALUES ($1, $2)", opened.id, data.pole_number
        )
    return RepairOut(case_id=opened.id, reference=opened.reference, status=opened.status)


def _text(indonesian: str, english: str) -> Text:
    return Text(id=indonesian, en=english)


REPAIR = Workflow(
    code="repair",
    reference_prefix="LMP",
    initial="submitted",
    states=(
        State(code="submitted", phase="submitted", title=_text("Diajukan", "Submitted")),
        State(code="in_repair", phase="in_progress", title=_text("Diperbaiki", "Being repaired")),
        State(
            code="waiting",
            phase="waiting_for_resident",
            title=_text("Menunggu warga", "Waiting for you"),
            pauses_sla=True,
        ),
        State(code="fixed", phase="completed", title=_text("Selesai", "Fixed")),
        State(code="closed", phase="completed", title=_text("Ditutup", "Closed")),
        State(code="rejected", phase="rejected", title=_text("Ditolak", "Rejected")),
        State(code="cancelled", phase="cancelled", title=_text("Dibatalkan", "Cancelled")),
    ),
    transitions=(
        Transition(
            action="start",
            title=_text("Mulai perbaikan", "Start the repair"),
            source=("submitted",),
            target="in_repair",
            actors=("officer", "supervisor"),
            notify="lamps.started",
        ),
        Transition(
            action="ask_resident",
            title=_text("Minta keterangan", "Ask the resident"),
            source=("in_repair",),
            target="waiting",
            actors=("officer", "supervisor"),
            requires_note=True,
            notify="lamps.question",
        ),
        Transition(
            action="answer",
            title=_text("Kirim keterangan", "Answer"),
            source=("waiting",),
            target="in_repair",
            actors=("resident",),
        ),
        Transition(
            action="send_photo",
            title=_text("Kirim foto", "Send a photo"),
            source=("waiting",),
            target="in_repair",
            actors=("resident",),
            requires_upload=True,
        ),
        Transition(
            action="finish",
            title=_text("Selesai diperbaiki", "Mark fixed"),
            source=("in_repair",),
            target="fixed",
            actors=("officer", "supervisor"),
            notify="lamps.fixed",
        ),
        Transition(
            action="reject",
            title=_text("Tolak", "Reject"),
            source=("submitted", "in_repair"),
            target="rejected",
            actors=("supervisor",),
            requires_note=True,
        ),
        Transition(
            action="forward",
            title=_text("Teruskan ke OPD lain", "Forward to another agency"),
            source=("submitted",),
            target="submitted",
            actors=("officer", "supervisor"),
            requires_note=True,
            reroutes=True,
            notify="lamps.forwarded",
        ),
        Transition(
            action="close",
            title=_text("Tutup", "Close"),
            source=("fixed",),
            target="closed",
            actors=("system",),
            when_rated=True,
            after_days=7,
        ),
        Transition(
            action="cancel",
            title=_text("Batalkan", "Cancel"),
            source=("submitted",),
            target="cancelled",
            actors=("resident",),
        ),
    ),
)

LAMPS = ModuleSpec(
    slug="lamps",
    name="Lampu jalan",
    version="1.0",
    router=Router(path="/", route_handlers=[report_lamp]),
    migrations=Path(__file__).parent / "lamps_migrations",
    workflows=(REPAIR,),
    permissions=(Permission("lamps.report", ("resident",), "Report a broken street lamp"),),
    templates={
        "lamps.started": _text("Lampu {reference} sedang diperbaiki.", "Lamp {reference} is being repaired."),
        "lamps.question": _text("Petugas bertanya tentang {reference}.", "An officer has a question on {reference}."),
        "lamps.fixed": _text("Lampu {reference} sudah menyala.", "Lamp {reference} is fixed."),
        "lamps.forwarded": _text("Laporan {reference} diteruskan ke OPD lain.", "{reference} went to another agency."),
    },
    services=(
        CatalogueService(
            code=SERVICE,
            opd_code="DPUPR",
            title=_text("Lampu Jalan Mati", "Broken Street Lamp"),
            description=_text("Laporkan lampu jalan yang mati.", "Report a street lamp that is out."),
            sla_days=3,
        ),
        CatalogueService(
            code=NEW_POLE_SERVICE,
            opd_code="DISPERKIM",
            title=_text("Usulan Lampu Jalan Baru", "New Street Lamp Proposal"),
            description=_text("Usulkan lampu jalan di tempat gelap.", "Propose a street lamp for a dark spot."),
        ),
    ),
)
