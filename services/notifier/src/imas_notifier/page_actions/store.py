"""SQL of page actions (answering a page where it arrived): the only writer of their tables."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_notifier.models import page_action_uses, page_actions, signing_keys, wrong_codes

Record = Any


async def live_codes(conn: AsyncConnection, addresses: Sequence[str]) -> dict[str, set[str]]:
    """The codes of the live (unexpired) page actions of each phone number."""
    if not addresses:
        return {}
    query = select(page_actions.c.address, page_actions.c.code).where(
        page_actions.c.address.in_(sorted(set(addresses))),
        page_actions.c.code != "",
        page_actions.c.expires_at > func.now(),
    )
    found: dict[str, set[str]] = {}
    for address, code in (await conn.execute(query)).all():
        found.setdefault(address, set()).add(code)
    return found


async def add_actions(conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record page actions (one per page recorded); a page that has one keeps it."""
    if rows:
        statement = insert(page_actions).on_conflict_do_nothing(index_elements=["delivery_id"])
        await conn.execute(statement, [dict(r) for r in rows])


async def action(conn: AsyncConnection, action_id: uuid.UUID) -> Record | None:
    query = select(page_actions).where(page_actions.c.id == action_id)
    return (await conn.execute(query)).first()


async def action_by_code(conn: AsyncConnection, address: str, code: str) -> Record | None:
    """The newest page action of ``address`` (a phone number, as ``phone_key`` writes it)
    with ``code``, live or expired (the caller tells them apart)."""
    query = (
        select(page_actions)
        .where(page_actions.c.address == address, page_actions.c.code == code)
        .order_by(page_actions.c.created_at.desc())
        .limit(1)
    )
    return (await conn.execute(query)).first()


async def ever_paged(conn: AsyncConnection, address: str) -> bool:
    """Whether a page to ``address`` is still on record (page actions are kept a week past
    their expiry)."""
    query = select(page_actions.c.id).where(page_actions.c.address == address).limit(1)
    return (await conn.execute(query)).first() is not None


async def wrong_codes_since(conn: AsyncConnection, address: str, since: datetime) -> int:
    query = select(func.count()).where(wrong_codes.c.address == address, wrong_codes.c.at > since)
    return int((await conn.execute(query)).scalar_one())


async def add_wrong_code(conn: AsyncConnection, address: str) -> None:
    await conn.execute(wrong_codes.insert().values(address=address))


async def uses(conn: AsyncConnection, action_id: uuid.UUID) -> list[str]:
    """The verbs already carried out with a page action."""
    query = select(page_action_uses.c.verb).where(page_action_uses.c.action_id == action_id)
    return sorted((await conn.execute(query)).scalars())


async def claim_use(conn: AsyncConnection, action_id: uuid.UUID, verb: str, via: str) -> bool:
    """Record that ``verb`` is carried out with the page action; False when it was already
    (the primary key decides, whichever replica asks first)."""
    statement = (
        insert(page_action_uses)
        .values(action_id=action_id, verb=verb, via=via)
        .on_conflict_do_nothing()
        .returning(page_action_uses.c.verb)
    )
    return (await conn.execute(statement)).first() is not None


async def release_use(conn: AsyncConnection, action_id: uuid.UUID, verb: str) -> None:
    """Undo :func:`claim_use`: the action could not be carried out (its owner did not answer)."""
    await conn.execute(
        delete(page_action_uses).where(
            page_action_uses.c.action_id == action_id, page_action_uses.c.verb == verb
        )
    )


async def record_outcome(
    conn: AsyncConnection, action_id: uuid.UUID, verb: str, outcome: str
) -> None:
    await conn.execute(
        page_action_uses.update()
        .where(page_action_uses.c.action_id == action_id, page_action_uses.c.verb == verb)
        .values(outcome=outcome[:500])
    )


async def signing_key(conn: AsyncConnection, name: str, sealed_if_new: bytes) -> bytes:
    """The sealed key ``name``, stored as ``sealed_if_new`` by the first replica to ask."""
    await conn.execute(
        insert(signing_keys).values(name=name, sealed=sealed_if_new).on_conflict_do_nothing()
    )
    query = select(signing_keys.c.sealed).where(signing_keys.c.name == name)
    return bytes((await conn.execute(query)).scalar_one())


async def forget_expired(conn: AsyncConnection, before: datetime) -> int:
    """Drop page actions expired before ``before`` (their uses go with them) and wrong codes
    older than it; answers how many page actions went."""
    await conn.execute(delete(wrong_codes).where(wrong_codes.c.at < before))
    gone = await conn.execute(delete(page_actions).where(page_actions.c.expires_at < before))
    return int(gone.rowcount or 0)
