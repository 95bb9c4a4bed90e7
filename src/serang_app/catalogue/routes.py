"""GET /v1/services: the home-screen catalogue, both languages in one answer."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Response

from serang_app.catalogue.schemas import ServiceList
from serang_app.catalogue.service import CatalogueCache
from serang_app.db.pool import Database
from serang_app.http.caching import cached_json_response


@get(
    "/v1/services",
    tags=["catalogue"],
    summary="The home-screen catalogue of public services",
    opt={"public": True},
    responses={304: ResponseSpec(None, description="Not modified since the ETag given in If-None-Match")},
)
async def list_services(
    request: Request[Any, Any, Any],
    database: NamedDependency[Database],
    catalogue_cache: NamedDependency[CatalogueCache],
) -> Response[ServiceList]:
    catalogue = await catalogue_cache.get(database)
    return cached_json_response(request, catalogue.body, catalogue.etag, max_age=60)
