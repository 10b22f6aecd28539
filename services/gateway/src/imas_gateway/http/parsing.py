"""Pure parsing of the API's incident, catalog and metrics inputs (query strings and bodies).

Every problem is an ``Invalid`` naming the offending field, which the API answers as a 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import msgspec

from imas_contracts import alert_payloads
from imas_contracts.catalog import CatalogKind, PersonSpec, ScopeFields, ServiceFields, TeamFields
from imas_contracts.incidents import SEVERITIES, STATUSES, ListIncidents
from imas_runtime.errors import Invalid

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


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


# Instants outside these years are typing mistakes, and too near the limits of dates for the
# windows and rotations computed from them.
FIRST_YEAR, LAST_YEAR = 1970, 2999


def within_years(name: str, value: datetime | None) -> datetime | None:
    """``value`` in UTC (a naive one is taken as UTC), refused outside the years handled."""
    if value is None:
        return None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise Invalid.field(name, f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value.astimezone(UTC)


def instant(name: str, raw: str | None) -> datetime | None:
    """``raw`` as an ISO 8601 date or date and time (UTC unless it names a zone)."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid.field(name, "must be an ISO 8601 date or datetime") from None
    return within_years(name, value)


def _datetime(params: Mapping[str, str], *names: str) -> datetime | None:
    for name in names:
        value = instant(name, params.get(name))
        if value is not None:
            return value
    return None


def choices(name: str, raw: Sequence[str], allowed: tuple[str, ...]) -> list[str]:
    """Values given repeated or comma separated, in any case, each one of ``allowed``."""
    values = [v.strip().upper() for item in raw for v in item.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise Invalid.field(name, f"must be one of {', '.join(allowed)} (got {', '.join(bad)})")
    return values


# What the incidents service sorts by; ``-`` before a field sorts newest / highest first.
ORDERING_FIELDS = ("created_at", "detected_at", "severity", "status", "alert_count", "title")
ORDERINGS = tuple(f"{sign}{field}" for field in ORDERING_FIELDS for sign in ("", "-"))


@dataclass(frozen=True, kw_only=True)
class IncidentFilters:
    """``GET /api/v1/incidents/`` filters, as given (see ``incident_query``)."""

    status: Sequence[str] = ()
    severity: Sequence[str] = ()
    service: str = ""
    team: str = ""
    tag: str = ""
    q: str = ""
    created_after: str | None = None
    created_before: str | None = None
    ordering: str = ""


def incident_query(filters: IncidentFilters, page: int, size: int) -> ListIncidents:
    """The incidents service's query for these filters and this page; every bad value is an
    ``Invalid`` naming its parameter."""
    return ListIncidents(
        status=choices("status", filters.status, STATUSES),  # type: ignore[arg-type]  # STATUSES only
        severity=choices("severity", filters.severity, SEVERITIES),  # type: ignore[arg-type]  # SEVERITIES only
        service=filters.service,
        team=filters.team,
        tag=filters.tag,
        q=filters.q,
        created_from=instant("created_after", filters.created_after),
        created_to=instant("created_before", filters.created_before),
        ordering=filters.ordering or "-created_at",
        offset=(page - 1) * size,
        limit=size,
    )


def list_query(params: Mapping[str, str], multi: Mapping[str, list[str]]) -> ListIncidents:
    """``incident_query`` from a query string (the dashboard's list): status and severity
    repeated or comma separated, service, team, tag, q, created_after / created_before,
    ordering, page, page_size."""
    page, size = page_params(params)
    filters = IncidentFilters(
        status=multi.get("status", []),
        severity=multi.get("severity", []),
        service=params.get("service", "") or params.get("service_name", ""),
        team=params.get("team", ""),
        tag=params.get("tag", ""),
        q=params.get("q", ""),
        created_after=params.get("created_after") or params.get("created_from"),
        created_before=params.get("created_before") or params.get("created_to"),
        ordering=params.get("ordering", ""),
    )
    return incident_query(filters, page, size)


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


# -- catalog -----------------------------------------------------------------------------------

CATALOG_FIELDS: dict[CatalogKind, type[msgspec.Struct]] = {
    "team": TeamFields,
    "service": ServiceFields,
    "scope": ScopeFields,
    "person": PersonSpec,
}


def catalog_fields(kind: CatalogKind, values: dict[str, Any]) -> Any:
    """The fields of a catalog entry from JSON values (an entry's, with a PATCH's changes)."""
    try:
        return msgspec.convert(values, CATALOG_FIELDS[kind])
    except msgspec.ValidationError as exc:
        error = alert_payloads.field_error(exc)
        raise Invalid.field(error.field, error.message) from None


def entry_fields(kind: CatalogKind, entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as returned by the API, turned back into the fields a save accepts."""
    allowed = set(CATALOG_FIELDS[kind].__struct_fields__)
    data = {k: v for k, v in entry.items() if k in allowed}
    if kind == "service":
        team = entry.get("team")
        data["team"] = team["name"] if isinstance(team, dict) else None
    if kind == "team":
        manager = entry.get("manager")
        data["manager"] = manager["id"] if isinstance(manager, dict) else None
        data["members"] = [m["id"] for m in entry.get("members", [])]
    return data
