"""The only module of the notifier service that writes SQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_notifier.domain import Page
from imas_notifier.models import (
    catalog,
    config_versions,
    deliveries,
    inbox,
    internal_incidents,
    person_rules,
    providers,
    routing_rules,
)
from imas_notifier.routing.domain import Directory, RoutingRule
from imas_runtime.catalog_projection import CatalogProjection
from imas_runtime.telemetry import current_traceparent

Record = Any

# The catalog as the notifier keeps it (every kind), fed by ``notifier--CATALOG``.
catalog_projection = CatalogProjection(catalog, inbox, "notifier--CATALOG")


def _interval(seconds: float) -> Any:
    return func.make_interval(0, 0, 0, 0, 0, 0, seconds)


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# -- the ledger ---------------------------------------------------------------------------------


# Pages of many incidents in one statement: one array per column, one row per page. A page
# marked ``leased`` is recorded already leased (``sending``, first attempt counted, lease
# token 1), to be handed to its provider as soon as the transaction commits; one with a
# reason it cannot be delivered is recorded ``undeliverable`` with that reason, never sent.
_ADD_PAGES = text(
    """
    INSERT INTO deliveries (id, incident_id, idempotency_key, channel, provider, recipient,
                            message, address, content, kind, thread_of, next_attempt_at,
                            status, attempts, lease_until, lease_token, last_error,
                            traceparent, service_id, held_until)
    SELECT p.id, p.incident_id, p.idempotency_key, p.channel, p.provider, p.recipient,
           p.message, p.address, p.content::jsonb, p.kind, p.thread_of,
           now() + make_interval(secs => p.delay),
           CASE WHEN p.reason <> '' THEN 'undeliverable'
                WHEN p.leased THEN 'sending' ELSE 'pending' END,
           CASE WHEN p.leased THEN 1 ELSE 0 END,
           CASE WHEN p.leased THEN now() + make_interval(secs => :lease_seconds) END,
           CASE WHEN p.leased THEN 1 ELSE 0 END,
           NULLIF(p.reason, ''), p.traceparent, p.service_id, p.held_until
    FROM unnest(CAST(:ids AS uuid[]), CAST(:incident_ids AS uuid[]), CAST(:keys AS text[]),
                CAST(:channels AS text[]), CAST(:providers AS text[]),
                CAST(:recipients AS text[]), CAST(:messages AS text[]),
                CAST(:addresses AS text[]), CAST(:contents AS text[]), CAST(:kinds AS text[]),
                CAST(:thread_of AS uuid[]), CAST(:delays AS float8[]),
                CAST(:leased AS boolean[]), CAST(:reasons AS text[]),
                CAST(:traceparents AS text[]), CAST(:service_ids AS text[]),
                CAST(:held_until AS timestamptz[]))
         AS p(id, incident_id, idempotency_key, channel, provider, recipient, message, address,
              content, kind, thread_of, delay, leased, reason, traceparent, service_id,
              held_until)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING deliveries.*
    """
)


async def add_pages(
    conn: AsyncConnection,
    pages: Sequence[tuple[str, Page]],
    thread_of: dict[str, uuid.UUID] | None = None,
    *,
    leased: Sequence[bool] = (),
    lease_seconds: float = 0.0,
    traces: Mapping[str, str] | None = None,
) -> list[Record]:
    """Record (incident id, page) pairs to send, in one statement; a page whose idempotency
    key exists already is skipped. ``thread_of`` maps a key to the delivery it follows up;
    ``leased[i]`` records page i leased for ``lease_seconds``; ``traces`` maps an incident id
    to the trace its pages belong to (else the current one). Answers the rows recorded."""
    if not pages:
        return []
    threads = thread_of or {}
    current = current_traceparent()
    columns = {
        "ids": [uuid.uuid4() for _ in pages],
        "incident_ids": [uuid.UUID(incident_id) for incident_id, _ in pages],
        "keys": [p.idempotency_key for _, p in pages],
        "channels": [p.channel for _, p in pages],
        "providers": [p.provider for _, p in pages],
        "recipients": [p.recipient for _, p in pages],
        "messages": [p.message for _, p in pages],
        "addresses": [p.address for _, p in pages],
        "contents": [json.dumps(p.content, separators=(",", ":")) for _, p in pages],
        "kinds": [p.kind for _, p in pages],
        "thread_of": [threads.get(p.idempotency_key) for _, p in pages],
        "delays": [float(p.delay_seconds) for _, p in pages],
        "leased": list(leased) or [False] * len(pages),
        "reasons": [p.undeliverable for _, p in pages],
        "traceparents": [(traces or {}).get(i) or current for i, _ in pages],
        "service_ids": [p.service_id for _, p in pages],
        "held_until": [p.held_until for _, p in pages],
        "lease_seconds": float(lease_seconds),
    }
    return list((await conn.execute(_ADD_PAGES, columns)).all())


_CLAIM_EVENTS = text(
    """
    INSERT INTO inbox (consumer, event_id)
    SELECT :consumer, unnest(CAST(:event_ids AS text[]))
    ON CONFLICT DO NOTHING
    RETURNING event_id
    """
)


async def claim_events(conn: AsyncConnection, consumer: str, event_ids: Sequence[str]) -> set[str]:
    """Record each event id as processed by ``consumer`` (the inbox, in one statement);
    answers those not processed before."""
    if not event_ids:
        return set()
    params = {"consumer": consumer, "event_ids": list(event_ids)}
    return set((await conn.execute(_CLAIM_EVENTS, params)).scalars())


async def claim_due(
    conn: AsyncConnection, limit: int, lease_seconds: float, max_unanswered: int
) -> list[Record]:
    """Lease up to ``limit`` due pages (pending and due, or sending with a lapsed lease: a
    lost sender's) and count the attempt; other replicas skip them. See :func:`_lease`.

    A follow-up waits while the page it threads under is still to be sent: recorded together
    (an acknowledgement that came before its trigger), it would otherwise go first, and
    outside the page's Slack thread, since the thread is known only once the page is sent."""
    thread = deliveries.alias("thread")
    thread_unsent = (
        select(thread.c.id)
        .where(thread.c.id == deliveries.c.thread_of, thread.c.status.in_(("pending", "sending")))
        .exists()
    )
    due = (
        select(deliveries.c.id)
        .where(
            or_(
                and_(
                    deliveries.c.status == "pending",
                    deliveries.c.next_attempt_at <= func.now(),
                    or_(deliveries.c.thread_of.is_(None), ~thread_unsent),
                ),
                and_(deliveries.c.status == "sending", deliveries.c.lease_until < func.now()),
            )
        )
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return await _lease(
        conn, deliveries.c.id.in_(due.scalar_subquery()), lease_seconds, max_unanswered
    )


async def claim_same_address(
    conn: AsyncConnection, channel: str, address: str, lease_seconds: float
) -> list[Record]:
    """Lease every other page to the same address that is due now (bundled into one
    message). A page not yet due (a person's delayed rule, a retry's backoff) is left for its
    own time: bundling never sends a page early, nor holds one back."""
    ids = (
        select(deliveries.c.id)
        .where(
            deliveries.c.status == "pending",
            deliveries.c.channel == channel,
            deliveries.c.address == address,
            deliveries.c.next_attempt_at <= func.now(),
        )
        .with_for_update(skip_locked=True)
    )
    return await _lease(conn, deliveries.c.id.in_(ids.scalar_subquery()), lease_seconds)


async def _lease(
    conn: AsyncConnection, where: Any, lease_seconds: float, max_unanswered: int = 1
) -> list[Record]:
    """Lease the rows ``where`` selects: a new fencing token each. A row taken over from a
    lapsed lease had an attempt whose outcome is unknown (its sender was lost in mid-send):
    it counts as unanswered, and when that uses up ``max_unanswered`` the row is leased only
    to be given up (no attempt counted, no send)."""
    lapsed = deliveries.c.status == "sending"
    given_up = and_(lapsed, deliveries.c.unanswered + 1 >= max_unanswered)
    statement = (
        update(deliveries)
        .where(where)
        .values(
            status="sending",
            attempts=deliveries.c.attempts + case((given_up, 0), else_=1),
            unanswered=deliveries.c.unanswered + case((lapsed, 1), else_=0),
            lease_token=deliveries.c.lease_token + 1,
            lease_until=func.now() + _interval(lease_seconds),
        )
        .returning(*deliveries.c)
    )
    return list((await conn.execute(statement)).all())


async def provider_refs(conn: AsyncConnection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(deliveries.c.id, deliveries.c.provider_response).where(
        deliveries.c.id.in_(ids), deliveries.c.status == "sent"
    )
    return {r.id: r.provider_response for r in await conn.execute(query) if r.provider_response}


# A result is recorded only if the sender still holds the lease it sent under (same token):
# once a lapsed lease is taken over, the earlier sender's late answer is dropped.
_MARK_SENT = text(
    """
    UPDATE deliveries AS d
    SET status = 'sent', sent_at = now(), last_error = NULL, provider_response = v.response
    FROM unnest(CAST(:ids AS uuid[]), CAST(:tokens AS bigint[]), CAST(:responses AS text[]))
         AS v(id, token, response)
    WHERE d.id = v.id AND d.status = 'sending' AND d.lease_token = v.token
    RETURNING d.id
    """
)


async def mark_all_sent(
    conn: AsyncConnection, responses: Sequence[tuple[uuid.UUID, int, str]]
) -> set[uuid.UUID]:
    """Mark many pages sent in one statement (delivery id, lease token, provider answer);
    answers those whose lease the sender still held."""
    if not responses:
        return set()
    params = {
        "ids": [i for i, _, _ in responses],
        "tokens": [t for _, t, _ in responses],
        "responses": [r for _, _, r in responses],
    }
    return set((await conn.execute(_MARK_SENT, params)).scalars())


async def mark_failed(
    conn: AsyncConnection,
    delivery_id: uuid.UUID,
    token: int,
    error: str,
    status: str,
    retry_in: float | None = None,
    unanswered: int | None = None,
) -> bool:
    """Back to pending in ``retry_in`` seconds, or ``failed`` / ``dead`` for good, if the
    sender still holds lease ``token``; ``unanswered`` is the new count of attempts whose
    outcome is unknown. Answers whether it was recorded."""
    values: dict[str, Any] = {"last_error": error[:2000], "provider_response": error[:500]}
    if unanswered is not None:
        values["unanswered"] = unanswered
    if retry_in is None:
        values["status"] = status
    else:
        values.update(status="pending", next_attempt_at=func.now() + _interval(retry_in))
    result = await conn.execute(
        update(deliveries)
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.status == "sending",
            deliveries.c.lease_token == token,
        )
        .values(**values)
        .returning(deliveries.c.id)
    )
    return result.first() is not None


# Pages a service's maintenance holds: due while it lasts, they wait for its end.
_HOLD_PAGES = text(
    """
    UPDATE deliveries AS d
    SET next_attempt_at = m.until, held_until = m.until
    FROM unnest(CAST(:services AS text[]), CAST(:untils AS timestamptz[])) AS m(service, until)
    WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND d.service_id = m.service
      AND d.next_attempt_at < m.until
    RETURNING d.id
    """
)


async def hold_pages(conn: AsyncConnection, held: Mapping[str, datetime]) -> int:
    """Pages due now whose service is in maintenance (``held``: its end, by service id)
    move to its end; answers how many."""
    if not held:
        return 0
    params = {"services": list(held), "untils": list(held.values())}
    return len((await conn.execute(_HOLD_PAGES, params)).all())


async def end_hold(conn: AsyncConnection, service_id: str, end: datetime) -> int:
    """A maintenance of the service that ends (or now ends) at ``end``, earlier than the
    pages it held were moved to: they move back by the difference (keeping their spacing).
    Answers how many moved."""
    result = await conn.execute(
        update(deliveries)
        .where(
            deliveries.c.service_id == service_id,
            deliveries.c.status == "pending",
            deliveries.c.held_until > end,
        )
        .values(
            next_attempt_at=deliveries.c.next_attempt_at - (deliveries.c.held_until - end),
            held_until=end,
        )
    )
    return int(result.rowcount or 0)


async def page_places(conn: AsyncConnection, incident_id: str) -> list[Record]:
    """The first page of each (provider, address) of an incident: where follow-ups go."""
    query = (
        select(deliveries)
        .ext(distinct_on(deliveries.c.provider, deliveries.c.address, deliveries.c.recipient))
        .where(
            deliveries.c.incident_id == uuid.UUID(incident_id),
            deliveries.c.kind == "page",
            deliveries.c.status.in_(("pending", "sending", "sent")),
        )
        .order_by(
            deliveries.c.provider,
            deliveries.c.address,
            deliveries.c.recipient,
            deliveries.c.created_at,
        )
    )
    return list((await conn.execute(query)).all())


_MARK_ROUTED = text(
    """
    INSERT INTO incident_triggers (incident_id, routed)
    SELECT unnest(CAST(:ids AS uuid[])), true
    ON CONFLICT (incident_id) DO UPDATE SET routed = true
    RETURNING incident_id, owed
    """
)


async def mark_routed(conn: AsyncConnection, incident_ids: Sequence[str]) -> dict[str, list[Any]]:
    """Record that these incidents' triggers are routed (in the transaction recording their
    pages); answers the follow-ups owed to those pages, by incident id. Waits for a
    concurrent :func:`owe_follow_up` of one of them to commit, and sees what it owed."""
    if not incident_ids:
        return {}
    ids = sorted({uuid.UUID(i) for i in incident_ids})  # one lock order for every writer
    rows = await conn.execute(_MARK_ROUTED, {"ids": ids})
    return {str(r.incident_id): list(r.owed) for r in rows if r.owed}


_OWE_FOLLOW_UP = text(
    """
    INSERT INTO incident_triggers (incident_id, owed)
    VALUES (:id, CAST(:owed AS jsonb))
    ON CONFLICT (incident_id) DO UPDATE SET owed = incident_triggers.owed || EXCLUDED.owed
        WHERE NOT incident_triggers.routed
    RETURNING incident_id
    """
)


async def owe_follow_up(conn: AsyncConnection, incident_id: str, follow_up: dict[str, Any]) -> bool:
    """Keep ``follow_up`` for the trigger's pages if the trigger is not routed yet (answers
    whether it was kept). Run before reading the places to follow up: a trigger being routed
    meanwhile commits first, and its pages are then read."""
    owed = json.dumps([follow_up], separators=(",", ":"))
    result = await conn.execute(_OWE_FOLLOW_UP, {"id": uuid.UUID(incident_id), "owed": owed})
    return result.first() is not None


async def cancel_delayed(conn: AsyncConnection, incident_id: str) -> int:
    """Pages held back (a person's later rules, a maintenance of the service) are not sent
    once the incident is taken."""
    result = await conn.execute(
        update(deliveries)
        .where(
            deliveries.c.incident_id == uuid.UUID(incident_id),
            deliveries.c.status == "pending",
            # A retry is the page already due; one a maintenance holds was never sent.
            or_(deliveries.c.attempts == 0, deliveries.c.held_until > func.now()),
            deliveries.c.next_attempt_at > func.now(),
            deliveries.c.kind == "page",
        )
        .values(status="cancelled", last_error="incident acknowledged before this page was due")
    )
    return int(result.rowcount or 0)


async def list_deliveries(
    conn: AsyncConnection, incident_id: uuid.UUID | None, status: str, limit: int, offset: int
) -> tuple[int, list[Record]]:
    where = []
    if incident_id is not None:
        where.append(deliveries.c.incident_id == incident_id)
    if status:
        where.append(deliveries.c.status == status)
    count = (
        await conn.execute(select(func.count()).select_from(deliveries).where(*where))
    ).scalar()
    query = (
        select(deliveries)
        .where(*where)
        .order_by(deliveries.c.created_at.desc(), deliveries.c.id)
        .limit(limit)
        .offset(offset)
    )
    return int(count or 0), list((await conn.execute(query)).all())


# -- catalog projection, rules ------------------------------------------------------------------


async def load_directory(conn: AsyncConnection) -> Directory:
    entries = await catalog_projection.load(conn)
    return Directory(
        teams=entries["team"],
        services=entries["service"],
        scopes=entries["scope"],
        people=entries["person"],
    )


def _rule(row: Record) -> RoutingRule:
    return RoutingRule(
        target=row.target,
        channels=tuple(row.channels),
        team_id=row.team_id,
        severity=row.severity,
        scope_id=row.scope_id,
        responder=row.responder,
        id=str(row.id),
    )


async def load_rules(conn: AsyncConnection) -> list[RoutingRule]:
    """Stored routing rules, in a stable order (target, team, severity, scope)."""
    query = select(routing_rules).order_by(
        routing_rules.c.target,
        routing_rules.c.team_id,
        routing_rules.c.severity,
        routing_rules.c.scope_id,
    )
    return [_rule(r) for r in await conn.execute(query)]


async def get_rule(conn: AsyncConnection, id_: uuid.UUID) -> RoutingRule | None:
    row = (await conn.execute(select(routing_rules).where(routing_rules.c.id == id_))).first()
    return _rule(row) if row is not None else None


async def rule_with_match(conn: AsyncConnection, rule: RoutingRule) -> RoutingRule | None:
    """The stored rule matching exactly what ``rule`` matches (same target), if any."""
    query = select(routing_rules).where(
        routing_rules.c.target == rule.target,
        routing_rules.c.team_id == rule.team_id,
        routing_rules.c.severity == rule.severity,
        routing_rules.c.scope_id == rule.scope_id,
    )
    row = (await conn.execute(query)).first()
    return _rule(row) if row is not None else None


async def save_rule(conn: AsyncConnection, rule: RoutingRule) -> RoutingRule:
    """Insert, or replace the rule of the same id."""
    values = {
        "id": uuid.UUID(rule.id) if rule.id else uuid.uuid4(),
        "target": rule.target,
        "channels": list(rule.channels),
        "team_id": rule.team_id,
        "severity": rule.severity,
        "scope_id": rule.scope_id,
        "responder": rule.responder,
    }
    statement = insert(routing_rules).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[routing_rules.c.id],
        set_={k: getattr(statement.excluded, k) for k in values if k != "id"},
    )
    row = (await conn.execute(statement.returning(*routing_rules.c))).first()
    assert row is not None
    return _rule(row)


async def add_rule(conn: AsyncConnection, rule: RoutingRule) -> None:
    await save_rule(conn, rule)


async def delete_rule(conn: AsyncConnection, id_: uuid.UUID) -> None:
    await conn.execute(delete(routing_rules).where(routing_rules.c.id == id_))


async def load_config_versions(conn: AsyncConnection) -> dict[str, int]:
    """The counters the triggers bump: ``catalog``, ``rules``, ``providers``."""
    rows = await conn.execute(select(config_versions.c.name, config_versions.c.version))
    return {r.name: int(r.version) for r in rows}


def _person_rule_list(rules: Sequence[dict[str, Any]]) -> list[tuple[str, float]]:
    return [(str(r["type"]), float(r.get("delay_minutes", 0))) for r in rules]


async def load_all_person_rules(conn: AsyncConnection) -> dict[str, list[tuple[str, float]]]:
    """Every person's notification rules, by person id."""
    rows = await conn.execute(select(person_rules.c.person_id, person_rules.c.rules))
    return {r.person_id: _person_rule_list(r.rules) for r in rows}


async def load_person_rules(
    conn: AsyncConnection, person_id: str
) -> list[tuple[str, float]] | None:
    rules = (
        await conn.execute(
            select(person_rules.c.rules).where(person_rules.c.person_id == person_id)
        )
    ).scalar()
    if rules is None:
        return None
    return _person_rule_list(rules)


async def put_person_rules(
    conn: AsyncConnection, person_id: str, rules: list[dict[str, Any]]
) -> None:
    statement = insert(person_rules).values(person_id=person_id, rules=rules)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[person_rules.c.person_id], set_={"rules": statement.excluded.rules}
        )
    )


