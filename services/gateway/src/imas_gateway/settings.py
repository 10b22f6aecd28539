"""Settings of the gateway (``GATEWAY_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

import os

from imas_runtime.settings import RuntimeSettings, load_settings


class GatewaySettings(RuntimeSettings, kw_only=True):
    host: str = "0.0.0.0"
    port: int = 8000
    # When set, this exact value is a valid admin API token (scripts, CI, first start).
    bootstrap_admin_token: str = ""
    # When set, the user `admin` exists with this password (the dashboard's first login).
    bootstrap_admin_password: str = ""
    # A dashboard session ends after this long without a request.
    session_idle_seconds: int = 8 * 3600
    # How long an API call waits for the services behind it.
    upstream_timeout: float = 15.0
    # Largest request body accepted, in bytes (413 beyond).
    max_body_bytes: int = 1_000_000
    # Rate limits per API token or session: people's roles, then admin and integration tokens
    # (requests per window of seconds); a token's own limit overrides these.
    people_rate_limit: int = 600
    people_rate_window: float = 60.0
    service_rate_limit: int = 2000
    service_rate_window: float = 1.0
    # Sustained events per second per integration before 429 (PagerDuty's own answer).
    webhook_rate: float = 2000.0
    webhook_burst: float = 4000.0
    # How long an integration's credentials check and a token lookup are remembered.
    webhook_auth_cache_seconds: float = 10.0
    token_cache_seconds: float = 10.0
    # Single sign-on for the dashboard with an OpenID Connect provider: on when oidc_issuer is
    # set (its /.well-known/openid-configuration is read from there).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # Where the provider sends the browser back; <public_url>/auth/oidc/callback by default.
    oidc_redirect_url: str = ""
    # The ID token claim naming the user's IMAS role (a string, or a list such as groups: the
    # highest role named wins); without it, new users get oidc_default_role.
    oidc_role_claim: str = ""
    oidc_default_role: str = "viewer"
    oidc_scopes: str = "openid profile email"


def from_env() -> GatewaySettings:
    """``IMAS_PORT`` (the public port, 8000 by default) is the gateway's unless GATEWAY_PORT."""
    public_port = os.environ.get("IMAS_PORT")
    overrides = {"port": public_port} if public_port and "GATEWAY_PORT" not in os.environ else None
    return load_settings(GatewaySettings, service="gateway", overrides=overrides)
