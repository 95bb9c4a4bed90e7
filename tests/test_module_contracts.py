"""The three built-in modules pass the module contract (serang_app.contract), as a third-party
module must; and a deliberately broken module fails it with messages that name each problem."""

from __future__ import annotations

import dataclasses
import textwrap
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, ClassVar

import httpx
import pytest
from litestar import Router, get
from litestar.di import NamedDependency
from litestar.params import PathParameter

from serang_app.api import Database
from serang_app.contract import ModuleContract
from serang_app.contract.bola import probe_other_residents_objects
from tests.support.database import TestServer
from tests.support.lamps_module import LAMPS, report_lamp

pytest_plugins = ["pytester"]


class TestComplaintsContract(ModuleContract):
    module = "complaints"
    # A public complaint is there for everyone to support ("me too") and to stop supporting.
    open_to_other_residents: ClassVar[Mapping[str, str]] = {
        "POST /v1/complaints/{case_id}/support": "supporting someone else's public complaint",
        "DELETE /v1/complaints/{case_id}/support": "withdrawing one's support of it",
    }

    async def make_objects(self, client: httpx.AsyncClient, resident: dict[str, str]) -> Mapping[str, str]:
        filed = await client.post(
            "/v1/complaints",
            json={
                "category": "street_lights",
                "description": "Lampu jalan mati sejak tiga hari",
                "latitude": -6.06,
                "longitude": 106.11,
                "district_code": "36.04.05",
                "public": False,
            },
            headers=resident,
        )
        assert filed.status_code == 201, filed.text
        # The other parameters name staff and admin objects: probed for a refusal to a resident.
        return {"case_id": filed.json()["case_id"], "code": "street_lights", "client_id": str(uuid.uuid4())}


class TestPermitsContract(ModuleContract):
    module = "permits"

    async def make_objects(self, client: httpx.AsyncClient, resident: dict[str, str]) -> Mapping[str, str]:
        created = await client.post(
            "/v1/permits/applications", json={"type_code": "business_certificate"}, headers=resident
        )
        assert created.status_code == 201, created.text
        return {"application_id": created.json()["id"], "code": "ktp"}


class TestAppointmentsContract(ModuleContract):
    module = "appointments"

    async def make_objects(self, client: httpx.AsyncClient, resident: dict[str, str]) -> Mapping[str, str]:
        where = {"service": "ktp_recording", "place": "disdukcapil_office"}
        first = date.today() + timedelta(days=1)
        slots = await client.get(
            "/v1/appointments/slots",
            params={**where, "from": first.isoformat(), "to": (first + timedelta(days=13)).isoformat()},
        )
        assert slots.status_code == 200, slots.text
        slot = next(item for item in slots.json()["items"] if item["bookable"])
        booked = await client.post(
            "/v1/appointments",
            json={"service_code": where["service"], "place_code": where["place"], "starts_at": slot["starts_at"]},
            headers=resident,
        )
        assert booked.status_code == 201, booked.text
        return {
            "booking_id": booked.json()["id"],
            "step": "call",
            "code": "disdukcapil_office",
            "place": where["place"],
            "service": where["service"],
            "day": first.isoformat(),
        }


BROKEN_MODULE = """
from litestar import Router, get

from serang_app.contract import ModuleContract
from serang_app.api import ModuleSpec, Permission, State, Text, Transition, Workflow


@get("/secret", summary="Anyone's secret")
async def secret() -> dict[str, str]:
    return {"secret": "42"}


# Never run: the contract reads the module's SQL from its source.
PEEK = "SELECT phone FROM residents WHERE id = $1"


def _text(value: str) -> Text:
    return Text(id=value, en=value)


BROKEN = ModuleSpec(
    slug="broken",
    name="Broken",
    version="0.1",
    router=Router(path="/", route_handlers=[secret]),
    workflows=(
        Workflow(
            code="request",
            reference_prefix="BRK",
            initial="new",
            states=(
                State(code="new", phase="submitted", title=_text("Baru")),
                State(code="done", phase="completed", title=_text("Selesai")),
                State(code="lost", phase="rejected", title=_text("Hilang")),
            ),
            transitions=(
                Transition(
                    action="finish",
                    title=_text("Selesai"),
                    source=("new",),
                    target="done",
                    actors=("officer",),
                    notify="broken.finished",
                ),
            ),
        ),
    ),
    permissions=(Permission("broken.read", ("resident",), "Read"),),
    templates={"broken.asked": Text(id="Ditanya {reference}", en="Asked about {case}")},
)


class TestBrokenContract(ModuleContract):
    module = "broken"
    package = "test_broken"

    def module_specs(self):
        return [BROKEN]
"""


def test_a_broken_module_fails_with_messages_that_name_each_problem(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_broken=textwrap.dedent(BROKEN_MODULE))
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-p", "no:asyncio", "-k", "not migrations and not another_residents"
    )
    outcomes = result.parseoutcomes()
    # The declaration, the routes, the workflows, the SQL, and the app built for its OpenAPI document.
    assert outcomes.get("failed") == 5, result.stdout.str()
    output = result.stdout.str()
    # The unguarded route, the missing template, the unreachable state, the mismatched placeholders.
    assert "/v1/broken/secret (secret) declares no permission" in output
    assert "action 'finish' sends template 'broken.finished', which the module does not declare" in output
    assert "state 'lost' cannot be reached from 'new'" in output
    assert "template 'broken.asked' uses ['reference'] in Indonesian but ['case'] in English" in output
    # The core's table read past the data contract, with the file and line of the statement.
    assert (
        "test_broken.py:13: names 'residents' without a schema, which at run time means the core's public.residents"
        in output
    )


@get("/requests/{case_id:uuid}", summary="Any request, whoever asks", opt={"permission": "lamps.report"})
async def read_any_request(
    case_id: Annotated[uuid.UUID, PathParameter()], database: NamedDependency[Database]
) -> dict[str, str]:
    async with database.acquire() as connection:
        pole = await connection.fetchval("SELECT pole_number FROM lamps.requests WHERE case_id = $1", case_id)
    return {"pole_number": pole}


async def test_the_probe_finds_a_route_that_forgets_the_owner(test_server: TestServer) -> None:
    leaky = dataclasses.replace(LAMPS, router=Router(path="/", route_handlers=[report_lamp, read_any_request]))

    async def make_objects(client: httpx.AsyncClient, resident: dict[str, str]) -> Mapping[str, str]:
        created = await client.post("/v1/lamps/requests", json={"pole_number": "PJU-9"}, headers=resident)
        return {"case_id": created.json()["case_id"]}

    report = await probe_other_residents_objects(test_server, leaky, [leaky], make_objects, {})
    assert len(report.problems) == 1
    assert report.problems[0].startswith("GET /v1/lamps/requests/{case_id} answered 200 to a resident who does not own")
    # The core's case API kept the case to its owner.
    assert "GET /v1/cases/{case_id} -> 404" in report.probed
