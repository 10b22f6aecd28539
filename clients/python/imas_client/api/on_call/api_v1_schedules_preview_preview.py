import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.schedule_spec import ScheduleSpec
from ...models.shift_list import ShiftList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ScheduleSpec,
    at: datetime.datetime | None | Unset = UNSET,
    count: int | Unset = 10,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_at: None | str | Unset
    if isinstance(at, Unset):
        json_at = UNSET
    elif isinstance(at, datetime.datetime):
        json_at = at.isoformat()
    else:
        json_at = at
    params["at"] = json_at

    params["count"] = count

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/schedules/preview",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ShiftList | None:
    if response.status_code == 200:
        response_200 = ShiftList.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | ShiftList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ScheduleSpec,
    at: datetime.datetime | None | Unset = UNSET,
    count: int | Unset = 10,
) -> Response[Problem | ShiftList]:
    """The next ?count= shifts from now or ?at= of a schedule before it is saved

    Args:
        at (datetime.datetime | None | Unset): At this instant instead of now (ISO 8601 date and
            time)
        count (int | Unset): How many shifts Default: 10.
        body (ScheduleSpec): An on-call schedule of a team, computed in ``time_zone`` (an IANA
            name).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ShiftList]
    """

    kwargs = _get_kwargs(
        body=body,
        at=at,
        count=count,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ScheduleSpec,
    at: datetime.datetime | None | Unset = UNSET,
    count: int | Unset = 10,
) -> Problem | ShiftList | None:
    """The next ?count= shifts from now or ?at= of a schedule before it is saved

    Args:
        at (datetime.datetime | None | Unset): At this instant instead of now (ISO 8601 date and
            time)
        count (int | Unset): How many shifts Default: 10.
        body (ScheduleSpec): An on-call schedule of a team, computed in ``time_zone`` (an IANA
            name).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ShiftList
    """

    return sync_detailed(
        client=client,
        body=body,
        at=at,
        count=count,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ScheduleSpec,
    at: datetime.datetime | None | Unset = UNSET,
    count: int | Unset = 10,
) -> Response[Problem | ShiftList]:
    """The next ?count= shifts from now or ?at= of a schedule before it is saved

    Args:
        at (datetime.datetime | None | Unset): At this instant instead of now (ISO 8601 date and
            time)
        count (int | Unset): How many shifts Default: 10.
        body (ScheduleSpec): An on-call schedule of a team, computed in ``time_zone`` (an IANA
            name).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ShiftList]
    """

    kwargs = _get_kwargs(
        body=body,
        at=at,
        count=count,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ScheduleSpec,
    at: datetime.datetime | None | Unset = UNSET,
    count: int | Unset = 10,
) -> Problem | ShiftList | None:
    """The next ?count= shifts from now or ?at= of a schedule before it is saved

    Args:
        at (datetime.datetime | None | Unset): At this instant instead of now (ISO 8601 date and
            time)
        count (int | Unset): How many shifts Default: 10.
        body (ScheduleSpec): An on-call schedule of a team, computed in ``time_zone`` (an IANA
            name).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ShiftList
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            at=at,
            count=count,
        )
    ).parsed
