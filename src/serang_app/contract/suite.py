"""ModuleContract: the tests every module must pass, as a class a module's own tests subclass.

    from serang_app.contract import ModuleContract

    class TestSeedlingsContract(ModuleContract):
        module = "seedlings"

        async def make_objects(self, client, resident):
            created = await client.post("/v1/seedlings/requests", json={...}, headers=resident)
            return {"request_id": created.json()["id"]}

pytest collects the inherited tests. The database server comes from the `serang_test_server`
fixture of the pytest plugin (plugin.py); the tests are plain functions, so no asyncio plugin
is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import ClassVar

import httpx

from serang_app.contract.bola import probe_other_residents_objects
from serang_app.contract.checks import (
    data_contract_problems,
    declaration_problems,
    installed_module,
    installed_package,
    openapi_problems,
    route_problems,
    template_and_workflow_problems,
)
from serang_app.contract.migration_check import migration_problems
from serang_app.contract.servers import TestServer
from serang_app.module_system.spec import ModuleSpec


def _fail_on(problems: list[str], what: str) -> None:
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"{what}:\n{listed}")


class ModuleContract:
    # The module's slug: its entry point name in [project.entry-points."serang_app.modules"].
    module: ClassVar[str]
    # Routes ("METHOD /path/{param}") another resident may use on purpose, with the reason
    # (supporting someone else's public complaint); the BOLA probe leaves them out.
    open_to_other_residents: ClassVar[Mapping[str, str]] = {}
    # The import name of the package whose SQL the data contract's test reads; by default the one
    # the module's entry point loads it from.
    package: ClassVar[str | None] = None

    def module_specs(self) -> list[ModuleSpec]:
        """The module and those it depends on; by default found through the entry points, as the
        app finds them. Override to test a spec that is not installed."""
        return installed_module(self.module)

    async def make_objects(self, client: httpx.AsyncClient, resident: dict[str, str]) -> Mapping[str, str]:
        """Make objects of the resident whose headers are `resident` through the module's API, and
        return the path parameters naming them ({"request_id": "..."}). None by default: then
        only the cases the resident has are probed, and there are none."""
        return {}

    def _spec(self) -> tuple[ModuleSpec, list[ModuleSpec]]:
        specs = self.module_specs()
        return specs[-1], specs

    def test_the_declaration_is_valid(self) -> None:
        _, specs = self._spec()
        _fail_on(declaration_problems(specs), "the module's declaration is refused")

    def test_every_route_declares_a_permission(self) -> None:
        spec, specs = self._spec()
        _fail_on(route_problems(spec, specs), "routes without a permission")

    def test_every_state_is_reachable_and_every_template_is_in_both_languages(self) -> None:
        spec, _ = self._spec()
        _fail_on(template_and_workflow_problems(spec), "workflow and template problems")

    def test_the_module_reads_core_data_only_through_the_core_views(self) -> None:
        spec, _ = self._spec()
        package = self.package or installed_package(self.module)
        _fail_on(
            data_contract_problems(spec, package), "SQL past the data contract (docs/core-api.md, 'The data contract')"
        )

    def test_the_migrations_apply_on_an_empty_database_and_again_without_effect(
        self, serang_test_server: TestServer
    ) -> None:
        spec, specs = self._spec()
        _fail_on(asyncio.run(migration_problems(serang_test_server, spec, specs)), "migration problems")

    def test_the_openapi_document_builds(self) -> None:
        spec, specs = self._spec()
        _fail_on(openapi_problems(spec, specs), "OpenAPI problems")

    def test_a_resident_cannot_reach_another_residents_objects(self, serang_test_server: TestServer) -> None:
        spec, specs = self._spec()
        report = asyncio.run(
            probe_other_residents_objects(
                serang_test_server, spec, specs, self.make_objects, self.open_to_other_residents
            )
        )
        _fail_on(report.problems, "another resident reached these objects")
        # A route left out for want of a value would pass unchecked: every one must be probed.
        _fail_on(
            report.not_probed,
            "make_objects gave no value for these routes' path parameters (for a route that is not "
            "the resident's own any value will do: it is probed for a refusal)",
        )
