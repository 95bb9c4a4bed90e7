"""GET /v1/services: the home-screen catalogue, both languages in one answer."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Response

from serang_app.catalogue.schemas import ServiceList
from serang_app.catalogue.service import CatalogueCache
from serang_app.db.pool import Database
from serang_app.http.caching import CACHE_HEADERS, NOT_MODIFIED, IfNoneMatch, cached_json_response


@get(
    "/v1/services",
    tags=["catalogue"],
    summary="The home-screen catalogue of public services",
    opt={"public": True},
    response_headers=CACHE_HEADERS,
    responses=NOT_MODIFIED,
)
async def list_services(
    database: NamedDependency[Database],
    catalogue_cache: NamedDependency[CatalogueCache],
    if_none_match: IfNoneMatch = None,
) -> Response[ServiceList]:
    catalogue = await catalogue_cache.get(database)
    return cached_json_response(catalogue.body, catalogue.etag, if_none_match, max_age=60)
