"""Idempotency-Key: a retried POST, PUT or PATCH gets the first answer instead of a second effect.

Residents are often on flaky mobile networks: a request arrives, the answer is lost, the app tries
again. With the same `Idempotency-Key` header and the same request, the retry receives the stored
first answer (marked `Idempotent-Replayed: true`); with the same key and a different request, 422
(`idempotency_key_reused`); while the first is still running, 409 (`idempotency_in_progress`).

Decisions:
- **Signed-in callers only.** Keys are stored per caller (kind and id), so two residents never
  meet. Public routes (sign-in, refresh, logout) have no caller to key by; a client address
  would not do, since many phones share one address behind a carrier's NAT and one resident could
  be handed another's tokens. Those routes ignore the header: each is safe to retry by itself.
- **POST, PUT and PATCH.** DELETE is idempotent by definition (RFC 9110), and a repeated DELETE
  answering 404 tells the truth; other methods change nothing.
- **The fingerprint** is SHA-256 over method, path, query string and the body's bytes: a query
  parameter can change what a request does, so it belongs. A client retries by resending the
  same bytes; re-encoding the JSON differently counts as a different request.
- **What is stored**: final answers, that is every status below 500 except those that invite a
  retry of the same request (408, 409, 412, 423, 425, 429) and 401 (the account or the session
  ended: the request did nothing, and the resident who signs in again may retry it). A 5xx or one of those, an exception or
  a cancelled request release the key, so a retry runs again; when the database cannot take the
  release at that moment, see http/idempotency_releases.py. Only the headers a client needs
  from the answer are kept (content type and language, location, ETag). Answers longer than
  `MAX_STORED_BODY_BYTES` are sent but not kept (the key is released).
- **An ended account claims nothing.** Authentication checks the account before a key is
  claimed. A residents' route that checks the account in its own first statement instead
  (ACCOUNT_CHECKED_BY_ROUTE_OPT, booking: docs/performance.md) has it checked here, in the
  claim's statement: an erased account or a signed-out session is answered 401 with no key
  claimed.
- **Keys live 24 hours** from their first use; an expired key counts as new.
- **A claim is a lease** of `SERANG_IDEMPOTENCY_LEASE_SECONDS` (30 s): the request is cut off with
  503 when it runs longer, so a claim still "running" after the lease belongs to a request that is
  over (failed, or its process died) and is taken over by a retry with the same request.
- The answer is stored before it is sent, so a client that has seen it can only ever be replayed
  it. What cannot be prevented: a process dying between the handler's commit and the store
  lets a retry run the request again.

Requests without the header, and every GET, pass through after a method check and, for POST,
PUT and PATCH, a scan of the headers.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any, cast

import anyio
import structlog
from litestar.enums import ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, HTTPResponseStartEvent, HTTPScope, Message, Receive, Scope, Send

from serang_app.auth.permissions import ACCOUNT_CHECKED_BY_ROUTE_OPT
from serang_app.auth.principal import Principal
from serang_app.auth.revoked_sessions import SessionToCheck
from serang_app.db.pool import Database
from serang_app.http.idempotency_releases import ClaimReleaser
from serang_app.http.idempotency_store import (
    Caller,
    KeyedRequest,
    Outcome,
    StoredResponse,
    claim_key,
    complete_key,
)
from serang_app.http.problems import ApiError, LocalizedFieldError

IDEMPOTENT_METHODS = frozenset({"POST", "PUT", "PATCH"})
KEY_HEADER_NAME = "Idempotency-Key"
REPLAYED_HEADER_NAME = "Idempotent-Replayed"
KEY_PATTERN = "^[!-~]{1,255}$"  # visible ASCII: safe in headers, logs and a text column
KEY_LIFETIME_SECONDS = 24 * 60 * 60
MAX_STORED_BODY_BYTES = 1024 * 1024
# Statuses that say "the same request may succeed later": they are not stored.
RETRYABLE_STATUSES = frozenset({408, 409, 412, 423, 425, 429})
# Not stored either: the caller's account or session ended while the request ran (a route that
# checks the account itself); the request did nothing, and a retry after signing in again must run.
SIGNED_OUT_STATUS = 401

_KEY_HEADER = KEY_HEADER_NAME.lower().encode()
_KEY = re.compile(KEY_PATTERN.encode())
_KEPT_HEADERS = frozenset({b"content-type", b"content-language", b"location", b"etag"})
_REPLAYED_HEADER = (REPLAYED_HEADER_NAME.lower().encode(), b"true")

logger = structlog.get_logger("serang_app.idempotency")


def is_stored(status: int) -> bool:
    """Whether an answer with this status is kept and replayed for its key."""
    return status < 500 and status not in RETRYABLE_STATUSES and status != SIGNED_OUT_STATUS


def idempotency_middleware() -> Any:  # Litestar's Middleware type is a wide union
    """Build the middleware factory; it must run after authentication, which names the caller."""

    releaser = ClaimReleaser()

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP or scope["method"] not in IDEMPOTENT_METHODS:
                await app(scope, receive, send)
                return
            key = _key_of(scope)
            user = cast(dict[str, Any], scope).get("user")
            if key is None or not isinstance(user, Principal):
                await app(scope, receive, send)
                return
            # A resident's route that checks the account itself: authentication has not, so the
            # claim does (no key is claimed, and no 401 stored, for an ended account).
            unchecked = user.kind == "resident" and bool(
                cast(HTTPRouteHandler, scope["route_handler"]).opt.get(ACCOUNT_CHECKED_BY_ROUTE_OPT)
            )
            session = SessionToCheck(user.session_id) if unchecked else None
            await _run_once(app, scope, receive, send, key, Caller(user.kind, user.id), releaser, session)

        return middleware

    return factory


async def _run_once(
    app: ASGIApp,
    scope: HTTPScope,
    receive: Receive,
    send: Send,
    key: str,
    caller: Caller,
    releaser: ClaimReleaser,
    session: SessionToCheck | None,
) -> None:
    body = await _read_body(scope, receive)
    if body is None:
        return  # the client left before it finished sending; nothing was claimed
    request = KeyedRequest(
        caller=caller,
        key=key,
        method=scope["method"],
        route=cast(dict[str, Any], scope).get("path_template") or scope["path"],
        fingerprint=_fingerprint(scope, body),
        claim=uuid.uuid4(),
    )
    state = scope["app"].state
    database: Database = state.database
    lease: float = state.settings.idempotency_lease_seconds
    await releaser.release_earlier_claim(database, caller, key)
    try:
        claim, took_over = await claim_key(
            database,
            request,
            lifetime_seconds=KEY_LIFETIME_SECONDS,
            abandoned_after_seconds=lease,
            resident_session=session,
        )
    except BaseException:
        releaser.remember(request)  # the claim may have been made, with its answer lost
        raise
    if claim.outcome is Outcome.SIGNED_OUT:
        raise ApiError(SIGNED_OUT_STATUS)
    if claim.outcome is Outcome.IN_PROGRESS:
        raise ApiError(409, "idempotency_in_progress")
    if claim.outcome is Outcome.KEY_REUSED:
        raise ApiError(422, "idempotency_key_reused")
    if claim.response is not None:  # Outcome.REPLAY
        await _replay(send, claim.response)
        return
    if took_over:
        logger.info("idempotency_key_taken_over", route=request.route)
    recorder = _ResponseRecorder(send, database, request, releaser)
    try:
        # The lease: past it, a retry may take the claim over, so the request must be over too
        # (TimeoutError answers 503).
        with anyio.fail_after(lease):
            await app(scope, _replaying(body, receive), recorder.send)
    finally:
        if not recorder.settled:
            # The handler raised, or the request was cancelled (the client went away): nothing
            # final was answered, so the key must not block a retry.
            await releaser.release(database, request)


def _key_of(scope: HTTPScope) -> str | None:
    for name, value in scope["headers"]:
        if name == _KEY_HEADER:
            if not _KEY.match(value):
                raise ApiError(
                    422,
                    errors=[
                        LocalizedFieldError(
                            field=KEY_HEADER_NAME,
                            id="Harus 1 sampai 255 karakter ASCII yang terlihat (tanpa spasi)",
                            en="Must be 1 to 255 visible ASCII characters (no spaces)",
                        )
                    ],
                )
            return value.decode("ascii")
    return None


async def _read_body(scope: HTTPScope, receive: Receive) -> bytes | None:
    """The whole body, within the route's limit (413 beyond), or None when the client left."""
    limit = cast(HTTPRouteHandler, scope["route_handler"]).resolve_request_max_body_size()
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and limit is not None and int(value) > limit:
            raise ApiError(413)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        if message["type"] != "http.request":
            continue
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise ApiError(413)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _fingerprint(scope: HTTPScope, body: bytes) -> bytes:
    digest = hashlib.sha256()
    # Each part is length-prefixed, so no two different requests run together into one input.
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def _replaying(body: bytes, receive: Receive) -> Receive:
    """Hand the body read here to the handler, then the real channel (which reports disconnects)."""
    delivered = False

    async def replay() -> Any:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _replay(send: Send, stored: StoredResponse) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in stored.headers]
    headers.append((b"content-length", str(len(stored.body)).encode()))
    headers.append(_REPLAYED_HEADER)
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


