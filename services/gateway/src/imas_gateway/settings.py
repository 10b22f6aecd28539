"""Settings of the gateway (``GATEWAY_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

import os

from imas_runtime.settings import RuntimeSettings, load_settings


class GatewaySettings(RuntimeSettings, kw_only=True):
    host: str = "0.0.0.0"
    port: int = 8000
    # When set, this exact value is a valid admin API token (scripts, CI, first start).
    bootstrap_admin_token: str = ""
    # How long an API call waits for the services behind it.
    upstream_timeout: float = 15.0
    # Largest request body accepted, in bytes (413 beyond).
    max_body_bytes: int = 1_000_000


def from_env() -> GatewaySettings:
    """``IMAS_PORT`` (the public port, 8000 by default) is the gateway's unless GATEWAY_PORT."""
    public_port = os.environ.get("IMAS_PORT")
    overrides = {"port": public_port} if public_port and "GATEWAY_PORT" not in os.environ else None
    return load_settings(GatewaySettings, service="gateway", overrides=overrides)
