from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_chat_slack_interactions_slack_interactions_response_400 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse400,
)
from ...models.api_v1_chat_slack_interactions_slack_interactions_response_401 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse401,
)
from ...models.api_v1_chat_slack_interactions_slack_interactions_response_403 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse403,
)
from ...models.api_v1_chat_slack_interactions_slack_interactions_response_404 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse404,
)
from ...models.api_v1_chat_slack_interactions_slack_interactions_response_409 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse409,
)
from ...models.api_v1_chat_slack_interactions_slack_interactions_response_413 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse413,
)
from ...models.api_v1_chat_slack_interactions_slack_interactions_response_429 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse429,
)
from ...models.api_v1_chat_slack_interactions_slack_interactions_response_503 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse503,
)
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/chat/slack/interactions",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse400
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse401
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse403
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse404
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse409
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse413
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse429
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse503
    | str
    | None
):
    if response.status_code == 201:
        response_201 = cast(str, response.json())
        return response_201

    if response.status_code == 400:
        response_400 = ApiV1ChatSlackInteractionsSlackInteractionsResponse400.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ApiV1ChatSlackInteractionsSlackInteractionsResponse401.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ApiV1ChatSlackInteractionsSlackInteractionsResponse403.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ApiV1ChatSlackInteractionsSlackInteractionsResponse404.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ApiV1ChatSlackInteractionsSlackInteractionsResponse409.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ApiV1ChatSlackInteractionsSlackInteractionsResponse413.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = ApiV1ChatSlackInteractionsSlackInteractionsResponse429.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ApiV1ChatSlackInteractionsSlackInteractionsResponse503.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    ApiV1ChatSlackInteractionsSlackInteractionsResponse400
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse401
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse403
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse404
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse409
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse413
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse429
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse503
    | str
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
    ApiV1ChatSlackInteractionsSlackInteractionsResponse400
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse401
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse403
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse404
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse409
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse413
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse429
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse503
    | str
]:
    """Slack interactive buttons

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiV1ChatSlackInteractionsSlackInteractionsResponse400 | ApiV1ChatSlackInteractionsSlackInteractionsResponse401 | ApiV1ChatSlackInteractionsSlackInteractionsResponse403 | ApiV1ChatSlackInteractionsSlackInteractionsResponse404 | ApiV1ChatSlackInteractionsSlackInteractionsResponse409 | ApiV1ChatSlackInteractionsSlackInteractionsResponse413 | ApiV1ChatSlackInteractionsSlackInteractionsResponse429 | ApiV1ChatSlackInteractionsSlackInteractionsResponse503 | str]
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
    ApiV1ChatSlackInteractionsSlackInteractionsResponse400
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse401
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse403
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse404
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse409
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse413
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse429
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse503
    | str
    | None
):
    """Slack interactive buttons

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiV1ChatSlackInteractionsSlackInteractionsResponse400 | ApiV1ChatSlackInteractionsSlackInteractionsResponse401 | ApiV1ChatSlackInteractionsSlackInteractionsResponse403 | ApiV1ChatSlackInteractionsSlackInteractionsResponse404 | ApiV1ChatSlackInteractionsSlackInteractionsResponse409 | ApiV1ChatSlackInteractionsSlackInteractionsResponse413 | ApiV1ChatSlackInteractionsSlackInteractionsResponse429 | ApiV1ChatSlackInteractionsSlackInteractionsResponse503 | str
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    ApiV1ChatSlackInteractionsSlackInteractionsResponse400
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse401
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse403
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse404
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse409
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse413
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse429
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse503
    | str
]:
    """Slack interactive buttons

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiV1ChatSlackInteractionsSlackInteractionsResponse400 | ApiV1ChatSlackInteractionsSlackInteractionsResponse401 | ApiV1ChatSlackInteractionsSlackInteractionsResponse403 | ApiV1ChatSlackInteractionsSlackInteractionsResponse404 | ApiV1ChatSlackInteractionsSlackInteractionsResponse409 | ApiV1ChatSlackInteractionsSlackInteractionsResponse413 | ApiV1ChatSlackInteractionsSlackInteractionsResponse429 | ApiV1ChatSlackInteractionsSlackInteractionsResponse503 | str]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse400
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse401
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse403
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse404
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse409
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse413
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse429
    | ApiV1ChatSlackInteractionsSlackInteractionsResponse503
    | str
    | None
):
    """Slack interactive buttons

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiV1ChatSlackInteractionsSlackInteractionsResponse400 | ApiV1ChatSlackInteractionsSlackInteractionsResponse401 | ApiV1ChatSlackInteractionsSlackInteractionsResponse403 | ApiV1ChatSlackInteractionsSlackInteractionsResponse404 | ApiV1ChatSlackInteractionsSlackInteractionsResponse409 | ApiV1ChatSlackInteractionsSlackInteractionsResponse413 | ApiV1ChatSlackInteractionsSlackInteractionsResponse429 | ApiV1ChatSlackInteractionsSlackInteractionsResponse503 | str
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
