"""The API's documentation: Swagger UI at ``/api/docs/``, ReDoc at ``/api/redoc/`` (the
schema itself is at ``/api/schema/``), with their scripts served from ``/api/static/``."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router

from imas_gateway.auth import PUBLIC, role

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


DOCS_ROUTES = [
    swagger_ui,
    redoc,
    create_static_files_router(
        path="/api/static", directories=[STATIC], include_in_schema=False, opt=role(PUBLIC)
    ),
]
