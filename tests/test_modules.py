"""The module contract: discovery through entry points, validation, mounting, allowlist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from litestar import Router, get
from litestar.testing import AsyncTestClient

from serang_app.app import create_app, load_modules
from serang_app.cases.workflow import Phase
from serang_app.http.openapi import document_errors
from serang_app.module_system import (
    CatalogueService,
    ModuleSpec,
    ModuleTask,
    ModuleTaskContext,
    Permission,
    State,
    Text,
    Transition,
    Workflow,
)
from serang_app.module_system.discovery import ModuleError, discover_modules, enabled_specs
from serang_app.module_system.validation import validate_modules
from tests.conftest import settings_for
from tests.support.peeking_module import PEEKING
from tests.support.processes import run_cli

EXAMPLE_PACKAGE = Path(__file__).resolve().parents[1] / "examples" / "serang-example-module"


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example module built and installed like any third-party package, into a folder of its own."""
    target = tmp_path_factory.mktemp("site-packages")
    uv = Path(sys.executable).parent / "uv"
    subprocess.run(
        [
            str(uv),
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--python",
            sys.executable,
            "--target",
            str(target),
            str(EXAMPLE_PACKAGE),
        ],
        check=True,
        timeout=300,
    )
    return target


@pytest.fixture
def example_installed(example_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(example_site))  # undone by monkeypatch after the test
    return example_site


def _spec(slug: str, **overrides: object) -> ModuleSpec:
    return ModuleSpec(slug=slug, name=slug.title(), version="1.0", **overrides)  # type: ignore[arg-type]


def _state(code: str, phase: Phase = "in_progress") -> State:
    return State(code=code, phase=phase, title=Text(id=code, en=code))


def _go(source: str, target: str, **overrides: object) -> Transition:
    fields: dict[str, object] = {"actors": ("officer",), **overrides}
    return Transition(
        action=f"to_{target}",
        title=Text(id="Lanjut", en="Next"),
        source=(source,),
        target=target,
        **fields,  # type: ignore[arg-type]
    )


def _workflow(*transitions: Transition, states: tuple[str, ...] = ("a", "b"), **overrides: object) -> Workflow:
    fields: dict[str, object] = {"code": "w", "reference_prefix": "PRK", "initial": "a", **overrides}
    return Workflow(states=tuple(_state(code) for code in states), transitions=transitions, **fields)  # type: ignore[arg-type]


# --- discovery and mounting of a real installed package -------------------------------------


@pytest.mark.e2e
def test_the_cli_lists_the_installed_example(example_site: Path) -> None:
    result = run_cli("modules", env={"PYTHONPATH": str(example_site)})
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("seedlings"))
    assert line.split()[:4] == ["seedlings", "enabled", "0.1.0", "serang-seedlings"]


@pytest.mark.e2e
def test_the_allowlist_disables_a_module(example_site: Path) -> None:
    result = run_cli("modules", env={"PYTHONPATH": str(example_site), "SERANG_MODULES": "none"})
    assert result.returncode == 0, result.stderr
    assert "seedlings        disabled" in result.stdout


@pytest.mark.e2e
def test_an_allowlist_naming_a_missing_module_stops_start_up() -> None:
    result = run_cli("openapi", "--check", env={"SERANG_MODULES": "nosuchmodule"})
    assert result.returncode == 2
    assert result.stderr.strip() == ("serang-app: SERANG_MODULES names modules that are not installed: nosuchmodule")
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
async def test_the_example_is_mounted_without_core_changes(example_installed: Path, database_url: str) -> None:
    app = create_app(settings_for(database_url))  # discovers modules through entry points
    async with AsyncTestClient(app) as client:
        species = await client.get("/v1/seedlings/species")
        assert species.status_code == 200
        assert [s["code"] for s in species.json()["items"]] == ["mahoni", "mangga", "trembesi"]

        # Beside the built-in modules, which register through the same entry points.
        services = {s["code"]: s for s in (await client.get("/v1/services")).json()["items"]}
        assert set(services) == {"complaints.report", "permits.apply", "appointments.book", "seedlings.request"}
        assert services["seedlings.request"]["opd"]["code"] == "DLH"
        assert services["seedlings.request"]["title"] == {"id": "Bibit Pohon Gratis", "en": "Free Tree Seedlings"}

    assert "/v1/seedlings/species" in (document_errors(app).paths or {})
    connection = await asyncpg.connect(database_url)
    try:
        assert await connection.fetchval("SELECT to_regclass('seedlings.species')::text") == "seedlings.species"
        assert await connection.fetchval("SELECT to_regclass('public.species')") is None
        ledger = await connection.fetch("SELECT namespace, name FROM schema_migrations WHERE namespace = 'seedlings'")
        assert [tuple(row) for row in ledger] == [("seedlings", "0001_species.sql")]
    finally:
        await connection.close()


