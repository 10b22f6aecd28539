from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_metrics_by_severity_by_severity_severity import ApiV1MetricsBySeverityBySeveritySeverity
from ...models.kpi_breakdown import KpiBreakdown
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    window: str | Unset = "30d",
    from_: Any | Unset = UNSET,
    to: Any | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    severity: ApiV1MetricsBySeverityBySeveritySeverity | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["window"] = window

    json_from_: Any | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: Any | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    else:
        json_to = to
    params["to"] = json_to

    params["service"] = service

    params["team"] = team

    json_severity: str | Unset = UNSET
    if not isinstance(severity, Unset):
        json_severity = severity.value

    params["severity"] = json_severity

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/metrics/by-severity",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> KpiBreakdown | Problem | None:
    if response.status_code == 200:
        response_200 = KpiBreakdown.from_dict(response.json())

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
) -> Response[KpiBreakdown | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    window: str | Unset = "30d",
    from_: Any | Unset = UNSET,
    to: Any | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    severity: ApiV1MetricsBySeverityBySeveritySeverity | Unset = UNSET,
) -> Response[KpiBreakdown | Problem]:
    """KPIs per severity

    Args:
        window (str | Unset): Window length ending at `to`: hours, days or weeks (24h, 7d, 4w)
            Default: '30d'.
        from_ (Any | Unset): Window start instead of `window` (ISO 8601)
        to (Any | Unset): Window end (ISO 8601; default now)
        service (str | Unset): Only this service (its name) Default: ''.
        team (str | Unset): Only this team (its name) Default: ''.
        severity (ApiV1MetricsBySeverityBySeveritySeverity | Unset): Only this severity

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[KpiBreakdown | Problem]
    """

    kwargs = _get_kwargs(
        window=window,
        from_=from_,
        to=to,
        service=service,
        team=team,
        severity=severity,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    window: str | Unset = "30d",
    from_: Any | Unset = UNSET,
    to: Any | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    severity: ApiV1MetricsBySeverityBySeveritySeverity | Unset = UNSET,
) -> KpiBreakdown | Problem | None:
    """KPIs per severity

    Args:
        window (str | Unset): Window length ending at `to`: hours, days or weeks (24h, 7d, 4w)
            Default: '30d'.
        from_ (Any | Unset): Window start instead of `window` (ISO 8601)
        to (Any | Unset): Window end (ISO 8601; default now)
        service (str | Unset): Only this service (its name) Default: ''.
        team (str | Unset): Only this team (its name) Default: ''.
        severity (ApiV1MetricsBySeverityBySeveritySeverity | Unset): Only this severity

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        KpiBreakdown | Problem
    """

    return sync_detailed(
        client=client,
        window=window,
        from_=from_,
        to=to,
        service=service,
        team=team,
        severity=severity,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    window: str | Unset = "30d",
    from_: Any | Unset = UNSET,
    to: Any | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    severity: ApiV1MetricsBySeverityBySeveritySeverity | Unset = UNSET,
) -> Response[KpiBreakdown | Problem]:
    """KPIs per severity

    Args:
        window (str | Unset): Window length ending at `to`: hours, days or weeks (24h, 7d, 4w)
            Default: '30d'.
        from_ (Any | Unset): Window start instead of `window` (ISO 8601)
        to (Any | Unset): Window end (ISO 8601; default now)
        service (str | Unset): Only this service (its name) Default: ''.
        team (str | Unset): Only this team (its name) Default: ''.
        severity (ApiV1MetricsBySeverityBySeveritySeverity | Unset): Only this severity

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[KpiBreakdown | Problem]
    """

    kwargs = _get_kwargs(
        window=window,
        from_=from_,
        to=to,
        service=service,
        team=team,
        severity=severity,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    window: str | Unset = "30d",
    from_: Any | Unset = UNSET,
    to: Any | Unset = UNSET,
    service: str | Unset = "",
    team: str | Unset = "",
    severity: ApiV1MetricsBySeverityBySeveritySeverity | Unset = UNSET,
) -> KpiBreakdown | Problem | None:
    """KPIs per severity

    Args:
        window (str | Unset): Window length ending at `to`: hours, days or weeks (24h, 7d, 4w)
            Default: '30d'.
        from_ (Any | Unset): Window start instead of `window` (ISO 8601)
        to (Any | Unset): Window end (ISO 8601; default now)
        service (str | Unset): Only this service (its name) Default: ''.
        team (str | Unset): Only this team (its name) Default: ''.
        severity (ApiV1MetricsBySeverityBySeveritySeverity | Unset): Only this severity

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        KpiBreakdown | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            window=window,
            from_=from_,
            to=to,
            service=service,
            team=team,
            severity=severity,
        )
    ).parsed
