"""/v1/storage/{key}: the local backend's presigned PUT and GET, served by the app in development.

Public routes: the signature in the URL is the permission (storage/local.py checks it), as a
presigned S3 URL is. A changed or expired URL answers 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, put
from litestar.datastructures import State
from litestar.params import PathParameter
from litestar.response import Response

from serang_app.http.body import BODY_MEDIA_TYPES_OPT
from serang_app.http.openapi_clients import BINARY_OPT
from serang_app.http.problems import ApiError
from serang_app.http.write_limits import NO_ADDRESS_LIMIT_OPT
from serang_app.storage.limits import ObjectLimits
from serang_app.storage.local import InvalidSignatureError, LocalStorage
from serang_app.storage.serving import NO_SNIFF

StorageKey = Annotated[str, PathParameter(description="The object's key, as the presigned URL gives it.")]


def local_storage_controller(limits: ObjectLimits) -> type[Controller]:
    """The routes, taking bodies up to ``limits`` (what the domain that stores asks for)."""

    class LocalStorageController(Controller):
        path = "/v1/storage"
        tags = ("uploads",)

        @put(
            "/{key:path}",
            summary="Send a file to a presigned upload URL (development storage)",
            status_code=204,
            request_max_body_size=limits.max_bytes,
            opt={
                "public": True,
                "problems": [403, 413, 415],
                BODY_MEDIA_TYPES_OPT: sorted(limits.content_types),
                NO_ADDRESS_LIMIT_OPT: True,  # a signed URL, issued to a signed-in resident
            },
        )
        async def put_object(self, request: Request[Any, Any, Any], state: State, key: StorageKey) -> None:
            storage = _local(state)
            key = key.lstrip("/")
            query = dict(request.query_params)
            _check(storage, "PUT", key, query)
            if request.headers.get("content-type", "").split(";")[0].strip().lower() != query.get("type"):
                raise ApiError(403)  # the URL was signed for another type
            body = await request.body()
            if not body or len(body) > int(query.get("max", "0")):
                raise ApiError(403)  # outside the signed size range, like S3's content-length-range
            await storage.write(key, body, query["type"])

        @get(
            "/{key:path}",
            summary="Read a file through a presigned URL (development storage)",
            # The stored file's own type, which only the upload decided.
            opt={
                "public": True,
                "problems": [403, 404],
                BINARY_OPT: ["image/*", "application/pdf", "application/octet-stream"],
            },
            response_headers=[NO_SNIFF],
        )
        async def get_object(self, request: Request[Any, Any, Any], state: State, key: StorageKey) -> Response[bytes]:
            storage = _local(state)
            key = key.lstrip("/")
            _check(storage, "GET", key, dict(request.query_params))
            data = await storage.read(key, limits.max_bytes)
            content_type = await storage.content_type(key)
            if data is None or content_type is None:
                raise ApiError(404)
            return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=300"})

    return LocalStorageController


def _local(state: State) -> LocalStorage:
    storage = state.storage
    if not isinstance(storage, LocalStorage):
        raise ApiError(404)
    return storage


def _check(storage: LocalStorage, method: str, key: str, query: dict[str, str]) -> None:
    try:
        storage.check(method, key, query)
    except InvalidSignatureError:
        raise ApiError(403) from None
