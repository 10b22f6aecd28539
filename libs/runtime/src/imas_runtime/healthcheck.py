"""The container images' health check, ``python -m imas_runtime.healthcheck``: the service
answers ``/healthz`` on the port its settings resolve, or the check exits 1.

It runs every 10 s in every container, so it imports nothing but the standard library:
importing the service's settings loaded SQLAlchemy and cryptography, most of a second of CPU
each time, and on a busy machine more than the check's 3 s (every container reported
unhealthy). The port is resolved as the settings resolve it (``tests/deploy/test_images.py``
holds the two together): ``<SERVICE>_PORT``; for the gateway ``IMAS_PORT`` next; else the
image's own default, ``SERVICE_PORT``, set when the image is built.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Mapping


def port(service: str, default: int, env: Mapping[str, str]) -> int:
    """The port ``service`` listens on with ``env``, ``default`` unless a variable says."""
    value = env.get(f"{service.upper()}_PORT")
    if value is None and service == "gateway":
        value = env.get("IMAS_PORT")
    return int(value) if value else default


def main() -> int:
    service = os.environ["SERVICE_MODULE"].removeprefix("imas_")
    url = f"http://127.0.0.1:{port(service, int(os.environ['SERVICE_PORT']), os.environ)}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2):
            return 0
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