@pytest.mark.e2e
async def test_a_disabled_module_is_neither_mounted_nor_listed(example_installed: Path, database_url: str) -> None:
    app = create_app(settings_for(database_url, SERANG_MODULES="none"))
    async with AsyncTestClient(app) as client:
        assert (await client.get("/v1/seedlings/species")).status_code == 404
        assert (await client.get("/v1/services")).json()["items"] == []


@pytest.mark.e2e
def test_discovery_reports_what_it_found(example_installed: Path) -> None:
    found = {module.name: module for module in discover_modules(None)}
    assert found["seedlings"].enabled
    assert found["seedlings"].distribution == "serang-seedlings"
    assert found["seedlings"].spec is not None
    assert [spec.slug for spec in enabled_specs(frozenset({"seedlings"}))] == ["seedlings"]


# --- a module declared in code: catalogue insertion keeps administrators' edits --------------


async def test_declared_services_are_inserted_once_and_edits_survive(database_url: str) -> None:
    @get("/ping", opt={"public": True})
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    service = CatalogueService(
        code="parks.booking",
        opd_code="DISPERKIM",
        title=Text(id="Sewa Taman", en="Park Booking"),
        description=Text(id="Pesan taman kota.", en="Book a city park."),
    )
    spec = _spec("parks", router=Router(path="/", route_handlers=[ping]), services=(service,))
    settings = settings_for(database_url, SERANG_CATALOGUE_CACHE_SECONDS="0")
    async with AsyncTestClient(create_app(settings, modules=[spec])) as client:
        assert (await client.get("/v1/parks/ping")).json() == {"pong": "yes"}
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute(
                """UPDATE catalogue_services SET title = '{"id": "Taman Kota", "en": "City Parks"}'
                   WHERE code = 'parks.booking'"""
            )
        finally:
            await connection.close()
    async with AsyncTestClient(create_app(settings, modules=[spec])) as client:  # a restart
        items = (await client.get("/v1/services")).json()["items"]
        assert items[0]["title"] == {"id": "Taman Kota", "en": "City Parks"}


# --- validation -------------------------------------------------------------------------------


def test_modules_come_in_dependency_order() -> None:
    specs = [_spec("reports", depends_on=("parks",)), _spec("parks")]
    assert [spec.slug for spec in validate_modules(specs)] == ["parks", "reports"]


