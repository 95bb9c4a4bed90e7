"""/v1/uploads: start an upload, complete it once the file is stored, read it back."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter
from litestar.response import Redirect

from serang_app.app_state import check_pool_of, database_of, settings_of, storage_of
from serang_app.auth.actor import CaseActor
from serang_app.auth.principal import Principal
from serang_app.http.public_url import public_base_url
from serang_app.storage.serving import NO_SNIFF
from serang_app.uploads.schemas import StartedUpload, Upload, UploadRequest
from serang_app.uploads.service import (
    UploadOwner,
    complete_upload,
    public_thumbnail_url,
    read_upload,
    start_upload,
)

UploadId = Annotated[uuid.UUID, PathParameter(description="The upload's id, from POST /v1/uploads.")]
UploadsRequest = Request[Principal, Any, Any]


class UploadController(Controller):
    path = "/v1/uploads"
    tags = ("uploads",)

    @post(
        operation_id="startUpload",
        summary="Start an upload: where and how to send the file",
        opt={"permission": "uploads.create", "problems": [409]},
    )
    async def start(self, request: UploadsRequest, state: State, data: JSONBody[UploadRequest]) -> StartedUpload:
        async with database_of(state).acquire() as connection:
            return await start_upload(
                connection,
                storage_of(state),
                UploadOwner.of(CaseActor.of(request)),
                data,
                public_base_url(request),
                max_pending=settings_of(state).max_pending_uploads,
            )

    @post(
        "/{upload_id:uuid}/complete",
        operation_id="completeUpload",
        summary="Check the sent file and keep it for use",
        status_code=200,
        opt={"permission": "uploads.create", "problems": [404, 409]},
    )
    async def complete(self, request: UploadsRequest, state: State, upload_id: UploadId) -> Upload:
        return await complete_upload(
            database_of(state),
            storage_of(state),
            check_pool_of(state),
            UploadOwner.of(CaseActor.of(request)),
            upload_id,
            public_base_url(request),
        )

    @get(
        "/{upload_id:uuid}/public-thumbnail",
        summary="The thumbnail of a photo on a public case, for anyone (a redirect to a short-lived link)",
        status_code=307,
        opt={"public": True, "problems": [404]},
        response_headers=[NO_SNIFF],
    )
    async def public_thumbnail(self, request: Request[Any, Any, Any], state: State, upload_id: UploadId) -> Redirect:
        async with database_of(state).acquire() as connection:
            url = await public_thumbnail_url(connection, storage_of(state), upload_id, public_base_url(request))
        return Redirect(url, status_code=307, headers={"Cache-Control": "public, max-age=60"})

    @get(
        "/{upload_id:uuid}",
        summary="An upload, with short-lived links to its files",
        opt={"permission": "uploads.read", "problems": [404]},
    )
    async def get_upload(self, request: UploadsRequest, state: State, upload_id: UploadId) -> Upload:
        async with database_of(state).acquire() as connection:
            return await read_upload(
                connection, storage_of(state), CaseActor.of(request), upload_id, public_base_url(request)
            )
