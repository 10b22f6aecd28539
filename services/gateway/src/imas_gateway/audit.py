"""The audit log: one append-only row per mutating API call, readable by admins at
``GET /api/v1/audit/``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_gateway import store
from imas_gateway.auth import role
from imas_gateway.domain import Page, Principal
from imas_gateway.query_params import PAGING, PageRequest
from imas_runtime.group_commit import GroupCommit

REDACTED = "[redacted]"
# Field names whose values are credentials: never stored, even in the audit log.
_SECRET = re.compile(
    r"pass(word)?|secret|token|signature|authori[sz]ation|credential|api_?key|routing_key|"
    r"private|cookie|auth_token",
    re.IGNORECASE,
)


def storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters: they are kept visible as U+FFFD."""
    return text.replace("\x00", "\ufffd")


def redact(value: Any) -> Any:
    """``value`` with every credential-looking field replaced by ``[redacted]`` (and its text
    made storable)."""
    if isinstance(value, dict):
        return {
            storable(k): REDACTED if _SECRET.search(k) else redact(v)
            for k, v in value.items()
            if isinstance(k, str)
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return storable(value)
    return value


def body_json(raw: bytes) -> Any:
    """A captured body as JSON for the log (redacted); non-JSON bodies are summarised."""
    if not raw:
        return None
    try:
        return redact(msgspec.json.decode(raw))
    except msgspec.DecodeError:
        return {"non_json_bytes": len(raw)}


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

    def row(self) -> dict[str, Any]:
        who = self.principal
        return {
            "actor": who.name if who else "anonymous",
            "role": who.role if who else "",
            "token_id": who.token_id if who and who.token_id else None,
            "user_id": who.user_id if who else None,
            "method": self.method,
            "path": storable(self.path),
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
                return [exc]
            # One row the database refuses must not take the others with it.
            return [(await self._write([row]))[0] for row in rows]
        return [None] * len(rows)

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


class AuditEntry(msgspec.Struct, kw_only=True):
    """One row of the audit log as ``GET /api/v1/audit/`` answers it."""

    id: int
    at: str
    actor: str
    role: str
    token_id: str | None
    user_id: str | None
    method: str
    path: str
    route: str
    target: str
    status: int
    ip: str
    forwarded_for: str
    user_agent: str
    request: Any
    response: Any
    duration_ms: float


def audit_filters(
    actor: str = Parameter(default="", description="Who called (a token's or a user's name)"),
    method: str = Parameter(default="", description="HTTP method, e.g. PATCH"),
    status: int | None = Parameter(default=None, ge=100, le=599, description="Answer status"),
    target: str = Parameter(default="", description="The ids in the path, comma separated"),
    route: str = Parameter(default="", description="Route template, e.g. /api/v1/teams/{id}/"),
    token_id: str = Parameter(default="", description="The calling token's id"),
    user_id: str = Parameter(default="", description="The calling user's id"),
) -> dict[str, Any]:
    """Only the rows matching every filter given."""
    given = {
        "actor": actor,
        "method": method,
        "status": status,
        "target": target,
        "route": route,
        "token_id": token_id,
        "user_id": user_id,
    }
    return {k: v for k, v in given.items() if v not in ("", None)}


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    opt = role("admin", answer=Page[AuditEntry])
    dependencies = {**PAGING, "filters": Provide(audit_filters, sync_to_thread=False)}

    @get("/", summary="The audit log, newest first (admins)")
    async def list_entries(
        self,
        request: Request[Any, Any, Any],
        paging: NamedDependency[PageRequest],
        filters: NamedDependency[dict[str, Any]],
    ) -> dict[str, object]:
        audit: AuditLog = request.app.state.audit
        count, results = await audit.page(filters, paging.size, paging.offset)
        return paging.answer(str(request.url), count, results)
