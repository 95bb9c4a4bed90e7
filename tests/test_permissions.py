"""Every route declares who may call it; staff and admin routes never admit residents."""

from __future__ import annotations

import pytest
from litestar import Router, get
from litestar.routes import HTTPRoute

from serang_app.app import create_app
from serang_app.auth.permissions import PermissionRegistry, is_public
from serang_app.module_system import ModuleSpec, Permission
from serang_app.module_system.discovery import ModuleError
from serang_app.settings import load_settings

SETTINGS = load_settings({"DATABASE_URL": "postgresql://unused@127.0.0.1/unused"})


def test_every_route_of_the_app_declares_public_or_a_permission() -> None:
    app = create_app(SETTINGS)
    registry: PermissionRegistry = app.state.permission_registry
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/schema"):
            continue
        for handler in route.route_handlers:
            checked += 1
            if is_public(handler):
                continue
            code = handler.opt.get("permission")
            assert code in registry, f"{route.path} {handler.http_methods} declares no known permission"
            if route.path.startswith(("/v1/admin", "/v1/staff")):
                assert code not in registry.for_role("resident"), f"{route.path} lets residents in"
    assert checked > 10


def test_a_module_route_without_a_permission_stops_start_up() -> None:
    @get("/secret")
    async def secret() -> dict[str, str]:
        return {"secret": "yes"}

    careless = ModuleSpec(
        slug="careless", name="Careless", version="1", router=Router(path="/", route_handlers=[secret])
    )
    with pytest.raises(ModuleError, match=r"/v1/careless/secret \(secret\) declares no permission"):
        create_app(SETTINGS, modules=[careless])


def test_a_module_route_naming_an_unknown_permission_stops_start_up() -> None:
    @get("/report", opt={"permission": "careless.report"})
    async def report() -> dict[str, str]:
        return {}

    careless = ModuleSpec(
        slug="careless", name="Careless", version="1", router=Router(path="/", route_handlers=[report])
    )
    with pytest.raises(ModuleError, match=r"needs unknown permission 'careless\.report'"):
        create_app(SETTINGS, modules=[careless])
    declared = ModuleSpec(
        slug="careless",
        name="Careless",
        version="1",
        router=Router(path="/", route_handlers=[report]),
        permissions=(Permission("careless.report", ("supervisor",), "Read the report"),),
    )
    registry: PermissionRegistry = create_app(SETTINGS, modules=[declared]).state.permission_registry
    assert "careless.report" in registry.for_role("supervisor")
    assert "careless.report" in registry.for_role("admin")  # admins hold every staff permission
    assert "careless.report" not in registry.for_role("officer")
    assert "careless.report" not in registry.for_role("resident")


def test_a_signed_in_route_outside_the_authentication_layer_stops_start_up() -> None:
    from litestar import Litestar
    from litestar.datastructures import State

    from serang_app.app import check_route_permissions
    from serang_app.domains import permission_registry

    @get("/v1/forgotten", opt={"permission": "audit.read"})
    async def forgotten() -> dict[str, str]:
        return {}

    app = Litestar([forgotten], state=State({"permission_registry": permission_registry([])}))
    with pytest.raises(ModuleError, match="is not behind the authentication middleware"):
        check_route_permissions(app)
