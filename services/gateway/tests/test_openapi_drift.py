"""The committed OpenAPI document (``docs/api/openapi.json``) is what the gateway serves, and
the committed Python client (``clients/python``) is what the pinned generator makes of it: a
route, a parameter or a shape changed without ``make openapi`` fails here, naming the file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]


def test_the_committed_document_and_client_are_what_the_code_makes() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "clients" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_document_describes_the_api_integrators_call() -> None:
    document = json.loads((REPO / "docs" / "api" / "openapi.json").read_text())
    assert document["info"]["title"] == "IMAS API"
    paths = document["paths"]
    for path in ("/api/v1/incidents", "/api/v1/changes", "/v2/enqueue", "/v2/change/enqueue"):
        assert path in paths, path
    created = paths["/api/v1/tokens"]["post"]["responses"]["201"]["content"]
    assert created["application/json"]["schema"] == {"$ref": "#/components/schemas/NewTokenJson"}
