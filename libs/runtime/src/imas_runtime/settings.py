"""Settings read once from the environment into typed msgspec structs.

Shared settings use the ``IMAS_`` prefix; a service's own use ``<SERVICE>_`` (e.g.
``NOTIFIER_PORT``). A service-prefixed variable wins over the shared one for the same field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from imas_runtime.secrets_box import DEFAULT_SECRET_KEY, key_weakness

T = TypeVar("T", bound=msgspec.Struct)


class RuntimeSettings(msgspec.Struct, kw_only=True):
    """What every service needs: where the bus, the database and Redis are, how to log."""

    service: str = "imas"
    # NATS with JetStream: one server, or the nodes of a cluster comma-separated.
    nats_url: str = "nats://127.0.0.1:4222"
    # The PostgreSQL server; each service creates and uses its own database there
    # (``<SERVICE>_DATABASE``).
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    # The service's NATS credentials: a user and password, or an NKey seed (SU...); a CA
    # file to check the server's TLS certificate (TLS is on with it or a tls:// URL), and a
    # client certificate and key when the server asks for one.
    nats_user: str = ""
    nats_password: str = ""
    nats_nkey_seed: str = ""
    nats_tls_ca: str = ""
    nats_tls_cert: str = ""
    nats_tls_key: str = ""
    # redis://[:password@]host:port/db, rediss:// for TLS, unix:///path?password=...
    redis_url: str = "redis://127.0.0.1:6379/0"
    # The Redis password when not in the URL (AUTH), and a CA file to check the server's
    # TLS certificate (rediss://).
    redis_password: str = ""
    redis_tls_ca: str = ""
    # Where the service listens: the gateway's public API, the other services' health
    # (/healthz, and /readyz saying only ok or unavailable).
    host: str = "127.0.0.1"
    port: int = 8000
    # Serves /metrics and /readyz with each check's detail, off the public port; 0: port+1000.
    internal_port: int = 0
    # Logs: ``json`` (one JSON object per line), ``console`` (for people), or ``auto``:
    # console on a terminal, JSON anywhere else; and the level. Libraries' logs too.
    log_format: str = "auto"
    log_level: str = "info"
    # Connections each process keeps to its database (plus a few opened for bursts).
    db_pool_size: int = 10
    # Replicas of each JetStream stream; 3 on a production NATS cluster.
    stream_replicas: int = 1
    # Raw webhook payloads (bytes) JetStream may hold while ingest has not handled them
    # (stream ALERTS); past it webhooks get 503. Set it the same on every service (each
    # provisions the stream), below the NATS store (max_file_store); a stream that exists
    # keeps its own size (docs/operations/reliability.md#jetstream-storage).
    alerts_max_bytes: int = 1024**3
    # Base URL the public sees (links in pages and chat messages).
    public_url: str = "http://localhost:8000"
    # ``production`` refuses to start with settings only fit for a laptop (the built-in
    # secret key, a short key).
    env: str = "development"
    # Encrypts every secret at rest (integration secrets, notification providers, LID
    # exporters): a Fernet key, or a passphrase of 32 characters or more; the default is
    # public and refused in production (docs/security.md).
    secret_key: str = DEFAULT_SECRET_KEY
    # Older secret keys during a rotation, comma-separated: they still decrypt, never encrypt.
    previous_secret_keys: str = ""
    # Networks that providers, exporters and chat may reach besides global addresses,
    # comma-separated CIDRs (``10.20.0.0/16`` for an internal SMTP relay); empty: global
    # only (docs/security.md#outbound-calls).
    outbound_allow: str = ""
    # After SIGTERM: open HTTP requests get http_drain_timeout seconds, then the background
    # work, the relay and the connections shutdown_timeout; together, with the deploy's 5 s
    # preStop pause, within a pod's 30 s grace period.
    http_drain_timeout: int = 5
    shutdown_timeout: float = 15.0
    # /readyz fails when a consumer's oldest unacknowledged message, or the oldest event the
    # outbox has not published, is older than this (seconds).
    backlog_limit: float = 120.0
    # /readyz fails (for 30 s) when the event loop was blocked longer than this (seconds).
    loop_lag_limit: float = 2.0
    # PostgreSQL bounds on every session (seconds): a statement, a wait for a lock, a
    # transaction left idle. Migrations are not bounded (they may rewrite big tables).
    db_statement_timeout: float = 30.0
    db_lock_timeout: float = 10.0
    db_idle_in_transaction_timeout: float = 60.0
    # A Redis command that gets no answer for this long fails (seconds).
    redis_timeout: float = 10.0

    # The service's own database on that server; ``imas_<service>`` when empty.
    database: str = ""

    @property
    def database_name(self) -> str:
        """Each service owns its own database on the server: ``imas_<service>`` by default."""
        return self.database or f"imas_{self.service}"

    @property
    def internal_port_number(self) -> int:
        """Where metrics and readiness detail are served: ``internal_port``, or port + 1000."""
        return self.internal_port or self.port + 1000

    @property
    def production(self) -> bool:
        return self.env.strip().lower() in ("production", "prod")

    def server_tls(self) -> dict[str, str]:
        """uvicorn's TLS options for the public port; none (plain HTTP) unless a service
        serves HTTPS itself (the gateway, given a certificate)."""
        return {}

    def unsafe_for_production(self) -> list[str]:
        """What must change before this process may run with ``IMAS_ENV=production``."""
        refusals = []
        weakness = key_weakness(self.secret_key)
        if weakness:
            refusals.append(f"IMAS_SECRET_KEY {weakness}")
        return refusals


class UnsafeSettings(Exception):
    """Settings a production process refuses to start with; the message says which."""


def refuse_unsafe(settings: RuntimeSettings) -> None:
    """Raise :class:`UnsafeSettings` in production when the settings are only fit for a laptop."""
    if settings.production:
        refusals = settings.unsafe_for_production()
        if refusals:
            raise UnsafeSettings("refusing to start in production: " + "; ".join(refusals))


SERVICE_ONLY_FIELDS = frozenset({"port", "internal_port", "database"})
"""Read only from ``<SERVICE>_*``: a shared ``IMAS_PORT`` must not put six services on one port."""


def _env_candidates(name: str, prefixes: tuple[str, ...], env: Mapping[str, str]) -> str | None:
    for prefix in prefixes:
        value = env.get(f"{prefix}{name.upper()}")
        if value is not None:
            return value
    return None


def load_settings(
    cls: type[T],
    *,
    service: str,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> T:
    """Build ``cls`` from ``<SERVICE>_*`` then ``IMAS_*`` variables, then ``overrides``.

    Values are converted from strings by msgspec (``"8101"`` → 8101, ``"true"`` → True);
    a bad value raises ``msgspec.ValidationError`` naming the field.
    """
    env = os.environ if env is None else env
    prefixes = (f"{service.upper()}_", "IMAS_")
    raw: dict[str, Any] = {"service": service} if "service" in cls.__struct_fields__ else {}
    for name in cls.__struct_fields__:
        value = _env_candidates(
            name, prefixes[:1] if name in SERVICE_ONLY_FIELDS else prefixes, env
        )
        if value is not None:
            raw[name] = value
    if overrides:
        raw.update(overrides)
    return msgspec.convert(raw, cls, strict=False)
