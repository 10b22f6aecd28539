from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_runbooks_match_match_severity_type_1 import ApiV1RunbooksMatchMatchSeverityType1
from ...models.api_v1_runbooks_match_match_severity_type_2_type_1 import ApiV1RunbooksMatchMatchSeverityType2Type1
from ...models.api_v1_runbooks_match_match_severity_type_3_type_1 import ApiV1RunbooksMatchMatchSeverityType3Type1
from ...models.problem import Problem
from ...models.results_runbook_spec import ResultsRunbookSpec
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    service: str,
    title: str | Unset = "",
    severity: ApiV1RunbooksMatchMatchSeverityType1
    | ApiV1RunbooksMatchMatchSeverityType2Type1
    | ApiV1RunbooksMatchMatchSeverityType3Type1
    | None
    | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["service"] = service

    params["title"] = title

    json_severity: None | str | Unset
    if isinstance(severity, Unset):
        json_severity = UNSET
    elif isinstance(severity, ApiV1RunbooksMatchMatchSeverityType1):
        json_severity = severity.value
    elif isinstance(severity, ApiV1RunbooksMatchMatchSeverityType2Type1):
        json_severity = severity.value
    elif isinstance(severity, ApiV1RunbooksMatchMatchSeverityType3Type1):
        json_severity = severity.value
    else:
        json_severity = severity
    params["severity"] = json_severity

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/runbooks/match",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ResultsRunbookSpec | None:
    if response.status_code == 200:
        response_200 = ResultsRunbookSpec.from_dict(response.json())

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
) -> Response[Problem | ResultsRunbookSpec]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    service: str,
    title: str | Unset = "",
    severity: ApiV1RunbooksMatchMatchSeverityType1
    | ApiV1RunbooksMatchMatchSeverityType2Type1
    | ApiV1RunbooksMatchMatchSeverityType3Type1
    | None
    | Unset = UNSET,
) -> Response[Problem | ResultsRunbookSpec]:
    """Runbooks fitting an incident, best first

    Args:
        service (str): The incident's service (its name)
        title (str | Unset): The incident's title (at most 500 characters) Default: ''.
        severity (ApiV1RunbooksMatchMatchSeverityType1 | ApiV1RunbooksMatchMatchSeverityType2Type1
            | ApiV1RunbooksMatchMatchSeverityType3Type1 | None | Unset): The incident's severity

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ResultsRunbookSpec]
    """

    kwargs = _get_kwargs(
        service=service,
        title=title,
        severity=severity,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    service: str,
    title: str | Unset = "",
    severity: ApiV1RunbooksMatchMatchSeverityType1
    | ApiV1RunbooksMatchMatchSeverityType2Type1
    | ApiV1RunbooksMatchMatchSeverityType3Type1
    | None
    | Unset = UNSET,
) -> Problem | ResultsRunbookSpec | None:
    """Runbooks fitting an incident, best first

    Args:
        service (str): The incident's service (its name)
        title (str | Unset): The incident's title (at most 500 characters) Default: ''.
        severity (ApiV1RunbooksMatchMatchSeverityType1 | ApiV1RunbooksMatchMatchSeverityType2Type1
            | ApiV1RunbooksMatchMatchSeverityType3Type1 | None | Unset): The incident's severity

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ResultsRunbookSpec
    """

    return sync_detailed(
        client=client,
        service=service,
        title=title,
        severity=severity,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    service: str,
    title: str | Unset = "",
    severity: ApiV1RunbooksMatchMatchSeverityType1
    | ApiV1RunbooksMatchMatchSeverityType2Type1
    | ApiV1RunbooksMatchMatchSeverityType3Type1
    | None
    | Unset = UNSET,
) -> Response[Problem | ResultsRunbookSpec]:
    """Runbooks fitting an incident, best first

    Args:
        service (str): The incident's service (its name)
        title (str | Unset): The incident's title (at most 500 characters) Default: ''.
        severity (ApiV1RunbooksMatchMatchSeverityType1 | ApiV1RunbooksMatchMatchSeverityType2Type1
            | ApiV1RunbooksMatchMatchSeverityType3Type1 | None | Unset): The incident's severity

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ResultsRunbookSpec]
    """

    kwargs = _get_kwargs(
        service=service,
        title=title,
        severity=severity,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    service: str,
    title: str | Unset = "",
    severity: ApiV1RunbooksMatchMatchSeverityType1
    | ApiV1RunbooksMatchMatchSeverityType2Type1
    | ApiV1RunbooksMatchMatchSeverityType3Type1
    | None
    | Unset = UNSET,
) -> Problem | ResultsRunbookSpec | None:
    """Runbooks fitting an incident, best first

    Args:
        service (str): The incident's service (its name)
        title (str | Unset): The incident's title (at most 500 characters) Default: ''.
        severity (ApiV1RunbooksMatchMatchSeverityType1 | ApiV1RunbooksMatchMatchSeverityType2Type1
            | ApiV1RunbooksMatchMatchSeverityType3Type1 | None | Unset): The incident's severity

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ResultsRunbookSpec
    """

    return (
        await asyncio_detailed(
            client=client,
            service=service,
            title=title,
            severity=severity,
        )
    ).parsed
