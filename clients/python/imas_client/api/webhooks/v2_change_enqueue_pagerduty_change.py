from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.v2_change_enqueue_pagerduty_change_response_400 import V2ChangeEnqueuePagerdutyChangeResponse400
from ...models.v2_change_enqueue_pagerduty_change_response_401 import V2ChangeEnqueuePagerdutyChangeResponse401
from ...models.v2_change_enqueue_pagerduty_change_response_403 import V2ChangeEnqueuePagerdutyChangeResponse403
from ...models.v2_change_enqueue_pagerduty_change_response_404 import V2ChangeEnqueuePagerdutyChangeResponse404
from ...models.v2_change_enqueue_pagerduty_change_response_409 import V2ChangeEnqueuePagerdutyChangeResponse409
from ...models.v2_change_enqueue_pagerduty_change_response_413 import V2ChangeEnqueuePagerdutyChangeResponse413
from ...models.v2_change_enqueue_pagerduty_change_response_429 import V2ChangeEnqueuePagerdutyChangeResponse429
from ...models.v2_change_enqueue_pagerduty_change_response_503 import V2ChangeEnqueuePagerdutyChangeResponse503
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/change/enqueue",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    Any
    | V2ChangeEnqueuePagerdutyChangeResponse400
    | V2ChangeEnqueuePagerdutyChangeResponse401
    | V2ChangeEnqueuePagerdutyChangeResponse403
    | V2ChangeEnqueuePagerdutyChangeResponse404
    | V2ChangeEnqueuePagerdutyChangeResponse409
    | V2ChangeEnqueuePagerdutyChangeResponse413
    | V2ChangeEnqueuePagerdutyChangeResponse429
    | V2ChangeEnqueuePagerdutyChangeResponse503
    | None
):
    if response.status_code == 202:
        response_202 = response.json()
        return response_202

    if response.status_code == 400:
        response_400 = V2ChangeEnqueuePagerdutyChangeResponse400.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = V2ChangeEnqueuePagerdutyChangeResponse401.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = V2ChangeEnqueuePagerdutyChangeResponse403.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = V2ChangeEnqueuePagerdutyChangeResponse404.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = V2ChangeEnqueuePagerdutyChangeResponse409.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = V2ChangeEnqueuePagerdutyChangeResponse413.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = V2ChangeEnqueuePagerdutyChangeResponse429.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = V2ChangeEnqueuePagerdutyChangeResponse503.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    Any
    | V2ChangeEnqueuePagerdutyChangeResponse400
    | V2ChangeEnqueuePagerdutyChangeResponse401
    | V2ChangeEnqueuePagerdutyChangeResponse403
    | V2ChangeEnqueuePagerdutyChangeResponse404
    | V2ChangeEnqueuePagerdutyChangeResponse409
    | V2ChangeEnqueuePagerdutyChangeResponse413
    | V2ChangeEnqueuePagerdutyChangeResponse429
    | V2ChangeEnqueuePagerdutyChangeResponse503
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    Any
    | V2ChangeEnqueuePagerdutyChangeResponse400
    | V2ChangeEnqueuePagerdutyChangeResponse401
    | V2ChangeEnqueuePagerdutyChangeResponse403
    | V2ChangeEnqueuePagerdutyChangeResponse404
    | V2ChangeEnqueuePagerdutyChangeResponse409
    | V2ChangeEnqueuePagerdutyChangeResponse413
    | V2ChangeEnqueuePagerdutyChangeResponse429
    | V2ChangeEnqueuePagerdutyChangeResponse503
]:
    """PagerDuty Events API v2: a change event (a deploy, a configuration push)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2ChangeEnqueuePagerdutyChangeResponse400 | V2ChangeEnqueuePagerdutyChangeResponse401 | V2ChangeEnqueuePagerdutyChangeResponse403 | V2ChangeEnqueuePagerdutyChangeResponse404 | V2ChangeEnqueuePagerdutyChangeResponse409 | V2ChangeEnqueuePagerdutyChangeResponse413 | V2ChangeEnqueuePagerdutyChangeResponse429 | V2ChangeEnqueuePagerdutyChangeResponse503]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> (
    Any
    | V2ChangeEnqueuePagerdutyChangeResponse400
    | V2ChangeEnqueuePagerdutyChangeResponse401
    | V2ChangeEnqueuePagerdutyChangeResponse403
    | V2ChangeEnqueuePagerdutyChangeResponse404
    | V2ChangeEnqueuePagerdutyChangeResponse409
    | V2ChangeEnqueuePagerdutyChangeResponse413
    | V2ChangeEnqueuePagerdutyChangeResponse429
    | V2ChangeEnqueuePagerdutyChangeResponse503
    | None
):
    """PagerDuty Events API v2: a change event (a deploy, a configuration push)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2ChangeEnqueuePagerdutyChangeResponse400 | V2ChangeEnqueuePagerdutyChangeResponse401 | V2ChangeEnqueuePagerdutyChangeResponse403 | V2ChangeEnqueuePagerdutyChangeResponse404 | V2ChangeEnqueuePagerdutyChangeResponse409 | V2ChangeEnqueuePagerdutyChangeResponse413 | V2ChangeEnqueuePagerdutyChangeResponse429 | V2ChangeEnqueuePagerdutyChangeResponse503
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    Any
    | V2ChangeEnqueuePagerdutyChangeResponse400
    | V2ChangeEnqueuePagerdutyChangeResponse401
    | V2ChangeEnqueuePagerdutyChangeResponse403
    | V2ChangeEnqueuePagerdutyChangeResponse404
    | V2ChangeEnqueuePagerdutyChangeResponse409
    | V2ChangeEnqueuePagerdutyChangeResponse413
    | V2ChangeEnqueuePagerdutyChangeResponse429
    | V2ChangeEnqueuePagerdutyChangeResponse503
]:
    """PagerDuty Events API v2: a change event (a deploy, a configuration push)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2ChangeEnqueuePagerdutyChangeResponse400 | V2ChangeEnqueuePagerdutyChangeResponse401 | V2ChangeEnqueuePagerdutyChangeResponse403 | V2ChangeEnqueuePagerdutyChangeResponse404 | V2ChangeEnqueuePagerdutyChangeResponse409 | V2ChangeEnqueuePagerdutyChangeResponse413 | V2ChangeEnqueuePagerdutyChangeResponse429 | V2ChangeEnqueuePagerdutyChangeResponse503]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> (
    Any
    | V2ChangeEnqueuePagerdutyChangeResponse400
    | V2ChangeEnqueuePagerdutyChangeResponse401
    | V2ChangeEnqueuePagerdutyChangeResponse403
    | V2ChangeEnqueuePagerdutyChangeResponse404
    | V2ChangeEnqueuePagerdutyChangeResponse409
    | V2ChangeEnqueuePagerdutyChangeResponse413
    | V2ChangeEnqueuePagerdutyChangeResponse429
    | V2ChangeEnqueuePagerdutyChangeResponse503
    | None
):
    """PagerDuty Events API v2: a change event (a deploy, a configuration push)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2ChangeEnqueuePagerdutyChangeResponse400 | V2ChangeEnqueuePagerdutyChangeResponse401 | V2ChangeEnqueuePagerdutyChangeResponse403 | V2ChangeEnqueuePagerdutyChangeResponse404 | V2ChangeEnqueuePagerdutyChangeResponse409 | V2ChangeEnqueuePagerdutyChangeResponse413 | V2ChangeEnqueuePagerdutyChangeResponse429 | V2ChangeEnqueuePagerdutyChangeResponse503
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
