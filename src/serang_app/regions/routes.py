"""GET /v1/regions?parent= : the regency, its districts, or a district's villages."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import QueryParameter
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from serang_app.http.caching import CACHED_OPT, NOT_MODIFIED
from serang_app.http.problems import ApiError, LocalizedFieldError
from serang_app.regions.schemas import RegionList
from serang_app.regions.service import RegionDirectory
from serang_app.settings import DEFAULT_REGION

RegionCode = Annotated[
    str | None,
    QueryParameter(
        name="parent",
        description="A region code. Leave out for the regency or city this service covers "
        f"(SERANG_REGION_CODE, {DEFAULT_REGION} by default); its code for its districts; "
        f"a district code such as {DEFAULT_REGION}.05 for its villages. A code outside the region is a 422.",
        pattern=r"^\d{2}\.\d{2}(\.\d{2})?(\.\d{4})?$",
        max_length=13,
        examples=[Example(value=DEFAULT_REGION)],
        required=False,
    ),
]


@get(
    "/v1/regions",
    tags=["reference"],
    summary="Districts and villages of the regency or city",
    opt={"public": True, "problems": [404, 422], CACHED_OPT: True},
    responses={200: ResponseSpec(RegionList, description="The whole list", generate_examples=False), **NOT_MODIFIED},
)
async def list_regions(scope: Scope, state: State, parent: RegionCode = None) -> ASGIResponse:
    directory: RegionDirectory = state.region_directory  # from the state: see catalogue/routes.py
    if parent is not None and not directory.covers(parent):
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "parent",
                    f"Kode wilayah di luar wilayah layanan ini ({directory.region_code})",
                    f"A region code outside this service's region ({directory.region_code})",
                )
            ],
        )
    children = await directory.children(state.database, parent)
    if children is None:
        raise ApiError(404, "region_not_found", params={"code": parent})
    return children.answer(scope)
