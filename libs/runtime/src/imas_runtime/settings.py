"""Settings read once from the environment into typed msgspec structs.

Shared settings use the ``IMAS_`` prefix; a service's own use ``<SERVICE>_`` (e.g.
``NOTIFIER_PORT``). A service-prefixed variable wins over the shared one for the same field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

T = TypeVar("T", bound=msgspec.Struct)


class RuntimeSettings(msgspec.Struct, kw_only=True):
    """What every service needs: where the bus, the database and Redis are, how to log."""

    service: str = "imas"
    nats_url: str = "nats://127.0.0.1:4222"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    redis_url: str = "redis://127.0.0.1:6379/0"
    host: str = "127.0.0.1"
    port: int = 8000
    log_format: str = "console"
    log_level: str = "info"
    # Connections each process keeps to its database (plus a few opened for bursts).
    db_pool_size: int = 10
    # Replicas of each stream; 3 on a production NATS cluster.
    stream_replicas: int = 1
    # Base URL the public sees (links in pages and chat messages).
    public_url: str = "http://localhost:8000"
    # Encrypts secrets at rest (Fernet-compatible key material); set in production.
    secret_key: str = "imas-development-secret-key-change-me"

    # The service's own database on that server; ``imas_<service>`` when empty.
    database: str = ""

    @property
    def database_name(self) -> str:
        """Each service owns its own database on the server: ``imas_<service>`` by default."""
        return self.database or f"imas_{self.service}"


SERVICE_ONLY_FIELDS = frozenset({"port", "database"})
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
