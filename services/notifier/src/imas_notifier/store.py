"""The only module of the notifier service that writes SQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_notifier.domain import Page
from imas_notifier.models import (
    catalog,
    config_versions,
    deliveries,
    internal_incidents,
    person_rules,
    providers,
    routing_rules,
)
from imas_notifier.routing import Directory, Entity, RoutingRule

Record = Any


def _interval(seconds: float) -> Any:
    return func.make_interval(0, 0, 0, 0, 0, 0, seconds)


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# -- the ledger ---------------------------------------------------------------------------------


# Pages of many incidents in one statement: one array per column, one row per page. A page
# marked ``leased`` is recorded already leased (``sending``, first attempt counted), to be
# handed to its provider as soon as the transaction commits.
_ADD_PAGES = text(
    """
    INSERT INTO deliveries (id, incident_id, idempotency_key, channel, provider, recipient,
                            message, address, content, kind, thread_of, next_attempt_at,
                            status, attempts, lease_until)
    SELECT p.id, p.incident_id, p.idempotency_key, p.channel, p.provider, p.recipient,
           p.message, p.address, p.content::jsonb, p.kind, p.thread_of,
           now() + make_interval(secs => p.delay),
           CASE WHEN p.leased THEN 'sending' ELSE 'pending' END,
           CASE WHEN p.leased THEN 1 ELSE 0 END,
           CASE WHEN p.leased THEN now() + make_interval(secs => :lease_seconds) END
    FROM unnest(CAST(:ids AS uuid[]), CAST(:incident_ids AS uuid[]), CAST(:keys AS text[]),
                CAST(:channels AS text[]), CAST(:providers AS text[]),
                CAST(:recipients AS text[]), CAST(:messages AS text[]),
                CAST(:addresses AS text[]), CAST(:contents AS text[]), CAST(:kinds AS text[]),
                CAST(:thread_of AS uuid[]), CAST(:delays AS float8[]),
                CAST(:leased AS boolean[]))
         AS p(id, incident_id, idempotency_key, channel, provider, recipient, message, address,
              content, kind, thread_of, delay, leased)
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
) -> list[Record]:
    """Record (incident id, page) pairs to send, in one statement; a page whose idempotency
    key exists already is skipped. ``thread_of`` maps a key to the delivery it follows up;
    ``leased[i]`` records page i leased for ``lease_seconds``. Answers the rows recorded."""
    if not pages:
        return []
    threads = thread_of or {}
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


async def claim_due(conn: AsyncConnection, limit: int, lease_seconds: float) -> list[Record]:
    """Lease up to ``limit`` due pages (pending and due, or sending with a lapsed lease: a
    crashed sender's) and count the attempt; other replicas skip them."""
    due = (
        select(deliveries.c.id)
        .where(
            or_(
                and_(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= func.now()),
                and_(deliveries.c.status == "sending", deliveries.c.lease_until < func.now()),
            )
        )
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return await _lease(conn, deliveries.c.id.in_(due.scalar_subquery()), lease_seconds)


async def claim_same_address(
    conn: AsyncConnection, channel: str, address: str, lease_seconds: float
) -> list[Record]:
    """Lease every other pending page to the same address (bundled into one message)."""
    ids = (
        select(deliveries.c.id)
        .where(
            deliveries.c.status == "pending",
            deliveries.c.channel == channel,
            deliveries.c.address == address,
        )
        .with_for_update(skip_locked=True)
    )
    return await _lease(conn, deliveries.c.id.in_(ids.scalar_subquery()), lease_seconds)


async def _lease(conn: AsyncConnection, where: Any, lease_seconds: float) -> list[Record]:
    statement = (
        update(deliveries)
        .where(where)
        .values(
            status="sending",
            attempts=deliveries.c.attempts + 1,
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


_MARK_SENT = text(
    """
    UPDATE deliveries AS d
    SET status = 'sent', sent_at = now(), last_error = NULL, provider_response = v.response
    FROM unnest(CAST(:ids AS uuid[]), CAST(:responses AS text[])) AS v(id, response)
    WHERE d.id = v.id AND d.status = 'sending'
    RETURNING d.id
    """
)


async def mark_all_sent(
    conn: AsyncConnection, responses: Sequence[tuple[uuid.UUID, str]]
) -> set[uuid.UUID]:
    """Mark many pages sent in one statement (delivery id, provider answer); answers those
    that were still ``sending`` (another sender may have finished one first)."""
    if not responses:
        return set()
    params = {"ids": [i for i, _ in responses], "responses": [r for _, r in responses]}
    return set((await conn.execute(_MARK_SENT, params)).scalars())


async def mark_failed(
    conn: AsyncConnection,
    delivery_id: uuid.UUID,
    error: str,
    status: str,
    retry_in: float | None = None,
) -> bool:
    """Back to pending in ``retry_in`` seconds, or ``failed`` / ``dead`` for good."""
    values: dict[str, Any] = {"last_error": error[:2000], "provider_response": error[:500]}
    if retry_in is None:
        values["status"] = status
    else:
        values.update(status="pending", next_attempt_at=func.now() + _interval(retry_in))
    result = await conn.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id, deliveries.c.status == "sending")
        .values(**values)
        .returning(deliveries.c.id)
    )
    return result.first() is not None


async def next_sms_slot(conn: AsyncConnection, address: str, interval: float) -> float:
    """Seconds until ``address`` may get another SMS: ``interval`` after the latest one sent
    or planned."""
    latest = func.max(func.coalesce(deliveries.c.sent_at, deliveries.c.next_attempt_at))
    query = select(
        func.greatest(0, func.extract("epoch", latest + _interval(interval) - func.now()))
    ).where(
        deliveries.c.channel == "sms",
        deliveries.c.address == address,
        deliveries.c.status.in_(("pending", "sending", "sent")),
    )
    value = (await conn.execute(query)).scalar()
    return float(value or 0)


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


async def cancel_delayed(conn: AsyncConnection, incident_id: str) -> int:
    """Pages held back (a person's later rules) are not sent once the incident is taken."""
    result = await conn.execute(
        update(deliveries)
        .where(
            deliveries.c.incident_id == uuid.UUID(incident_id),
            deliveries.c.status == "pending",
            deliveries.c.attempts == 0,
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


async def upsert_entity(
    conn: AsyncConnection, kind: str, id_: str, name: str, data: dict[str, Any]
) -> None:
    statement = insert(catalog).values(kind=kind, id=id_, name=name, data=data)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[catalog.c.kind, catalog.c.id],
            set_={"name": statement.excluded.name, "data": statement.excluded.data},
        )
    )


async def delete_entity(conn: AsyncConnection, kind: str, id_: str) -> None:
    await conn.execute(delete(catalog).where(catalog.c.kind == kind, catalog.c.id == id_))


async def load_directory(conn: AsyncConnection) -> Directory:
    by_kind: dict[str, dict[str, Entity]] = {"team": {}, "service": {}, "scope": {}, "person": {}}
    for row in await conn.execute(select(catalog)):
        by_kind.setdefault(row.kind, {})[row.id] = Entity(row.id, row.name, row.data)
    return Directory(
        teams=by_kind["team"],
        services=by_kind["service"],
        scopes=by_kind["scope"],
        people=by_kind["person"],
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
