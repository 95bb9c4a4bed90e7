"""Names in the OpenAPI document that stay unique however many modules are mounted.

Generated clients put every schema, and in several generators every operation, in one namespace.
Two modules (or a module and the core) declaring a `Service` collided: Litestar kept both under
path-like keys but with one title, and openapi-python-client dropped both. So the core names a
module's schemas and operations after the module, and refuses a document where two still collide:
- a module's schemas (the msgspec Structs defined in the package of its routes) are titled
  `{Slug}{Name}` (`AppointmentsService`), and every schema's key is its title;
- a module's operation ids start with the module's slug (`complaintsReport`) unless they already
  name it (`bookAppointment`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import msgspec
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Components, OpenAPI, Operation, Reference
from litestar.routes import BaseRoute, HTTPRoute

from serang_app.http.openapi_schemas import map_nodes

# Set on a module's routers (module_system/plugin.py): its handlers inherit it through their opt.
MODULE_OPT = "module"
MODULE_NAME_OPT = "module_name"
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def pascal(slug: str) -> str:
    return "".join(word.capitalize() for word in slug.replace("-", "_").split("_"))


def camel(words: str) -> str:
    first, *rest = words.split("_")
    return first + "".join(word.capitalize() for word in rest)


def operation_name(handler: HTTPRouteHandler) -> str:
    """The handler's name in camelCase, after its module's slug unless it already names the module."""
    name = camel(handler.handler_name)
    slug = handler.opt.get(MODULE_OPT)
    if not slug:
        return name
    stem = slug.replace("-", "").replace("_", "").removesuffix("s")
    if stem in name.lower():
        return name
    return camel(slug.replace("-", "_")) + name[0].upper() + name[1:]


def title_module_schemas(slug: str, routes: Iterable[BaseRoute], structs: Iterable[type[msgspec.Struct]]) -> None:
    """Give the Structs of the module's package a title after the module; Litestar uses it as the title."""
    packages = {
        sys.modules[handler.fn.__module__].__package__ or handler.fn.__module__
        for route in routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if not handler.fn.__module__.startswith("litestar.")  # the OPTIONS handlers Litestar adds
    }
    if not packages:
        return
    package = ".".join(_common_prefix([p.split(".") for p in packages]))
    prefix = pascal(slug)
    for struct in structs:
        if struct.__module__ == package or struct.__module__.startswith(package + "."):
            name = struct.__name__
            struct.__schema_name__ = name if name.startswith(prefix) else prefix + name  # type: ignore[attr-defined]


def key_schemas_by_title(document: OpenAPI) -> None:
    """Every schema under its title, references included; two schemas with one title are an error."""
    components = document.components
    if not isinstance(components, Components) or not components.schemas:
        return
    renamed: dict[str, str] = {}
    schemas: dict[str, Any] = {}
    for key, schema in components.schemas.items():
        name = getattr(schema, "title", None) or key
        if name in schemas:
            raise ValueError(f"two schemas are both named {name!r} in the OpenAPI document; rename one")
        schemas[name] = schema
        if name != key:
            renamed[f"#/components/schemas/{key}"] = f"#/components/schemas/{name}"
    components.schemas = schemas

    def rename(node: Any) -> Any:
        if isinstance(node, Reference) and node.ref in renamed:
            node.ref = renamed[node.ref]
        return node

    map_nodes(document, rename)


def check_operation_ids(document: OpenAPI) -> None:
    seen: dict[str, str] = {}
    for path, item in (document.paths or {}).items():
        for method in _HTTP_METHODS:
            operation = getattr(item, method, None)
            if isinstance(operation, Operation) and operation.operation_id:
                where = f"{method.upper()} {path}"
                if operation.operation_id in seen:
                    raise ValueError(
                        f"{where} and {seen[operation.operation_id]} share the operation id {operation.operation_id!r}"
                    )
                seen[operation.operation_id] = where


def _common_prefix(parts: list[list[str]]) -> list[str]:
    common = parts[0]
    for other in parts[1:]:
        length = 0
        while length < min(len(common), len(other)) and common[length] == other[length]:
            length += 1
        common = common[:length]
    return common
