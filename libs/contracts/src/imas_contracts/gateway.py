"""Messages owned by the gateway: what its replicas tell each other."""

from __future__ import annotations

from imas_contracts._base import Event


class CredentialsChanged(Event, frozen=True, kw_only=True, tag="gateway.credentials_changed.v1"):
    """Users were deleted, disabled, demoted or had their password changed, tokens were
    revoked, or integrations were changed or deleted: every gateway forgets what it remembers
    of them, so the change applies at once.

    Published on core NATS (no stream): a gateway that misses one still forgets within its
    cache lifetime. Safe to receive twice.
    """

    user_ids: list[str] = []
    token_ids: list[str] = []
    integration_ids: list[str] = []


class LimitsSpent(Event, frozen=True, kw_only=True, tag="gateway.limits_spent.v1"):
    """What one gateway spent of each rate limit since it last said (``spent``: bucket key to
    requests), a few times a second while it spends any. Each gateway keeps the buckets in
    memory and takes the others' spending out of its own, so that a limit holds across
    replicas without a round trip per request.

    Published on core NATS (no stream): one that is lost lets that much more through, once.
    Not idempotent (a repeat is spent twice), and never re-sent.
    """

    gateway: str
    spent: dict[str, int]


EVENTS: tuple[type[Event], ...] = (CredentialsChanged, LimitsSpent)
