"""The audit log: one append-only row per mutating API call, readable by admins at
``GET /api/v1/audit/``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Controller, Request, get
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_gateway import api_params as params
from imas_gateway import store
from imas_gateway.auth import role
from imas_gateway.domain import Principal
from imas_runtime.errors import Invalid

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
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def append(self, record: AuditRecord) -> None:
        """Insert one row (never updated or deleted afterwards)."""
        async with self.engine.begin() as conn:
            await store.append_audit(conn, record.row())

    async def page(
        self, filters: dict[str, str], limit: int, offset: int
    ) -> tuple[int, list[dict[str, Any]]]:
        async with self.engine.connect() as conn:
            count, rows = await store.list_audit(conn, filters=filters, limit=limit, offset=offset)
        results = []
        for row in rows:
            data = dict(row._mapping)
            data["at"] = data["at"].isoformat()
            results.append(data)
        return count, results


AUDIT_FILTERS = ("actor", "method", "status", "target", "route", "token_id", "user_id")


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    opt = role("admin")

    @get("/", summary="The audit log, newest first (admins)")
    async def list_entries(self, request: Request[Any, Any, Any]) -> dict[str, object]:
        """Filters: actor, method, status, target, route, token_id, user_id; page, page_size."""
        page, size = params.page_params(request.query_params)
        filters = {k: request.query_params.get(k, "") for k in AUDIT_FILTERS}
        if filters["status"] and not filters["status"].isdigit():
            raise Invalid.field("status", "must be an HTTP status code")
        audit: AuditLog = request.app.state.audit
        typed: dict[str, Any] = {k: v for k, v in filters.items() if v}
        if "status" in typed:
            typed["status"] = int(typed["status"])
        count, results = await audit.page(typed, size, (page - 1) * size)
        return params.paginated(str(request.url), page, size, count, results)
