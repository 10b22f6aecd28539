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

from imas_gateway.auth import PUBLIC, role
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
    """Complete the generated schema with what the handlers read themselves: the JSON body
    named by a route's ``opt`` (``role(..., body=Type)``) and the problem answers
    (``application/problem+json``) every route can give."""
    schema = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    components: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, Any] = schema.get("paths", {})
    for route in app.routes:
        item = paths.get(getattr(route, "path_format", ""))
        if item is None:
            continue
        for handler in getattr(route, "route_handlers", ()):
            for method in handler.http_methods:
                operation = item.get(method.lower())
                if operation is None:
                    continue
                body = handler.opt.get("body")
                if body is not None and method.lower() in BODY_METHODS:
                    operation["requestBody"] = _request_body(body, method.lower(), components)
                _document_problems(
                    operation,
                    method.lower(),
                    targets="{" in route.path,
                    own_errors=handler.opt.get("own_errors", False),
                )


def _request_body(type_: type[Any], method: str, components: dict[str, Any]) -> dict[str, Any]:
    (body,), defs = msgspec.json.schema_components([type_], ref_template=REF)
    for name, definition in defs.items():
        components.setdefault(name, definition)
    required = bool(components.get(type_.__name__, {}).get("required"))
    if method == "patch":
        # A PATCH changes only the fields it gives: none is required.
        body = copy.deepcopy(components[type_.__name__])
        body.pop("required", None)
        required = False
    return {"required": required, "content": {"application/json": {"schema": body}}}


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
