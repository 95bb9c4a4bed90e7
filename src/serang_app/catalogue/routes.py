"""GET /v1/services: the home-screen catalogue, both languages in one answer."""

from __future__ import annotations

from litestar import get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from serang_app.catalogue.schemas import ServiceList
from serang_app.catalogue.service import CatalogueCache
from serang_app.http.caching import CACHED_OPT, NOT_MODIFIED


@get(
    "/v1/services",
    tags=["catalogue"],
    summary="The home-screen catalogue of public services",
    opt={"public": True, CACHED_OPT: True},
    responses={200: ResponseSpec(ServiceList, description="The whole list", generate_examples=False), **NOT_MODIFIED},
)
async def list_services(scope: Scope) -> ASGIResponse:
    # The hottest route of the app takes only the scope: no injected dependency, no validated
    # parameter, each of which costs more per request than serving the cached bytes.
    state = scope["app"].state
    cache: CatalogueCache = state.catalogue_cache
    catalogue = await cache.get(state.database)
    return catalogue.json.answer(scope)
