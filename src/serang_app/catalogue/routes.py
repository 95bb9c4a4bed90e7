"""GET /v1/services: the home-screen catalogue, both languages in one answer."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.response.base import ASGIResponse

from serang_app.catalogue.schemas import ServiceList
from serang_app.catalogue.service import CatalogueCache
from serang_app.http.caching import CACHED_OPT, NOT_MODIFIED, IfNoneMatch, cached_json_response


@get(
    "/v1/services",
    tags=["catalogue"],
    summary="The home-screen catalogue of public services",
    opt={"public": True, CACHED_OPT: True},
    responses={200: ResponseSpec(ServiceList, description="The whole list", generate_examples=False), **NOT_MODIFIED},
)
async def list_services(state: State, if_none_match: IfNoneMatch = None) -> ASGIResponse:
    # Read from the app state, not injected: the hottest route of the app, and Litestar resolves two
    # or more dependencies in a task group per request, which costs more than the answer.
    cache: CatalogueCache = state.catalogue_cache
    catalogue = await cache.get(state.database)
    return cached_json_response(catalogue.body, catalogue.etag, if_none_match, max_age=60)
