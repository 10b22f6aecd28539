"""The API's query parameters, declared once as Litestar dependencies.

Litestar reads each parameter, checks its type and bounds (a bad one is a 400 problem naming
it, see ``problems``) and lists it, with its type, allowed values and description, in the
OpenAPI schema. What a type cannot say — a date or a date and time, values repeated or comma
separated in any case, a window's length — ``api_params`` checks, naming the parameter too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from litestar.di import NamedDependency, Provide
from litestar.params import Parameter, QueryParameter

from imas_contracts.incidents import SEVERITIES, STATUSES, ListIncidents
from imas_gateway.http import parsing as params

T = TypeVar("T")

MAX_PAGE = 1_000_000


def one_of(values: tuple[str, ...]) -> dict[str, Any]:
    """The schema of an optional text parameter taking one of ``values``."""
    return {"oneOf": None, "type": "string", "enum": list(values)}


def any_of(values: tuple[str, ...]) -> dict[str, Any]:
    """The schema of a parameter that may be repeated, each time one of ``values``."""
    return {"oneOf": None, "type": "array", "items": {"type": "string", "enum": list(values)}}


DATE_OR_TIME: dict[str, Any] = {
    "oneOf": None,
    "type": "string",
    "anyOf": [{"format": "date"}, {"format": "date-time"}],
}


@dataclass(frozen=True)
class PageRequest:
    """``?page=`` (from 1) and ``?page_size=``."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def of(self, items: list[T]) -> list[T]:
        """This page of a whole list."""
        return items[self.offset : self.offset + self.size]

    def answer(self, url: str, count: int, results: list[Any]) -> dict[str, Any]:
        """``{count, next, previous, results}``, the links keeping the other parameters."""
        return params.paginated(url, self.number, self.size, count, results)


def page_request(
    page: int = Parameter(default=1, ge=1, le=MAX_PAGE, description="Page number, from 1"),
    page_size: int = Parameter(
        default=params.DEFAULT_PAGE_SIZE,
        ge=1,
        le=params.MAX_PAGE_SIZE,
        description=f"Results per page, at most {params.MAX_PAGE_SIZE}",
    ),
) -> PageRequest:
    return PageRequest(page, page_size)


def incident_filters(
    paging: NamedDependency[PageRequest],
    status: list[str] | None = Parameter(
        default=None,
        description="Only these statuses (repeated or comma separated)",
        schema_extra=any_of(STATUSES),
    ),
    severity: list[str] | None = Parameter(
        default=None,
        description="Only these severities (repeated or comma separated)",
        schema_extra=any_of(SEVERITIES),
    ),
    service: str = Parameter(default="", description="Only this service's (its name)"),
    team: str = Parameter(default="", description="Only this team's (its name)"),
    tag: str = Parameter(default="", description="Only those with this tag"),
    q: str = Parameter(default="", description="Words searched in title and description"),
    created_after: str | None = Parameter(
        default=None,
        description="Created at or after (ISO 8601 date or date and time, UTC if no zone)",
        schema_extra=DATE_OR_TIME,
    ),
    created_before: str | None = Parameter(
        default=None,
        description="Created before (ISO 8601 date or date and time, UTC if no zone)",
        schema_extra=DATE_OR_TIME,
    ),
    ordering: str = Parameter(
        default="-created_at",
        description="Sort field, `-` first for descending",
        schema_extra=one_of(params.ORDERINGS),
    ),
) -> ListIncidents:
    """``GET /api/v1/incidents/``: the incidents service's query."""
    filters = params.IncidentFilters(
        status=status or (),
        severity=severity or (),
        service=service,
        team=team,
        tag=tag,
        q=q,
        created_after=created_after,
        created_before=created_before,
        ordering=ordering,
    )
    return params.incident_query(filters, paging.number, paging.size)


@dataclass(frozen=True)
class KpiQuery:
    """The window and filters every metrics route takes."""

    start: datetime
    end: datetime
    service: str
    team: str
    severity: str

    def fields(self) -> dict[str, Any]:
        """As the keyword arguments of a ``GetKpi*`` request."""
        return dataclasses.asdict(self)


def kpi_query(
    window: str = Parameter(
        default="30d",
        description="Window length ending at `to`: hours, days or weeks (24h, 7d, 4w)",
        pattern=r"^\s*\d{1,4}[hdwHDW]\s*$",
    ),
    from_: Annotated[
        str | None,
        QueryParameter(
            name="from",
            description="Window start instead of `window` (ISO 8601)",
            schema_extra=DATE_OR_TIME,
        ),
    ] = None,
    to: str | None = Parameter(
        default=None, description="Window end (ISO 8601; default now)", schema_extra=DATE_OR_TIME
    ),
    service: str = Parameter(default="", description="Only this service (its name)"),
    team: str = Parameter(default="", description="Only this team (its name)"),
    severity: str | None = Parameter(
        default=None, description="Only this severity", schema_extra=one_of(SEVERITIES)
    ),
) -> KpiQuery:
    given = {"window": window, "from": from_ or "", "to": to or ""}
    start, end = params.metrics_window(given, datetime.now(UTC))
    filters = params.metrics_filters({"service": service, "team": team, "severity": severity or ""})
    return KpiQuery(start=start, end=end, **filters)


def instant(
    at: datetime | None = Parameter(
        default=None, description="At this instant instead of now (ISO 8601 date and time)"
    ),
) -> datetime | None:
    return params.within_years("at", at)


def team_filter(
    team: str | None = Parameter(default=None, description="Only this team's (its id)"),
) -> str | None:
    return team or None


Bucket = Literal["day", "week"]

# Dependencies by the name handlers take them under (never the name of a parameter).
PAGING = {"paging": Provide(page_request, sync_to_thread=False)}
INCIDENT_FILTERS = {**PAGING, "incident_query": Provide(incident_filters, sync_to_thread=False)}
KPI_QUERY = {"kpis": Provide(kpi_query, sync_to_thread=False)}
INSTANT = {"moment": Provide(instant, sync_to_thread=False)}
TEAM_FILTER = {"team_id": Provide(team_filter, sync_to_thread=False)}
