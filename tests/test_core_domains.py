"""The core is declared like a module: one list of domains (domains.py), each a `domain.py`."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from serang_app.app import create_app
from serang_app.auth.middleware import BearerTokenAuthentication
from serang_app.bilingual import ProblemText, Text
from serang_app.declaration import CoreDomain
from serang_app.domains import CORE_DOMAINS, core_problems, permission_registry
from serang_app.http.messages import problem_text
from serang_app.settings import load_settings
from serang_app.worker.runner import CORE_TASKS
from tests.support.database import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "serang_app"


def _behind_authentication(app: Litestar, path: str) -> bool:
    route = next(r for r in app.routes if isinstance(r, HTTPRoute) and r.path == path)
    handler = next(h for h in route.route_handlers if "OPTIONS" not in h.http_methods)
    return any(
        getattr(layer, "middleware", None) is BearerTokenAuthentication for layer in handler.resolve_middleware()
    )


def test_every_domain_folder_with_a_declaration_is_in_the_one_list() -> None:
    declared = {path.parent.name for path in PACKAGE.glob("*/domain.py")}
    listed = [domain.name for domain in CORE_DOMAINS]
    assert len(listed) == len(set(listed)), "two core domains share a name"
    assert declared == set(listed), "a domain.py is missing from domains.py, or a listed domain has none"
    assert {"cases", "uploads", "auth", "http", "storage"} <= set(listed)


def test_the_app_mounts_public_routes_openly_and_signed_in_ones_behind_authentication() -> None:
    app = create_app(load_settings({}), modules=[])
    assert not _behind_authentication(app, "/v1/services")  # catalogue: public
    assert not _behind_authentication(app, "/v1/auth/refresh")  # auth: public
    assert _behind_authentication(app, "/v1/me")  # residents: signed in
    assert _behind_authentication(app, "/v1/admin/audit")  # audit: signed in
    assert _behind_authentication(app, "/v1/uploads")  # uploads: signed in


def test_the_development_storage_routes_are_mounted_only_with_the_local_backend() -> None:
    def storage_paths(app: Litestar) -> list[str]:
        return [route.path for route in app.routes if route.path.startswith("/v1/storage")]

    assert storage_paths(create_app(load_settings({}), modules=[])) == ["/v1/storage/{key:path}"]
    assert storage_paths(create_app(load_settings({"S3_BUCKET": "uploads"}), modules=[])) == []


def test_the_domains_problem_texts_are_the_apps() -> None:
    create_app(load_settings({}), modules=[])
    for code, text in core_problems().items():
        assert problem_text(code) == text, code
    assert problem_text("nik_taken").title.en == "NIK already registered"  # the residents domain's


def test_two_domains_declaring_one_problem_code_are_refused() -> None:
    text = ProblemText(title=Text(id="Judul", en="Title"), detail=Text(id="Rincian", en="Detail"))
    first = CoreDomain(name="first", problems={"same_code": text})
    second = CoreDomain(name="second", problems={"same_code": text, "other_code": text})
    with pytest.raises(ValueError, match="same_code"):
        core_problems([first, second])
    assert set(core_problems([first])) == {"same_code"}


def test_the_domains_permissions_and_tasks_are_gathered() -> None:
    registry = permission_registry([])
    for domain in CORE_DOMAINS:
        for permission in domain.permissions:
            assert permission.code in registry, permission.code
    assert "cases.work" in registry.for_role("officer")
    assert "audit.read" not in registry.for_role("officer")
    assert {task.name for task in CORE_TASKS} == {task.name for domain in CORE_DOMAINS for task in domain.tasks}
    assert {"deliver_pushes", "take_timed_transitions", "delete_abandoned_uploads"} <= {t.name for t in CORE_TASKS}
