import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.on_call_reply import OnCallReply
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    schedule_id: str,
    *,
    at: datetime.datetime | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_at: None | str | Unset
    if isinstance(at, Unset):
        json_at = UNSET
    elif isinstance(at, datetime.datetime):
        json_at = at.isoformat()
    else:
        json_at = at
    params["at"] = json_at

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/schedules/{schedule_id}/oncall".format(
            schedule_id=quote(str(schedule_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> OnCallReply | Problem | None:
    if response.status_code == 200:
        response_200 = OnCallReply.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[OnCallReply | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    schedule_id: str,
    *,
    client: AuthenticatedClient | Client,
    at: datetime.datetime | None | Unset = UNSET,
) -> Response[OnCallReply | Problem]:
    """Who is on call on this schedule now or ?at=

    Args:
        schedule_id (str):
        at (datetime.datetime | None | Unset): At this instant instead of now (ISO 8601 date and
            time)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OnCallReply | Problem]
    """

    kwargs = _get_kwargs(
        schedule_id=schedule_id,
        at=at,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    schedule_id: str,
    *,
    client: AuthenticatedClient | Client,
    at: datetime.datetime | None | Unset = UNSET,
) -> OnCallReply | Problem | None:
    """Who is on call on this schedule now or ?at=

    Args:
        schedule_id (str):
        at (datetime.datetime | None | Unset): At this instant instead of now (ISO 8601 date and
            time)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OnCallReply | Problem
    """

    return sync_detailed(
        schedule_id=schedule_id,
        client=client,
        at=at,
    ).parsed


async def asyncio_detailed(
    schedule_id: str,
    *,
    client: AuthenticatedClient | Client,
    at: datetime.datetime | None | Unset = UNSET,
) -> Response[OnCallReply | Problem]:
    """Who is on call on this schedule now or ?at=

    Args:
        schedule_id (str):
        at (datetime.datetime | None | Unset): At this instant instead of now (ISO 8601 date and
            time)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OnCallReply | Problem]
    """

    kwargs = _get_kwargs(
        schedule_id=schedule_id,
        at=at,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    schedule_id: str,
    *,
    client: AuthenticatedClient | Client,
    at: datetime.datetime | None | Unset = UNSET,
) -> OnCallReply | Problem | None:
    """Who is on call on this schedule now or ?at=

    Args:
        schedule_id (str):
        at (datetime.datetime | None | Unset): At this instant instead of now (ISO 8601 date and
            time)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OnCallReply | Problem
    """

    return (
        await asyncio_detailed(
            schedule_id=schedule_id,
            client=client,
            at=at,
        )
    ).parsed
