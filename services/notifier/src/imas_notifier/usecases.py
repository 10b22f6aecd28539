"""Use cases of the notifier service: record pages, then hand each to its provider once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import new_event_id, utcnow
from imas_contracts.incidents import IncidentTriggered
from imas_contracts.notifier import NotificationFailed, NotificationRequested, NotificationSent
from imas_notifier import domain, store
from imas_notifier.models import inbox, outbox
from imas_notifier.providers import Provider, ProviderError
from imas_runtime.consumer import Delivery, Reject
from imas_runtime.logs import get_logger
from imas_runtime.outbox import claim, outbox_rows

log = get_logger(__name__)

CONSUMER = "notifier--INCIDENTS"
REQUESTS_CONSUMER = "notifier--NOTIFICATIONS"


class NotifierUseCases:
    """Pages are recorded (idempotency key unique) before anything is sent; a delivery row is
    locked while its page is handed over, so two replicas never send the same page."""

    def __init__(
        self,
        engine: AsyncEngine,
        providers: Mapping[str, Provider],
        *,
        public_url: str,
        max_attempts: int = 8,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.providers = dict(providers)
        self.public_url = public_url
        self.max_attempts = max_attempts
        self._on_commit = on_commit
        self._sending: set[asyncio.Task[None]] = set()

    async def on_triggered(self, event: IncidentTriggered, _: Delivery) -> None:
        """Page the people of a new incident. Safe to run twice: the inbox and the idempotency
        keys make a redelivered event record and send nothing new. Acks once recorded."""
        pages = domain.pages_for_triggered(event.incident, self.public_url)
        await self._record_and_send(CONSUMER, event.event_id, event.incident.id, pages)

    async def on_requested(self, event: NotificationRequested, _: Delivery) -> None:
        """Page the targets an escalation step (or a handoff, a reminder) asked for. Safe to
        run twice: the inbox and the idempotency keys make a redelivered request record and
        send nothing new. Acks once recorded; a request without a valid incident id is
        dead-lettered."""
        try:
            uuid.UUID(event.incident_id)
        except ValueError as exc:
            raise Reject(f"incident_id is not a UUID: {event.incident_id!r}") from exc
        pages = domain.pages_for_request(event)
        await self._record_and_send(REQUESTS_CONSUMER, event.event_id, event.incident_id, pages)

    async def _record_and_send(
        self, consumer: str, event_id: str, incident_id: str, pages: list[domain.Page]
    ) -> None:
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, consumer, event_id):
                return
            ids = await store.add_pages(conn, incident_id, pages)
        # Send after the ack path: a slow provider never holds up the stream, and a crash
        # before sending leaves the pages pending for the retry loop.
        for delivery_id in ids:
            task = asyncio.create_task(self.deliver(delivery_id))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def deliver(self, delivery_id: uuid.UUID) -> None:
        """Send one pending page; record the outcome and its event in the same transaction."""
        async with self.engine.begin() as conn:
            row = await store.lock_pending(conn, delivery_id)
            if row is None:
                return  # sent already, or another replica is sending it right now
            attempts = row.attempts + 1
            page = domain.Page(
                idempotency_key=row.idempotency_key,
                channel=row.channel,
                provider=row.provider,
                recipient=row.recipient,
                message=row.message,
            )
            try:
                await self._provider(row.provider).send(page)
            except ProviderError as exc:
                await self._failed(conn, row, attempts, str(exc), exc.retry_after)
            except Exception as exc:
                await self._failed(conn, row, attempts, repr(exc), None)
            else:
                await store.mark_sent(conn, row.id, attempts)
                sent = NotificationSent(
                    event_id=new_event_id(),
                    occurred_at=utcnow(),
                    incident_id=str(row.incident_id),
                    delivery_id=str(row.id),
                    idempotency_key=row.idempotency_key,
                    channel=row.channel,
                    provider=row.provider,
                    recipient=row.recipient,
                    attempts=attempts,
                )
                await conn.execute(outbox.insert(), outbox_rows([sent]))
        self._on_commit()

    async def _failed(
        self,
        conn: AsyncConnection,
        row: store.Record,
        attempts: int,
        error: str,
        retry_after: float | None,
    ) -> None:
        give_up = attempts >= self.max_attempts
        retry_in = None if give_up else (retry_after or domain.retry_delay(attempts))
        log.warning(
            "page not delivered",
            provider=row.provider,
            recipient=row.recipient,
            attempt=attempts,
            error=error,
            retry_in=retry_in,
        )
        await store.mark_attempt_failed(conn, row.id, attempts, error, retry_in)
        if give_up:
            failed = NotificationFailed(
                event_id=new_event_id(),
                occurred_at=utcnow(),
                incident_id=str(row.incident_id),
                delivery_id=str(row.id),
                idempotency_key=row.idempotency_key,
                channel=row.channel,
                provider=row.provider,
                recipient=row.recipient,
                error=error,
                attempts=attempts,
            )
            await conn.execute(outbox.insert(), outbox_rows([failed]))

    def _provider(self, name: str) -> Provider:
        provider = self.providers.get(name)
        if provider is None:
            raise ProviderError(f"no provider named {name!r} is configured")
        return provider

    async def retry_due(self, stopping: asyncio.Event, interval: float) -> None:
        """Background loop: send pages still pending (after a crash, a provider outage)."""
        while not stopping.is_set():
            try:
                async with self.engine.connect() as conn:
                    due = await store.due_ids(conn)
                for delivery_id in due:
                    await self.deliver(delivery_id)
            except Exception as exc:
                log.warning("retrying due pages failed", error=repr(exc))
            try:
                await asyncio.wait_for(stopping.wait(), timeout=interval)
            except TimeoutError:
                pass
