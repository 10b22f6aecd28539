"""Every error of the public API as ``application/problem+json``, naming the offending fields."""

from __future__ import annotations

import keyword
import re
from typing import Any

import msgspec
from litestar import Response
from litestar.exceptions import HTTPException, ValidationException

from imas_contracts import FieldError
from imas_gateway.http.body import NOT_AN_OBJECT
from imas_gateway.http.request import Request
from imas_gateway.state import gateway_state
from imas_runtime.errors import ServiceError
from imas_runtime.logs import get_logger

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

STATUS_BY_CODE = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "rate_limited": 429,
    "unavailable": 503,
    "internal": 500,
}

TITLES = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class Unauthorized(ServiceError):
    code = "unauthorized"


class Forbidden(ServiceError):
    code = "forbidden"


class RateLimited(ServiceError):
    """429, with the limit's ``Retry-After`` and ``X-RateLimit-*`` headers."""

    code = "rate_limited"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers = headers or {}


def problem_fields(status: int, detail: str, errors: list[FieldError] | None) -> dict[str, Any]:
    return {
        "type": f"https://imas.dev/problems/{status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": msgspec.to_builtins(errors or []),
    }


def problem_body(status: int, detail: str, errors: list[FieldError] | None) -> bytes:
    """A problem's JSON, for answers written without Litestar (the lean webhook path)."""
    return msgspec.json.encode(problem_fields(status, detail, errors))


def problem(
    status: int, detail: str, errors: list[FieldError] | None = None, **headers: str
) -> Response[Any]:
    body = problem_fields(status, detail, errors)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


def service_error(_: Request, exc: ServiceError) -> Response[Any]:
    status = STATUS_BY_CODE.get(exc.code, 500)
    extra: dict[str, str] = dict(getattr(exc, "headers", None) or {})
    if status == 401:
        extra["WWW-Authenticate"] = 'Token realm="imas"'
    if status == 503:
        extra["Retry-After"] = str(getattr(exc, "retry_after", 1))
    return problem(status, exc.message, exc.errors, **extra)


def http_error(request: Request, exc: HTTPException) -> Response[Any]:
    errors = parameter_errors(exc) if isinstance(exc, ValidationException) else []
    if exc.status_code == 413:
        # The body is over GATEWAY_MAX_BODY_BYTES: say so, naming the limit.
        limit = gateway_state(request.app).settings.max_body_bytes
        errors = [FieldError(field="body", message=f"must be at most {limit} bytes")]
    detail = exc.detail or TITLES.get(exc.status_code, "Error")
    if errors:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem(exc.status_code, detail, errors)


_MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '([^']+)'")


def parameter_errors(exc: ValidationException) -> list[FieldError]:
    """The fields named by a refusal of the typed parameters of a handler (query, path,
    header; a body that does not fit is refused before, see ``http.body``): Litestar lists
    them in ``extra``, or names one missing parameter in its detail. A missing body is listed
    as ``data``, the name of the handler's argument."""
    errors = [
        FieldError(field="body", message=NOT_AN_OBJECT)
        if item["key"] == "data"
        else FieldError(field=_public_name(str(item["key"])), message=str(item.get("message", "")))
        for item in exc.extra or []
        if isinstance(item, dict) and item.get("key")
    ]
    missing = _MISSING_PARAMETER.search(exc.detail or "")
    if not errors and missing:
        errors.append(FieldError(field=missing.group(1), message="is required"))
    return errors


def _public_name(key: str) -> str:
    """A parameter named after a Python keyword is declared with a trailing underscore
    (``from_`` for ``?from=``); callers know it by its own name."""
    stem = key.removesuffix("_")
    return stem if key.endswith("_") and keyword.iskeyword(stem) else key


def unexpected_error(request: Request, exc: Exception) -> Response[Any]:
    log.exception("unhandled error", path=request.url.path)
    return problem(500, "internal error")


HANDLERS: dict[type[Exception] | int, Any] = {
    ServiceError: service_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
