from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_incidents_list_incidents_ordering import ApiV1IncidentsListIncidentsOrdering
from ...models.api_v1_incidents_list_incidents_severity_item import ApiV1IncidentsListIncidentsSeverityItem
from ...models.api_v1_incidents_list_incidents_status_item import ApiV1IncidentsListIncidentsStatusItem
from ...models.page_incident_json import PageIncidentJson
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    page_size: int | Unset = 50,
    status: list[ApiV1IncidentsListIncidentsStatusItem] | Unset = UNSET,
    severity: list[ApiV1IncidentsListIncidentsSeverityItem] | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    tag: str | Unset = "",
    q: str | Unset = "",
    created_after: Any | Unset = UNSET,
    created_before: Any | Unset = UNSET,
    ordering: ApiV1IncidentsListIncidentsOrdering | Unset = ApiV1IncidentsListIncidentsOrdering.VALUE_1,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["page_size"] = page_size

    json_status: list[str] | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = []
        for status_item_data in status:
            status_item = status_item_data.value
            json_status.append(status_item)

    params["status"] = json_status

    json_severity: list[str] | Unset = UNSET
    if not isinstance(severity, Unset):
        json_severity = []
        for severity_item_data in severity:
            severity_item = severity_item_data.value
            json_severity.append(severity_item)

    params["severity"] = json_severity

    params["service"] = service

    params["team"] = team

    params["tag"] = tag

    params["q"] = q

    json_created_after: Any | Unset
    if isinstance(created_after, Unset):
        json_created_after = UNSET
    else:
        json_created_after = created_after
    params["created_after"] = json_created_after

    json_created_before: Any | Unset
    if isinstance(created_before, Unset):
        json_created_before = UNSET
    else:
        json_created_before = created_before
    params["created_before"] = json_created_before

    json_ordering: str | Unset = UNSET
    if not isinstance(ordering, Unset):
        json_ordering = ordering.value

    params["ordering"] = json_ordering

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/incidents",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageIncidentJson | Problem | None:
    if response.status_code == 200:
        response_200 = PageIncidentJson.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PageIncidentJson | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    page_size: int | Unset = 50,
    status: list[ApiV1IncidentsListIncidentsStatusItem] | Unset = UNSET,
    severity: list[ApiV1IncidentsListIncidentsSeverityItem] | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    tag: str | Unset = "",
    q: str | Unset = "",
    created_after: Any | Unset = UNSET,
    created_before: Any | Unset = UNSET,
    ordering: ApiV1IncidentsListIncidentsOrdering | Unset = ApiV1IncidentsListIncidentsOrdering.VALUE_1,
) -> Response[PageIncidentJson | Problem]:
    """Incidents, filtered and paginated

    Args:
        page (int | Unset): Page number, from 1 Default: 1.
        page_size (int | Unset): Results per page, at most 500 Default: 50.
        status (list[ApiV1IncidentsListIncidentsStatusItem] | Unset): Only these statuses
            (repeated or comma separated)
        severity (list[ApiV1IncidentsListIncidentsSeverityItem] | Unset): Only these severities
            (repeated or comma separated)
        service (str | Unset): Only this service's (its name) Default: ''.
        team (str | Unset): Only this team's (its name) Default: ''.
        tag (str | Unset): Only those with this tag Default: ''.
        q (str | Unset): Words searched in title and description Default: ''.
        created_after (Any | Unset): Created at or after (ISO 8601 date or date and time, UTC if
            no zone)
        created_before (Any | Unset): Created before (ISO 8601 date or date and time, UTC if no
            zone)
        ordering (ApiV1IncidentsListIncidentsOrdering | Unset): Sort field, `-` first for
            descending Default: ApiV1IncidentsListIncidentsOrdering.VALUE_1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageIncidentJson | Problem]
    """

    kwargs = _get_kwargs(
        page=page,
        page_size=page_size,
        status=status,
        severity=severity,
        service=service,
        team=team,
        tag=tag,
        q=q,
        created_after=created_after,
        created_before=created_before,
        ordering=ordering,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    page_size: int | Unset = 50,
    status: list[ApiV1IncidentsListIncidentsStatusItem] | Unset = UNSET,
    severity: list[ApiV1IncidentsListIncidentsSeverityItem] | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    tag: str | Unset = "",
    q: str | Unset = "",
    created_after: Any | Unset = UNSET,
    created_before: Any | Unset = UNSET,
    ordering: ApiV1IncidentsListIncidentsOrdering | Unset = ApiV1IncidentsListIncidentsOrdering.VALUE_1,
) -> PageIncidentJson | Problem | None:
    """Incidents, filtered and paginated

    Args:
        page (int | Unset): Page number, from 1 Default: 1.
        page_size (int | Unset): Results per page, at most 500 Default: 50.
        status (list[ApiV1IncidentsListIncidentsStatusItem] | Unset): Only these statuses
            (repeated or comma separated)
        severity (list[ApiV1IncidentsListIncidentsSeverityItem] | Unset): Only these severities
            (repeated or comma separated)
        service (str | Unset): Only this service's (its name) Default: ''.
        team (str | Unset): Only this team's (its name) Default: ''.
        tag (str | Unset): Only those with this tag Default: ''.
        q (str | Unset): Words searched in title and description Default: ''.
        created_after (Any | Unset): Created at or after (ISO 8601 date or date and time, UTC if
            no zone)
        created_before (Any | Unset): Created before (ISO 8601 date or date and time, UTC if no
            zone)
        ordering (ApiV1IncidentsListIncidentsOrdering | Unset): Sort field, `-` first for
            descending Default: ApiV1IncidentsListIncidentsOrdering.VALUE_1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageIncidentJson | Problem
    """

    return sync_detailed(
        client=client,
        page=page,
        page_size=page_size,
        status=status,
        severity=severity,
        service=service,
        team=team,
        tag=tag,
        q=q,
        created_after=created_after,
        created_before=created_before,
        ordering=ordering,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    page_size: int | Unset = 50,
    status: list[ApiV1IncidentsListIncidentsStatusItem] | Unset = UNSET,
    severity: list[ApiV1IncidentsListIncidentsSeverityItem] | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    tag: str | Unset = "",
    q: str | Unset = "",
    created_after: Any | Unset = UNSET,
    created_before: Any | Unset = UNSET,
    ordering: ApiV1IncidentsListIncidentsOrdering | Unset = ApiV1IncidentsListIncidentsOrdering.VALUE_1,
) -> Response[PageIncidentJson | Problem]:
    """Incidents, filtered and paginated

    Args:
        page (int | Unset): Page number, from 1 Default: 1.
        page_size (int | Unset): Results per page, at most 500 Default: 50.
        status (list[ApiV1IncidentsListIncidentsStatusItem] | Unset): Only these statuses
            (repeated or comma separated)
        severity (list[ApiV1IncidentsListIncidentsSeverityItem] | Unset): Only these severities
            (repeated or comma separated)
        service (str | Unset): Only this service's (its name) Default: ''.
        team (str | Unset): Only this team's (its name) Default: ''.
        tag (str | Unset): Only those with this tag Default: ''.
        q (str | Unset): Words searched in title and description Default: ''.
        created_after (Any | Unset): Created at or after (ISO 8601 date or date and time, UTC if
            no zone)
        created_before (Any | Unset): Created before (ISO 8601 date or date and time, UTC if no
            zone)
        ordering (ApiV1IncidentsListIncidentsOrdering | Unset): Sort field, `-` first for
            descending Default: ApiV1IncidentsListIncidentsOrdering.VALUE_1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageIncidentJson | Problem]
    """

    kwargs = _get_kwargs(
        page=page,
        page_size=page_size,
        status=status,
        severity=severity,
        service=service,
        team=team,
        tag=tag,
        q=q,
        created_after=created_after,
        created_before=created_before,
        ordering=ordering,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    page_size: int | Unset = 50,
    status: list[ApiV1IncidentsListIncidentsStatusItem] | Unset = UNSET,
    severity: list[ApiV1IncidentsListIncidentsSeverityItem] | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    tag: str | Unset = "",
    q: str | Unset = "",
    created_after: Any | Unset = UNSET,
    created_before: Any | Unset = UNSET,
    ordering: ApiV1IncidentsListIncidentsOrdering | Unset = ApiV1IncidentsListIncidentsOrdering.VALUE_1,
) -> PageIncidentJson | Problem | None:
    """Incidents, filtered and paginated

    Args:
        page (int | Unset): Page number, from 1 Default: 1.
        page_size (int | Unset): Results per page, at most 500 Default: 50.
        status (list[ApiV1IncidentsListIncidentsStatusItem] | Unset): Only these statuses
            (repeated or comma separated)
        severity (list[ApiV1IncidentsListIncidentsSeverityItem] | Unset): Only these severities
            (repeated or comma separated)
        service (str | Unset): Only this service's (its name) Default: ''.
        team (str | Unset): Only this team's (its name) Default: ''.
        tag (str | Unset): Only those with this tag Default: ''.
        q (str | Unset): Words searched in title and description Default: ''.
        created_after (Any | Unset): Created at or after (ISO 8601 date or date and time, UTC if
            no zone)
        created_before (Any | Unset): Created before (ISO 8601 date or date and time, UTC if no
            zone)
        ordering (ApiV1IncidentsListIncidentsOrdering | Unset): Sort field, `-` first for
            descending Default: ApiV1IncidentsListIncidentsOrdering.VALUE_1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageIncidentJson | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            page_size=page_size,
            status=status,
            severity=severity,
            service=service,
            team=team,
            tag=tag,
            q=q,
            created_after=created_after,
            created_before=created_before,
            ordering=ordering,
        )
    ).parsed
