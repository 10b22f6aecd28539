"""Settings of the gateway (``GATEWAY_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

import os

from imas_runtime.settings import RuntimeSettings, load_settings


class GatewaySettings(RuntimeSettings, kw_only=True):
    # The public API and dashboard, on every address; ``IMAS_PORT`` sets the port too
    # (``GATEWAY_PORT`` wins).
    host: str = "0.0.0.0"
    port: int = 8000
    # When set, this exact value is a valid admin API token (scripts, CI, first start); at
    # least 32 characters. Changing or emptying it revokes the token of the earlier value
    # (docs/security.md#api-tokens).
    bootstrap_admin_token: str = ""
    # When set, the user `admin` exists with this password (the dashboard's first login).
    bootstrap_admin_password: str = ""
    # A dashboard session ends after this long without a request.
    session_idle_seconds: int = 8 * 3600
    # How long an API call waits for the services behind it.
    upstream_timeout: float = 15.0
    # Largest request body accepted, in bytes (413 beyond, naming the limit).
    max_body_bytes: int = 1_000_000
    # Deepest nesting of arrays and objects in a JSON body (400 beyond, naming the limit), on
    # every route.
    max_json_depth: int = 64
    # Rate limits per API token or session: people's roles, then admin and integration tokens
    # (requests per window of seconds); a token's own limit overrides these.
    people_rate_limit: int = 600
    people_rate_window: float = 60.0
    service_rate_limit: int = 2000
    service_rate_window: float = 1.0
    # Sustained events per second per integration before 429 (PagerDuty's own answer), unless
    # an admin set the integration's own: above what the gateways can take, so that past
    # capacity the shedding below answers, never a limit nobody chose.
    webhook_rate: float = 50_000.0
    webhook_burst: float = 100_000.0
    # Past capacity webhooks get 503 with Retry-After at once: when a gateway holds more calls
    # than it takes in this many seconds (never counting fewer than webhook_min_in_flight),
    # repeats of a payload it just stored first, then every call (imas_gateway.inbound.overload).
    webhook_answer_seconds: float = 0.1
    webhook_min_in_flight: int = 100
    # How long an integration's credentials check and a token lookup are remembered.
    webhook_auth_cache_seconds: float = 10.0
    # How often SMS replies kept by the provider (OVH) are read and carried out (seconds).
    sms_replies_poll_seconds: float = 5.0
    token_cache_seconds: float = 10.0
    # The longest a token of a user lives (obtained with their password), in days; lowering
    # it brings forward the expiry of the tokens already issued at the next start.
    token_max_days: int = 90
    # Sign-ins (the login form, /api/token/obtain/, the single sign-on callback): at most
    # this many failures per client address and per username in the window, then 429.
    sign_in_failures: int = 10
    sign_in_window_seconds: float = 600.0
    # Proxies whose X-Forwarded-For tells who the client is (comma-separated CIDRs): loopback
    # and private networks, where load balancers and ingress controllers live.
    trusted_proxies: str = (
        "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7"
    )
    # Password hashing (argon2id, see imas_gateway.auth.passwords): how many run at once, how
    # many more may wait (503 beyond), and what each costs. Memory: concurrency x memory_kib
    # (docs/security.md#password-hashing).
    password_hash_concurrency: int = 2
    password_hash_waiting: int = 64
    password_hash_memory_kib: int = 19 * 1024
    password_hash_time_cost: int = 2
    # Live streams (server-sent events): how many one user or token may hold open at once,
    # and how often each checks that its credentials still work (it ends when they do not).
    streams_per_identity: int = 10
    stream_recheck_seconds: float = 5.0
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
    # Serve HTTPS on the public port: a PEM certificate (chain first) and its private key,
    # both or neither (the gateway refuses to start with one, or with a missing file). Without
    # them the gateway speaks plain HTTP, for an ingress or a load balancer that ends TLS in
    # front of it.
    tls_cert_file: str = ""
    tls_key_file: str = ""

    def server_tls(self) -> dict[str, str]:
        """uvicorn's TLS options for the public port, when a certificate is given."""
        if not self.tls_cert_file:
            return {}
        return {"ssl_certfile": self.tls_cert_file, "ssl_keyfile": self.tls_key_file}


MIN_BOOTSTRAP_TOKEN = 32


def check_settings(settings: GatewaySettings) -> None:
    """Refuse, at start, settings that would weaken the gateway (a ``ValueError`` saying
    which variable and why)."""
    token = settings.bootstrap_admin_token
    if token and len(token) < MIN_BOOTSTRAP_TOKEN:
        raise ValueError(
            f"IMAS_BOOTSTRAP_ADMIN_TOKEN must be at least {MIN_BOOTSTRAP_TOKEN} characters "
            f"(it has {len(token)}): an admin token must not be guessable"
        )
    if token != token.strip():
        raise ValueError("IMAS_BOOTSTRAP_ADMIN_TOKEN must not start or end with spaces")
    if not 1 <= settings.token_max_days <= 3650:
        raise ValueError("GATEWAY_TOKEN_MAX_DAYS must be between 1 and 3650")
    if settings.password_hash_concurrency < 1:
        raise ValueError("GATEWAY_PASSWORD_HASH_CONCURRENCY must be at least 1")
    if bool(settings.tls_cert_file) != bool(settings.tls_key_file):
        raise ValueError(
            "GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE go together: give both or neither"
        )
    for variable, path in (
        ("GATEWAY_TLS_CERT_FILE", settings.tls_cert_file),
        ("GATEWAY_TLS_KEY_FILE", settings.tls_key_file),
    ):
        if path and not os.path.isfile(path):
            raise ValueError(f"{variable}: no file at {path}")


def from_env() -> GatewaySettings:
    """``IMAS_PORT`` (the public port, 8000 by default) is the gateway's unless GATEWAY_PORT."""
    public_port = os.environ.get("IMAS_PORT")
    overrides = {"port": public_port} if public_port and "GATEWAY_PORT" not in os.environ else None
    return load_settings(GatewaySettings, service="gateway", overrides=overrides)
