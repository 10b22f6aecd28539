"""The audit log: one append-only row per mutating API call, readable by admins at
``GET /api/v1/audit/`` (``api.audit``). What it keeps of bodies and query strings is redacted
(see ``imas_gateway.redaction``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_gateway import store
from imas_gateway.domain import Principal
from imas_gateway.redaction import redact, redact_query, storable
from imas_runtime.group_commit import GroupCommit


def body_json(raw: bytes) -> Any:
    """A captured body as JSON for the log, redacted (see ``imas_gateway.redaction``);
    anything that is not JSON, or too deep to decode, is summarised. Never raises: no body
    may cost the call its audit row."""
    if not raw:
        return None
    try:
        decoded = msgspec.json.decode(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, deeper than a decoder goes
        return {"non_json_bytes": len(raw)}
    try:
        return redact(decoded)
    except Exception as exc:  # redaction is total; should it ever fail, the row stays
        return {"unreadable_json_bytes": len(raw), "reason": type(exc).__name__}


@dataclass(frozen=True)
class AuditRecord:
    principal: Principal | None
    method: str
    path: str
    route: str
    path_params: dict[str, Any]
    status: int
    ip: str
    forwarded_for: str
    user_agent: str
    request_body: bytes
    response_body: bytes
    duration_ms: float
    query_string: bytes = b""

    def row(self) -> dict[str, Any]:
        who = self.principal
        return {
            "actor": who.name if who else "anonymous",
            "role": who.role if who else "",
            "token_id": who.token_id if who and who.token_id else None,
            "user_id": who.user_id if who else None,
            "method": self.method,
            "path": storable(self.path),
            "query": redact_query(self.query_string),
            "route": self.route,
            "target": storable(",".join(str(v) for v in self.path_params.values())),
            "status": self.status,
            "ip": self.ip,
            "forwarded_for": storable(self.forwarded_for),
            "user_agent": storable(self.user_agent[:500]),
            "request": body_json(self.request_body),
            "response": body_json(self.response_body),
            "duration_ms": self.duration_ms,
        }


class AuditLog:
    """The append-only audit log, written in group commits.

    While one insert is on its way, the rows of the calls that end meanwhile wait and go
    together in the next one: under load a transaction serves many calls (it was a fifth of
    the gateway's CPU per mutating call), and each caller still returns only once its own row
    is committed.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._commits: GroupCommit[dict[str, Any]] = GroupCommit(self._write)

    async def append(self, record: AuditRecord) -> None:
        """Insert one row (never updated or deleted afterwards); return once committed."""
        await self._commits.submit(record.row())

    async def _write(self, rows: list[dict[str, Any]]) -> list[Exception | None]:
        try:
            async with self.engine.begin() as conn:
                await store.append_audit(conn, rows)
        except Exception as exc:
            if len(rows) == 1:
                return [await self._write_without_bodies(rows[0], exc)]
            # One row the database refuses must not take the others with it.
            return [(await self._write([row]))[0] for row in rows]
        return [None] * len(rows)

    async def _write_without_bodies(
        self, row: dict[str, Any], refused: Exception
    ) -> Exception | None:
        """The row again, its bodies replaced by why they are missing: whatever a caller
        sent, the call keeps its row (a database that is down still loses it, loudly)."""
        unstored = {"unstored": type(refused).__name__}
        try:
            async with self.engine.begin() as conn:
                await store.append_audit(conn, [{**row, "request": unstored, "response": unstored}])
        except Exception as exc:
            return exc
        return None

    async def page(
        self, filters: dict[str, Any], limit: int, offset: int
    ) -> tuple[int, list[dict[str, Any]]]:
        async with self.engine.connect() as conn:
            count, rows = await store.list_audit(conn, filters=filters, limit=limit, offset=offset)
        results = []
        for row in rows:
            data = dict(row._mapping)
            data["at"] = data["at"].isoformat()
            results.append(data)
        return count, results
