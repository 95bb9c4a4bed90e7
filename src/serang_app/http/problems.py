"""RFC 9457 problem details for every error, in the caller's language, never with a stack trace.

Litestar's ProblemDetailsPlugin does the wiring (exception type -> handler); our exception class
renders the body itself because the plugin's own class cannot localise: the message depends on
the request's Accept-Language, which is only known when the response is built.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException, ProblemDetailsPlugin

from serang_app.http.deprecation import deprecation_headers
from serang_app.http.field_errors import BODY, FieldProblem, msgspec_problem
from serang_app.http.field_messages import field_text
from serang_app.http.locale import Locale, negotiate_locale
from serang_app.http.messages import title_and_detail
from serang_app.http.request_id import request_id_of

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = structlog.get_logger("serang_app.errors")


class FieldError(msgspec.Struct, kw_only=True):
    """One entry of a 422's `errors`: the field's path (`attributes.road_kind`,
    `photo_upload_ids[2]`, `body`), the kind of error (http/field_messages.py) and the sentence."""

    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class LocalizedFieldError:
    """A field error whose message the domain already wrote in both languages."""

    field: str
    id: str
    en: str
    code: str = "invalid"


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The body of every error response (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(ProblemDetailsException):
    """Raise this from any handler: a status, a problem code and optional message parameters."""

    def __init__(
        self,
        status_code: int,
        code: str | None = None,
        *,
        params: dict[str, object] | None = None,
        errors: Sequence[FieldProblem | LocalizedFieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.code = code or CODE_BY_STATUS.get(status_code, "internal_error")
        if status_code == 401:
            headers = {"WWW-Authenticate": 'Bearer realm="serang-app"', **(headers or {})}
        super().__init__(detail=self.code, status_code=status_code, headers=headers, extra=extra)
        self.params = params
        self.errors = errors

    def to_response(self, request: Request[Any, Any, Any]) -> Response[Any]:
        locale = negotiate_locale(request.headers.get("accept-language"))
        request_id = request_id_of(request.scope)
        params = self.params
        if self.code == "payload_too_large" and params is None:
            # Litestar's exception does not carry the limit; the route knows it.
            params = {"limit": request.route_handler.resolve_request_max_body_size()}
        title, detail = title_and_detail(self.code, locale, params)
        problem = Problem(
            type=f"urn:serang:problem:{self.code.replace('_', '-')}",
            title=title,
            status=self.status_code,
            detail=detail,
            code=self.code,
            request_id=request_id,
            instance=request.url.path,
            errors=[_localized(error, locale) for error in self.errors] if self.errors else None,
        )
        body = msgspec.to_builtins(problem)
        if isinstance(self.extra, dict):
            body.update(self.extra)
        return Response(
            body,
            status_code=self.status_code,
            media_type=PROBLEM_MEDIA_TYPE,
            # The id goes on here too: errors raised before routing never reach the request middleware.
            headers={
                **deprecation_headers(request.scope.get("route_handler")),
                **(self.headers or {}),
                "Content-Language": locale,
                "X-Request-ID": request_id,
            },
        )


def _localized(error: FieldProblem | LocalizedFieldError, locale: Locale) -> FieldError:
    if isinstance(error, LocalizedFieldError):
        return FieldError(field=error.field, code=error.code, message=error.en if locale == "en" else error.id)
    return FieldError(field=error.field, code=error.code, message=field_text(error.code, locale, error.params))


def _from_http_exception(error: HTTPException) -> ApiError:
    if isinstance(error, ValidationException):
        return _from_validation(error)
    status = error.status_code if error.status_code in CODE_BY_STATUS else 500
    headers = error.headers
    if status == 429 and headers and "Retry-After" not in headers:
        # Litestar's limiter says when its window resets in RateLimit-Reset only.
        headers = {**headers, "Retry-After": headers.get("RateLimit-Reset", RETRY_AFTER_SECONDS)}
    return ApiError(status, headers=headers)


def _from_validation(error: ValidationException) -> ApiError:
    """Field errors answer 422 (our documented choice); a body that is not JSON at all stays 400."""
    extra = error.extra if isinstance(error.extra, list) else []
    fields = [_field_error(item) for item in extra if isinstance(item, dict)]
    # Litestar reports a missing required parameter in its message alone.
    if not fields and (missing := _MISSING_PARAMETER.match(str(error.detail))):
        fields = [FieldProblem(missing.group("name"), "required")]
    if not fields:
        return ApiError(400, headers=error.headers)
    return ApiError(422, errors=fields, headers=error.headers)


# Errors that mean "the database cannot be reached right now", which the client may retry:
# the connection failed or was closed under us (a server restarting or gone: OSError,
# PostgresConnectionError, InterfaceError such as "connection is closed"), the server is
# shutting down, starting, or cancelled the statement (57xxx, OperatorInterventionError), it has
# no connection to spare, or it did not answer within the pool's bounds (TimeoutError).
_DATABASE_UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
)
RETRY_AFTER_SECONDS = "5"


_MISSING_PARAMETER = re.compile(r"^Missing required (query|header|cookie|path) parameter '(?P<name>[^']+)'")


def _field_error(item: dict[str, Any]) -> FieldProblem:
    """Name the field itself: Litestar reports a body's errors under the parameter name `data`."""
    source = str(item.get("key") or item.get("source") or BODY)
    return msgspec_problem(str(item.get("message", "")), BODY if source == "data" else source)


def _from_unexpected(error: Exception) -> ApiError:
    if isinstance(error, asyncpg.DataError):
        # Input the schema let through but PostgreSQL cannot take (a NUL in a text, a number out of
        # a column's range): the caller's data is at fault, so it is a 422, not a server error.
        logger.info("input_refused_by_database", error_type=type(error).__name__)
        return ApiError(422)
    if isinstance(error, _DATABASE_UNREACHABLE):
        logger.warning("database_unavailable", error_type=type(error).__name__)
        return ApiError(503, headers={"Retry-After": RETRY_AFTER_SECONDS})
    logger.exception("unhandled_error", error_type=type(error).__name__)
    return ApiError(500)


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                HTTPException: _from_http_exception,
                Exception: _from_unexpected,
            }
        )
    )