async def _task(context: ModuleTaskContext) -> None:
    """A module task that does nothing: only its declaration is checked here."""


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([_spec("parks"), _spec("parks")], "module slug 'parks' is declared twice"),
        ([_spec("reports", depends_on=("parks",))], "module 'reports' depends on 'parks', which is not installed"),
        ([_spec("Parks!")], "slug must be 2-31 lowercase letters"),
        ([_spec("admin")], "module 'admin': slug is reserved by the core"),
        ([_spec("parks", core_api=2)], "needs core API version 2, this core offers 1"),
        ([_spec("parks", migrations=Path("/nonexistent"))], "migrations folder not found"),
        (
            [_spec("parks", permissions=(Permission("cases.read", ("officer",), "Read cases"),))],
            "permission 'cases.read' must start with 'parks.'",
        ),
        (
            [
                _spec(
                    "parks",
                    services=(
                        CatalogueService(
                            code="other.x", opd_code="DLH", title=Text(id="a", en="a"), description=Text(id="a", en="a")
                        ),
                    ),
                )
            ],
            "catalogue service 'other.x' must start with 'parks.'",
        ),
        ([_spec("parks", templates={"done": Text(id="Selesai", en=" ")})], "template 'done' needs both"),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "b", notify="missing")),))],
            "sends template 'missing', which the module does not declare",
        ),
        (
            [_spec("parks", workflows=(_workflow(states=("a",), initial="z"),))],
            "initial state 'z' is not one of its states",
        ),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "b"), states=("a", "b", "c")),))],
            "state 'c' cannot be reached from 'a'",
        ),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "x")),))],
            "action 'to_x' names unknown state 'x'",
        ),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "b", actors=("janitor",))),))],
            "action 'to_b' names unknown actor 'janitor'",
        ),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "b", actors=())),))],
            "action 'to_b' names nobody who may take it",
        ),
        (
            [_spec("parks", root_router=Router(path="/v1/parks-extra", route_handlers=[]))],
            "root router path '/v1/parks-extra' must be a path of its own",
        ),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "b", when_rated=True)),))],
            "action 'to_b' is taken by the core (when_rated or after_days) but does not name 'system'",
        ),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "b", actors=("system",), after_days=0)),))],
            "action 'to_b': after_days must be 1 to 365",
        ),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "b", actors=("resident",), reroutes=True)),))],
            "action 'to_b' reroutes the case but names no staff role to take it",
        ),
        (
            [_spec("parks", workflows=(_workflow(_go("a", "b"), reference_prefix="prk"),))],
            "reference prefix 'prk' must be 2-5 capital letters",
        ),
        (
            [
                _spec("parks", workflows=(_workflow(_go("a", "b")),)),
                _spec("pools", workflows=(_workflow(_go("a", "b")),)),
            ],
            "reference prefix 'PRK' is used by more than one workflow: parks/w, pools/w",
        ),
        (
            [_spec("a1", depends_on=("b1",)), _spec("b1", depends_on=("a1",))],
            "module dependencies form a cycle",
        ),
        (
            [_spec("parks", tasks=(ModuleTask(name="sweep", interval_seconds=60, run=_task),) * 2)],
            "task 'sweep' is declared twice",
        ),
        (
            [_spec("parks", tasks=(ModuleTask(name="Sweep Now", interval_seconds=60, run=_task),))],
            "task 'Sweep Now': name must be lowercase letters",
        ),
        (
            [_spec("parks", tasks=(ModuleTask(name="sweep", interval_seconds=0, run=_task),))],
            "task 'sweep': interval_seconds must be positive",
        ),
    ],
)
def test_a_wrong_declaration_is_refused_with_a_clear_message(specs: list[ModuleSpec], message: str) -> None:
    with pytest.raises(ModuleError) as raised:
        validate_modules(specs)
    assert message in str(raised.value)


# --- the data contract: a module reaching past the core's views is refused before it runs ------


@pytest.fixture
def peeking_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/support/peeking_module registered by an entry point, as an installed package is."""
    metadata = tmp_path / "serang_peeking-0.1.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: serang-peeking\nVersion: 0.1\n")
    (metadata / "entry_points.txt").write_text("[serang_app.modules]\npeeking = tests.support.peeking_module:PEEKING\n")
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.mark.usefixtures("peeking_installed")
def test_a_module_whose_code_names_core_tables_is_refused_at_start_up() -> None:
    with pytest.raises(ModuleError) as raised:
        load_modules(settings_for("postgresql://127.0.0.1:1/unused", SERANG_MODULES="peeking"))
    message = str(raised.value)
    where = "module 'peeking': tests/support/peeking_module/__init__.py"
    assert f"{where}:24: names the core table public.residents: read core data through the views of schema core" in (
        message
    )
    assert f"{where}:25: names 'cases' without a schema, which at run time means the core's public.cases" in message
    # The built-in modules keep to the contract: with them alone the same start-up goes on.
    built_in = load_modules(
        settings_for("postgresql://127.0.0.1:1/unused", SERANG_MODULES="complaints,permits,appointments")
    )
    assert sorted(spec.slug for spec in built_in) == ["appointments", "complaints", "permits"]


def test_a_module_migration_naming_core_tables_outside_references_is_refused() -> None:
    with pytest.raises(ModuleError) as raised:
        validate_modules([PEEKING])
    message = str(raised.value)
    # The foreign key to a documented key table is allowed; one to another core table is not, nor a read.
    assert "migration 0001_callers.sql: names the core table public.catalogue_services;" in message
    assert message.count("names the core table public.residents;") == 1
    assert "a module's migration may name only public.cases, public.opds, public.regions, public.residents" in message
