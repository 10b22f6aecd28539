"""What a service process loads stays within its memory budget (DESIGN §7: 120 MB idle).

Each service is imported and assembled in a process of its own, as ``python -m imas_<service>``
does, and must not have loaded what it never uses but would hold for its whole life: pydantic
(Litestar's plugins for it; every body here is msgspec), rich and pygments (httpx's
command-line client, structlog's pretty tracebacks, Mako's highlighting), about 25 MB together;
nor, in the services that hold no secrets, cryptography's ciphers (about 9 MB).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.conftest import MESH

UNUSED = ("pydantic", "rich", "pygments")
# Loaded where a secret is sealed or opened (imas_runtime.secrets_box), and only there.
SECRETS = "cryptography.fernet"
HOLDS_NO_SECRETS = ("incidents", "escalation", "gateway")

PROBE = """
import importlib, json, sys
app = importlib.import_module("imas_{service}.app")
settings = importlib.import_module("imas_{service}.settings")
importlib.import_module("imas_runtime.service")
app.create_app(settings.from_env())
print(json.dumps(sorted(set(sys.modules) & set({unused!r}))))
"""


@pytest.mark.parametrize("service", MESH)
def test_a_service_process_does_not_load_what_it_never_uses(service: str) -> None:
    unused = (*UNUSED, SECRETS) if service in HOLDS_NO_SECRETS else UNUSED
    probe = PROBE.format(service=service, unused=unused)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"imas_{service} loads {loaded}"
