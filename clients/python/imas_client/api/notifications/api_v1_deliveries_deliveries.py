from http import HTTPStatus
from typing import Any, Literal

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_deliveries_deliveries_status_type_0 import ApiV1DeliveriesDeliveriesStatusType0
from ...models.delivery_list import DeliveryList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: ApiV1DeliveriesDeliveriesStatusType0 | Literal[""] | Unset = "",
    incident: str | Unset = "",
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: Literal[""] | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, ApiV1DeliveriesDeliveriesStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    params["incident"] = incident

    params["limit"] = limit

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/deliveries",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DeliveryList | Problem | None:
    if response.status_code == 200:
        response_200 = DeliveryList.from_dict(response.json())

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
) -> Response[DeliveryList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    status: ApiV1DeliveriesDeliveriesStatusType0 | Literal[""] | Unset = "",
    incident: str | Unset = "",
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> Response[DeliveryList | Problem]:
    """The delivery ledger, newest first (provider answers: admins only)

    Args:
        status (ApiV1DeliveriesDeliveriesStatusType0 | Literal[''] | Unset): Only pages in this
            state Default: ''.
        incident (str | Unset): Only this incident's (its UUID) Default: ''.
        limit (int | Unset): How many, at most Default: 100.
        offset (int | Unset): How many to skip Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeliveryList | Problem]
    """

    kwargs = _get_kwargs(
        status=status,
        incident=incident,
        limit=limit,
        offset=offset,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    status: ApiV1DeliveriesDeliveriesStatusType0 | Literal[""] | Unset = "",
    incident: str | Unset = "",
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> DeliveryList | Problem | None:
    """The delivery ledger, newest first (provider answers: admins only)

    Args:
        status (ApiV1DeliveriesDeliveriesStatusType0 | Literal[''] | Unset): Only pages in this
            state Default: ''.
        incident (str | Unset): Only this incident's (its UUID) Default: ''.
        limit (int | Unset): How many, at most Default: 100.
        offset (int | Unset): How many to skip Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeliveryList | Problem
    """

    return sync_detailed(
        client=client,
        status=status,
        incident=incident,
        limit=limit,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    status: ApiV1DeliveriesDeliveriesStatusType0 | Literal[""] | Unset = "",
    incident: str | Unset = "",
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> Response[DeliveryList | Problem]:
    """The delivery ledger, newest first (provider answers: admins only)

    Args:
        status (ApiV1DeliveriesDeliveriesStatusType0 | Literal[''] | Unset): Only pages in this
            state Default: ''.
        incident (str | Unset): Only this incident's (its UUID) Default: ''.
        limit (int | Unset): How many, at most Default: 100.
        offset (int | Unset): How many to skip Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeliveryList | Problem]
    """

    kwargs = _get_kwargs(
        status=status,
        incident=incident,
        limit=limit,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    status: ApiV1DeliveriesDeliveriesStatusType0 | Literal[""] | Unset = "",
    incident: str | Unset = "",
    limit: int | Unset = 100,
    offset: int | Unset = 0,
) -> DeliveryList | Problem | None:
    """The delivery ledger, newest first (provider answers: admins only)

    Args:
        status (ApiV1DeliveriesDeliveriesStatusType0 | Literal[''] | Unset): Only pages in this
            state Default: ''.
        incident (str | Unset): Only this incident's (its UUID) Default: ''.
        limit (int | Unset): How many, at most Default: 100.
        offset (int | Unset): How many to skip Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeliveryList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            incident=incident,
            limit=limit,
            offset=offset,
        )
    ).parsed
