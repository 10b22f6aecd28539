"""The API's documentation: Swagger UI at ``/api/docs/``, ReDoc at ``/api/redoc/`` (the
schema itself is at ``/api/schema/``), with their scripts served from ``/api/static/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router

from imas_contracts import all_messages
from imas_gateway.auth.guard import PUBLIC, role, route_spec
from imas_gateway.domain import Page
from imas_gateway.http.problems import PROBLEM_JSON, TITLES

STATIC = Path(__file__).parent.parent / "static"
SCHEMA_PATH = "/api/schema"

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>IMAS API</title>
<link rel="stylesheet" href="/api/static/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/api/static/swagger-ui/init.js"></script></body></html>
"""

_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>IMAS API</title></head>
<body><redoc spec-url="/api/schema/"></redoc>
<script src="/api/static/redoc/redoc.standalone.js"></script></body></html>
"""


@get("/api/docs/", include_in_schema=False, opt=role(PUBLIC))
async def swagger_ui() -> Response[str]:
    return Response(_SWAGGER, media_type="text/html; charset=utf-8")


@get("/api/redoc/", include_in_schema=False, opt=role(PUBLIC))
async def redoc() -> Response[str]:
    return Response(_REDOC, media_type="text/html; charset=utf-8")


def openapi_config() -> OpenAPIConfig:
    """The schema as JSON at ``/api/schema/`` (and ``/api/schema/openapi.json``)."""
    return OpenAPIConfig(
        title="IMAS API",
        version="1.0.0",
        path=SCHEMA_PATH,
        description=(
            "Incident Management At Scale: incidents, alerts, on-call and more. Authenticate "
            "with `Authorization: Token <token>` (or `Bearer <token>`)."
        ),
        render_plugins=[DocumentedJson(path=["/", "/openapi.json"])],
    )


class DocumentedJson(JsonRenderPlugin):
    """The schema as JSON, as :func:`openapi_document` completes it (made once, on first
    request, when every route is known)."""

    def __init__(self, *, path: str | list[str]) -> None:
        super().__init__(path=path)
        self._rendered: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._rendered is None:
            self._rendered = self.render_json(request, openapi_document(request.app))
        return self._rendered


# A list handler's ``opt``: it answers a page (``domain.Page``) of its controller's answer type.
PAGED = {"paged": True}
REF = "#/components/schemas/{name}"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
# Answers any API call may get: bad input, no or wrong credentials, a role too low, the limit
# spent, a service behind the gateway not answering.
COMMON_PROBLEMS = (400, 401, 403, 429, 503)
# And those of calls that name something (unknown id) or change something (refused move,
# body too large).
TARGET_PROBLEMS = (404,)
WRITE_PROBLEMS = (404, 409, 413)


def openapi_document(app: Litestar) -> dict[str, Any]:
    """The OpenAPI document ``/api/schema/`` serves (committed as ``docs/api/openapi.json``):
    the one Litestar makes of the handlers' types, completed with what the handlers answer
    themselves: the shape of their success answers (``role(..., answer=Type)``) and the
    problem answers (``application/problem+json``) every route can give."""
    schema = app.openapi_schema.to_schema()
    components: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, Any] = schema.get("paths", {})
    operations = [
        (operation, method.lower(), route, handler)
        for route in app.routes
        if (item := paths.get(getattr(route, "path_format", ""))) is not None
        for handler in getattr(route, "route_handlers", ())
        for method in handler.http_methods
        if (operation := item.get(method.lower())) is not None
    ]
    shapes = _shapes(
        [answer for *_, handler in operations if (answer := _answer(handler)) is not None],
        components,
    )
    for operation, method, route, handler in operations:
        _document_optional_body(operation, handler, components)
        answer = _answer(handler)
        if answer is not None:
            _document_answers(operation, shapes[answer])
        _document_problems(
            operation,
            method,
            targets="{" in route.path,
            own_errors=route_spec(handler).own_errors,
        )
    return schema


def _answer(handler: Any) -> Any:
    answer = handler.opt.get("answer")
    if answer is not None and handler.opt.get("paged"):
        return Page[answer]  # type: ignore[valid-type]  # a type known at run time
    return answer


# The tags that name bus messages (``incidents.page.v1``) are no part of the API's shapes.
_MESSAGE_TAGS = frozenset(message.type_name() for message in all_messages())


def _shapes(types: list[Any], components: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """The JSON schema of each type (a ``$ref`` into ``components``, where the definitions go).
    Made in one pass, so that two types of the same name from different modules each get
    their own definition."""
    unique = list(dict.fromkeys(types))
    refs, definitions = msgspec.json.schema_components(
        unique, schema_hook=_any_json, ref_template=REF
    )
    for name, definition in definitions.items():
        tag = definition.get("properties", {}).get("type", {}).get("enum", [None])
        if len(tag) == 1 and tag[0] in _MESSAGE_TAGS:
            del definition["properties"]["type"]
            definition["required"] = [f for f in definition.get("required", []) if f != "type"]
        components[name] = definition
    return dict(zip(unique, refs, strict=True))


def _any_json(type_: Any) -> dict[str, Any]:
    """``object`` (free-form values) is any JSON value."""
    if type_ is object:
        return {"description": "Any JSON value"}
    raise NotImplementedError(type_)


def _document_optional_body(
    operation: dict[str, Any], handler: Any, components: dict[str, Any]
) -> None:
    """A body whose ``data`` has a default may be left out (Litestar marks every body
    required, and takes the default for the schema's)."""
    data = handler.parsed_data_field
    if data is None or not data.has_default:
        return
    body = operation["requestBody"]
    body["required"] = False
    for media in body["content"].values():
        ref = media["schema"].get("$ref", "")
        components.get(ref.removeprefix(REF.format(name="")), {}).pop("default", None)


def _document_answers(operation: dict[str, Any], answer: dict[str, Any]) -> None:
    """Every success answer of the operation that has a body has this shape."""
    for status, response in operation.get("responses", {}).items():
        if status.startswith("2") and status != "204":
            response["content"] = {"application/json": {"schema": answer}}


def _document_problems(
    operation: dict[str, Any], method: str, *, targets: bool, own_errors: bool
) -> None:
    statuses = list(COMMON_PROBLEMS)
    if method != "get":
        statuses += WRITE_PROBLEMS
    elif targets:
        statuses += TARGET_PROBLEMS
    responses: dict[str, Any] = operation.setdefault("responses", {})
    content: dict[str, Any] = {PROBLEM_JSON: {"schema": {"$ref": REF.format(name="Problem")}}}
    if own_errors:
        content["application/json"] = {"schema": {"type": "object"}}
    for status in sorted(set(statuses)):
        responses[str(status)] = {"description": TITLES.get(status, "Error"), "content": content}


STATIC_ROUTER = create_static_files_router(
    path="/api/static", directories=[STATIC], include_in_schema=False, opt=role(PUBLIC)
)
