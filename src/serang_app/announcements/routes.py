"""GET /v1/announcements (public, cached) and /v1/admin/announcements (publish, list, withdraw)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, cast

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.response import Redirect
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from serang_app.announcements.schemas import AnnouncementDraft, AnnouncementList, PublishedAnnouncement
from serang_app.announcements.schemas import PublishedAnnouncementPage as AdminPage
from serang_app.announcements.service import AnnouncementFeed, admin_page, image_link, publish, withdraw
from serang_app.app_state import database_of, settings_of, storage_of
from serang_app.audit.log import record_by_caller
from serang_app.auth.actor import CaseActor
from serang_app.auth.principal import Principal
from serang_app.http.caching import CACHED_OPT, NOT_MODIFIED
from serang_app.http.pagination import DEFAULT_LIMIT, PageCursor, PageLimit
from serang_app.http.public_url import public_base_url
from serang_app.settings import DEFAULT_REGION
from serang_app.storage.serving import NO_SNIFF
from serang_app.uploads.service import UploadOwner

FEED_MAX_LIMIT = 50
_ADMINS = {"permission": "announcements.manage"}
AnnouncementId = Annotated[uuid.UUID, PathParameter(description="The announcement's id.")]
FeedDistrict = Annotated[
    str | None,
    QueryParameter(
        name="district",
        description=f"The resident's district ({DEFAULT_REGION}.05): its announcements and the regency's. "
        "Leave out for the regency's only.",
        pattern=r"^\d{2}\.\d{2}\.\d{2}$",
        required=False,
    ),
]
FeedLimit = Annotated[
    int,
    QueryParameter(
        name="limit", ge=1, le=FEED_MAX_LIMIT, description="How many, newest first (1 to 50).", required=False
    ),
]


def feed_of(state: State) -> AnnouncementFeed:
    return cast("AnnouncementFeed", state.announcement_feed)


@get(
    "/v1/announcements",
    tags=["announcements"],
    summary="Announcements from the regency for everyone, or for one district",
    opt={"public": True, "problems": [422], CACHED_OPT: True},
    responses={
        200: ResponseSpec(AnnouncementList, description="Newest first", generate_examples=False),
        **NOT_MODIFIED,
    },
)
async def list_announcements(
    scope: Scope, request: Request[Any, Any, Any], state: State, district: FeedDistrict = None, limit: FeedLimit = 20
) -> ASGIResponse:
    answer = await feed_of(state).get(database_of(state), district, limit, public_base_url(request))
    return answer.answer(scope)


@get(
    "/v1/announcements/{announcement_id:uuid}/image",
    tags=["announcements"],
    summary="An announcement's image (a redirect to a short-lived link)",
    status_code=307,
    opt={"public": True, "problems": [404]},
    response_headers=[NO_SNIFF],
)
async def announcement_image(
    request: Request[Any, Any, Any], state: State, announcement_id: AnnouncementId
) -> Redirect:
    async with database_of(state).acquire() as connection:
        url = await image_link(connection, storage_of(state), announcement_id, public_base_url(request))
    return Redirect(url, status_code=307, headers={"Cache-Control": "public, max-age=60"})


class AnnouncementAdminController(Controller):
    path = "/v1/admin/announcements"
    tags = ("admin",)
    opt = _ADMINS

    @post(summary="Publish an announcement and push it to its districts", opt={"problems": [404, 422]})
    async def publish_announcement(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[AnnouncementDraft]
    ) -> PublishedAnnouncement:
        publisher = UploadOwner.of(CaseActor.of(request))
        async with database_of(state).acquire() as connection, connection.transaction():
            region_code = settings_of(state).region_code
            published = await publish(connection, publisher, data, public_base_url(request), region_code)
            await record_by_caller(
                connection,
                request,
                action="announcement.published",
                object_type="announcement",
                object_id=str(published.id),
                details={"district_codes": published.district_codes},
            )
        feed_of(state).invalidate()
        return published

    @get(summary="Every announcement, newest first, with how its pushes went", opt={"problems": [422]})
    async def list_published(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        limit: PageLimit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
    ) -> AdminPage:
        async with database_of(state).acquire() as connection:
            return await admin_page(connection, public_base_url(request), limit=limit, cursor=cursor)

    @delete(
        "/{announcement_id:uuid}",
        summary="Withdraw an announcement: out of the feed, unsent pushes cancelled",
        opt={"problems": [404]},
    )
    async def withdraw_announcement(
        self, request: Request[Principal, Any, Any], state: State, announcement_id: AnnouncementId
    ) -> None:
        async with database_of(state).acquire() as connection, connection.transaction():
            await withdraw(connection, announcement_id)
            await record_by_caller(
                connection,
                request,
                action="announcement.withdrawn",
                object_type="announcement",
                object_id=str(announcement_id),
            )
        feed_of(state).invalidate()
