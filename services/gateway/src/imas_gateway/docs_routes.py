"""The API's documentation: Swagger UI at ``/api/docs/``, ReDoc at ``/api/redoc/`` (the
schema itself is at ``/api/schema/``), with their scripts served from ``/api/static/``."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, Response, get
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router

from imas_contracts import all_messages
from imas_gateway.auth import PUBLIC, role
from imas_gateway.domain import Page
from imas_gateway.problems import PROBLEM_JSON, TITLES

STATIC = Path(__file__).parent / "static"
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
        render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
    )


# A list handler's ``opt``: it answers a page (``domain.Page``) of its controller's answer type.
PAGED = {"paged": True}
BODY_METHODS = ("post", "put", "patch")
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


def document_api(app: Litestar) -> None:
    """Complete the generated schema with what the handlers read and answer themselves: the
    JSON body named by a route's ``opt`` (``role(..., body=Type)``), the shape of its success
    answers (``role(..., answer=Type)``) and the problem answers
    (``application/problem+json``) every route can give."""
    schema = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
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
        [t for *_, handler in operations for t in (_body(handler), _answer(handler)) if t],
        components,
    )
    for operation, method, route, handler in operations:
        body = _body(handler)
        if body is not None and method in BODY_METHODS:
            operation["requestBody"] = _request_body(shapes[body], method, components)
        answer = _answer(handler)
        if answer is not None:
            _document_answers(operation, shapes[answer])
        _document_problems(
            operation,
            method,
            targets="{" in route.path,
            own_errors=handler.opt.get("own_errors", False),
        )


def _body(handler: Any) -> Any:
    return handler.opt.get("body")


def _answer(handler: Any) -> Any:
    answer = handler.opt.get("answer")
    if answer is not None and handler.opt.get("paged"):
        return Page[answer]  # type: ignore[valid-type]
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


def _request_body(body: dict[str, Any], method: str, components: dict[str, Any]) -> dict[str, Any]:
    definition = components[body["$ref"].removeprefix(REF.format(name=""))]
    required = bool(definition.get("required"))
    if method == "patch":
        # A PATCH changes only the fields it gives: none is required.
        body = copy.deepcopy(definition)
        body.pop("required", None)
        required = False
    return {"required": required, "content": {"application/json": {"schema": body}}}


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


DOCS_ROUTES = [
    swagger_ui,
    redoc,
    create_static_files_router(
        path="/api/static", directories=[STATIC], include_in_schema=False, opt=role(PUBLIC)
    ),
]
