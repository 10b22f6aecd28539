"""Pure parsing of the API's incident, catalog and metrics inputs (query strings and bodies).

Every problem is an ``Invalid`` naming the offending field, which the API answers as a 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import msgspec

from imas_contracts.catalog import PersonSpec, ScopeFields, ServiceFields, TeamFields
from imas_contracts.incidents import SEVERITIES, STATUSES, ListIncidents
from imas_gateway.domain import _field_of
from imas_runtime.errors import Invalid

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def decode_body(body: bytes, type_: type[T]) -> T:
    """A JSON body as ``type_``; an empty body counts as ``{}``."""
    try:
        return msgspec.json.decode(body or b"{}", type=type_)
    except msgspec.ValidationError as exc:
        field, message = _field_of(exc)
        raise Invalid.field(field or "body", message) from None
    except msgspec.DecodeError:
        raise Invalid.field("body", "must be a JSON object") from None


class IncidentPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``PATCH /api/v1/incidents/{id}/``: any of these; ``lead: null`` unassigns."""

    title: str | None = None
    description: str | None = None
    severity: str | None = None
    lead: str | msgspec.UnsetType | None = msgspec.UNSET
    impacted_scopes: list[str] | None = None


class TransitionBody(msgspec.Struct, kw_only=True):
    note: str = ""


class CommentBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    body: str | None = None
    pinned: bool | None = None


class TagsBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tags: list[str]


def parse_patch(body: bytes) -> IncidentPatch:
    patch = decode_body(body, IncidentPatch)
    if patch.severity is not None and patch.severity not in SEVERITIES:
        raise Invalid.field("severity", f"must be one of {', '.join(SEVERITIES)}")
    return patch


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid.field(name, "must be a whole number") from None
    if not low <= value <= high:
        raise Invalid.field(name, f"must be between {low} and {high}")
    return value


def page_params(params: Mapping[str, str]) -> tuple[int, int]:
    """``(page, page_size)`` from ``?page=&page_size=`` (pages start at 1)."""
    page = _int(params, "page", 1, 1, 1_000_000)
    size = _int(params, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    return page, size


def _datetime(params: Mapping[str, str], *names: str) -> datetime | None:
    for name in names:
        raw = params.get(name)
        if raw:
            try:
                value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                raise Invalid.field(name, "must be an ISO 8601 date or datetime") from None
            return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _choices(params: Mapping[str, list[str]], name: str, allowed: tuple[str, ...]) -> list[str]:
    values = [v.strip().upper() for raw in params.get(name, []) for v in raw.split(",") if v]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise Invalid.field(name, f"must be one of {', '.join(allowed)} (got {', '.join(bad)})")
    return values


def list_query(params: Mapping[str, str], multi: Mapping[str, list[str]]) -> ListIncidents:
    """``GET /api/v1/incidents/`` filters: status and severity (repeated or comma separated),
    service, team, tag, q, created_after / created_before, ordering, page, page_size."""
    page, size = page_params(params)
    return ListIncidents(
        status=_choices(multi, "status", STATUSES),  # type: ignore[arg-type]
        severity=_choices(multi, "severity", SEVERITIES),  # type: ignore[arg-type]
        service=params.get("service", "") or params.get("service_name", ""),
        team=params.get("team", ""),
        tag=params.get("tag", ""),
        q=params.get("q", ""),
        created_from=_datetime(params, "created_after", "created_from"),
        created_to=_datetime(params, "created_before", "created_to"),
        ordering=params.get("ordering", "") or "-created_at",
        offset=(page - 1) * size,
        limit=size,
    )


def page_links(url: str, page: int, size: int, count: int) -> tuple[str | None, str | None]:
    """``next`` and ``previous`` URLs: ``url`` with its ``page`` parameter changed."""

    def at(number: int) -> str:
        base = re.sub(r"([?&])page=\d*&?", r"\1", url).rstrip("?&")
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}page={number}"

    following = at(page + 1) if page * size < count else None
    preceding = at(page - 1) if page > 1 else None
    return following, preceding


def paginated(url: str, page: int, size: int, count: int, results: list[Any]) -> dict[str, Any]:
    following, preceding = page_links(url, page, size, count)
    return {"count": count, "next": following, "previous": preceding, "results": results}


# -- metrics -----------------------------------------------------------------------------------

_WINDOW = re.compile(r"^(\d{1,4})([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def metrics_window(params: Mapping[str, str], now: datetime) -> tuple[datetime, datetime]:
    """``?from=&to=`` (ISO 8601), or ``?window=24h|7d|4w`` ending at ``to`` (default now);
    30 days when neither is given."""
    end = _datetime(params, "to") or now
    start = _datetime(params, "from")
    if start is None:
        raw = params.get("window", "30d").strip().lower()
        match = _WINDOW.match(raw)
        if not match or int(match.group(1)) == 0:
            raise Invalid.field("window", "must be a length such as 24h, 7d or 4w")
        start = end - int(match.group(1)) * _UNITS[match.group(2)]
    if end <= start:
        raise Invalid.field("to", "must be after from")
    return start, end


def metrics_filters(params: Mapping[str, str]) -> dict[str, str]:
    severity = params.get("severity", "").upper()
    if severity and severity not in SEVERITIES:
        raise Invalid.field("severity", f"must be one of {', '.join(SEVERITIES)}")
    return {
        "service": params.get("service", ""),
        "team": params.get("team", ""),
        "severity": severity,
    }


def choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(name, default) or default
    if value not in allowed:
        raise Invalid.field(name, f"must be one of {', '.join(allowed)}")
    return value


def limit_param(params: Mapping[str, str]) -> int:
    return _int(params, "limit", 10, 1, 100)


# -- catalog -----------------------------------------------------------------------------------

CATALOG_FIELDS: dict[str, type[msgspec.Struct]] = {
    "team": TeamFields,
    "service": ServiceFields,
    "scope": ScopeFields,
    "person": PersonSpec,
}


def catalog_fields(kind: str, body: bytes, current: dict[str, Any] | None = None) -> Any:
    """The fields of a catalog entry from a body; on update, merged over ``current``."""
    try:
        data = msgspec.json.decode(body or b"{}")
    except msgspec.DecodeError:
        raise Invalid.field("body", "must be a JSON object") from None
    if not isinstance(data, dict):
        raise Invalid.field("body", "must be a JSON object")
    merged = {**(current or {}), **data}
    try:
        return msgspec.convert(merged, CATALOG_FIELDS[kind])
    except msgspec.ValidationError as exc:
        field, message = _field_of(exc)
        raise Invalid.field(field or "body", message) from None


def entry_fields(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as returned by the API, turned back into the fields a save accepts."""
    allowed = set(CATALOG_FIELDS[kind].__struct_fields__)
    data = {k: v for k, v in entry.items() if k in allowed}
    if kind == "service":
        team = entry.get("team")
        data["team"] = team["name"] if isinstance(team, dict) else None
    return data
