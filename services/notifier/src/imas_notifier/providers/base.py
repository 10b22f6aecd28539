"""Notification providers: each hands a page to one outside system.

Every provider answers the provider's reference for the message (a Slack ``ts``, a Twilio
SID, …) or raises :class:`ProviderError` saying whether trying again can help."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from imas_runtime.logs import get_logger
from imas_runtime.outbound import Guard, Refused

log = get_logger(__name__)


class ProviderError(Exception):
    """The provider refused or failed. ``retryable`` for 5xx, timeouts and 429s (with
    ``retry_after`` when it said when to come back); other refusals are final.
    ``unanswered`` when the request may have reached the provider but its answer never came
    (a read timeout, a connection dropped after the request was written): the page may have
    been delivered, and sending it again may make a copy."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = True,
        retry_after: float | None = None,
        unanswered: bool = False,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.unanswered = unanswered


@dataclass(frozen=True)
class Outgoing:
    """A page as a provider receives it."""

    delivery_id: str
    idempotency_key: str
    channel: str
    recipient: str
    address: str
    message: str
    content: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "page"
    # The provider's reference of the message this one follows up (a Slack thread ts).
    thread_ref: str | None = None


class Provider(Protocol):
    name: str

    async def send(self, page: Outgoing) -> str:
        """Hand the page over; answer the provider's reference; raise ProviderError."""


class LogProvider:
    """Writes pages to the service log, for the channels no other provider serves. Only an
    operator's choice makes it a provider (a provider of kind ``log``, as ``make run``'s
    demo configures): without one, such pages are undeliverable, never "sent"."""

    kind = "log"

    def __init__(self, name: str = "log") -> None:
        self.name = name

    async def send(self, page: Outgoing) -> str:
        log.info(
            "page sent",
            provider=self.name,
            channel=page.channel,
            recipient=page.recipient,
            idempotency_key=page.idempotency_key,
            message=page.message,
        )
        return "logged"


class HttpProvider:
    """A provider built from its stored configuration and decrypted secrets. Its calls go
    through ``client`` (see ``imas_runtime.outbound``), or, for other protocols, through
    ``guard``."""

    kind = ""

    def __init__(
        self,
        name: str,
        client: httpx.AsyncClient,
        config: Mapping[str, Any],
        secrets: Mapping[str, str],
        guard: Guard | None = None,
    ) -> None:
        self.name = name
        self.client = client
        self.guard = guard or Guard()
        self.configure(config, secrets)

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        """Read the provider's settings."""


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def check(response: httpx.Response) -> httpx.Response:
    """Raise ProviderError for a non-2xx answer: 429, 408 and 5xx retryable, other 4xx (and
    redirects, never followed) final."""
    status = response.status_code
    if 200 <= status < 300:
        return response
    excerpt = f"HTTP {status}: {response.text[:300]}"
    if status == 429:
        raise ProviderError(excerpt, retry_after=retry_after(response))
    raise ProviderError(excerpt, retryable=status >= 500 or status == 408)


# Failures before the request could leave: the provider cannot have seen it.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


async def post(client: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response:
    """POST, turning transport failures (timeouts, refused connections) into retryable
    errors, a destination the outbound guard refuses into a final one, and non-2xx answers
    into :func:`check`'s verdict. A failure once the connection was made is ``unanswered``:
    the provider may have taken the request."""
    return await call(client, "POST", url, **kwargs)


async def call(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """A request of any method, its failures turned into ProviderError as :func:`post` says."""
    try:
        response = await client.request(method, url, **kwargs)
    except Refused as exc:
        raise ProviderError(str(exc), retryable=False) from exc
    except _NOT_SENT as exc:
        raise ProviderError(f"transport error: {exc!r}") from exc
    except httpx.TimeoutException as exc:
        raise ProviderError(f"timeout: {exc!r}", unanswered=True) from exc
    except httpx.HTTPError as exc:
        raise ProviderError(f"transport error: {exc!r}", unanswered=True) from exc
    return check(response)