class _ResponseRecorder:
    """Holds the handler's answer until it is complete, stores or releases the key, then sends it.

    Storing before sending means that once a client has seen an answer, a retry replays it.
    """

    def __init__(self, send: Send, database: Database, request: KeyedRequest, releaser: ClaimReleaser) -> None:
        self._send = send
        self._database = database
        self._request = request
        self._releaser = releaser
        self._start: HTTPResponseStartEvent | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._streaming = False
        self.settled = False

    async def send(self, message: Message) -> None:
        if self._streaming:
            await self._send(message)
            return
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        chunk = message.get("body", b"")
        self._chunks.append(chunk)
        self._size += len(chunk)
        more_body = message.get("more_body", False)
        if not more_body:
            await self._settle()
            await self._send(self._start)
            await self._send({"type": "http.response.body", "body": b"".join(self._chunks), "more_body": False})
        elif self._size > MAX_STORED_BODY_BYTES:
            # Too long to keep: pass the answer on as it comes, and let a retry run again.
            self.settled = self._streaming = True
            await self._releaser.release(self._database, self._request)
            await self._send(self._start)
            await self._send({"type": "http.response.body", "body": b"".join(self._chunks), "more_body": True})

    async def _settle(self) -> None:
        assert self._start is not None  # only called once the start was seen
        status = self._start["status"]
        request = self._request
        # Settled before the database is asked: whatever happens below, the handler's work is
        # done, and its answer goes to the client even when it could not be stored.
        self.settled = True
        try:
            if not is_stored(status):
                await self._releaser.release(self._database, request)
                return
            headers = [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in self._start.get("headers", ())
                if name.lower() in _KEPT_HEADERS
            ]
            stored = StoredResponse(status, headers, b"".join(self._chunks))
            if not await complete_key(self._database, request, stored):
                # A retry took this claim over while the handler ran past the timeout.
                logger.warning("idempotency_claim_lost", route=request.route)
        except Exception:
            # The key stays "running" and is taken over after the lease; failing the request
            # here would hide an answer whose effect has already happened.
            logger.exception("idempotency_store_failed", route=request.route)