async def delete_person_rules(conn: AsyncConnection, person_id: str) -> bool:
    result = await conn.execute(delete(person_rules).where(person_rules.c.person_id == person_id))
    return bool(result.rowcount)


# -- incidents about failing pages ---------------------------------------------------------------


async def record_internal_incident(
    conn: AsyncConnection, incident_id: str, channel: str, provider: str
) -> None:
    statement = insert(internal_incidents).values(
        incident_id=uuid.UUID(incident_id), channel=channel, provider=provider
    )
    await conn.execute(statement.on_conflict_do_nothing())


async def failing_provider_of(conn: AsyncConnection, incident_id: uuid.UUID) -> str | None:
    """The provider an internal incident is about; None for any other incident."""
    query = select(internal_incidents.c.provider).where(
        internal_incidents.c.incident_id == incident_id
    )
    value: str | None = (await conn.execute(query)).scalar()
    return value


# -- providers ----------------------------------------------------------------------------------


async def get_provider(conn: AsyncConnection, ref: str) -> Record | None:
    id_ = parse_uuid(ref)
    where = providers.c.id == id_ if id_ is not None else providers.c.name == ref
    return (await conn.execute(select(providers).where(where))).first()


async def list_providers(conn: AsyncConnection) -> list[Record]:
    return list((await conn.execute(select(providers).order_by(providers.c.name))).all())


async def save_provider(conn: AsyncConnection, values: dict[str, Any]) -> Record:
    statement = insert(providers).values(**values, updated_at=func.now())
    columns = {k: getattr(statement.excluded, k) for k in values if k != "id"}
    row = (
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[providers.c.id], set_={**columns, "updated_at": func.now()}
            ).returning(*providers.c)
        )
    ).first()
    assert row is not None
    return row


async def delete_provider(conn: AsyncConnection, id_: uuid.UUID) -> None:
    await conn.execute(delete(providers).where(providers.c.id == id_))
