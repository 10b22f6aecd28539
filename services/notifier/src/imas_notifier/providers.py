"""Notification providers: each hands a page to one outside system."""

from __future__ import annotations

from typing import Protocol

from imas_notifier.domain import Page
from imas_runtime.logs import get_logger

log = get_logger(__name__)


class ProviderError(Exception):
    """The provider refused or failed; ``retry_after`` when it said when to come back."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Provider(Protocol):
    name: str

    async def send(self, page: Page) -> None:
        """Hand the page over; raise :class:`ProviderError` when it was not accepted."""


class LogProvider:
    """Writes pages to the service log: the provider of ``make run`` and of first set-ups."""

    name = "log"

    async def send(self, page: Page) -> None:
        log.info(
            "page sent",
            provider=self.name,
            channel=page.channel,
            recipient=page.recipient,
            idempotency_key=page.idempotency_key,
            message=page.message,
        )
