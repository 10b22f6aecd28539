from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.page_token_json import PageTokenJson
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    include_revoked: bool | Unset = False,
    user: str | Unset = "",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["include_revoked"] = include_revoked

    params["user"] = user

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/tokens",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageTokenJson | Problem | None:
    if response.status_code == 200:
        response_200 = PageTokenJson.from_dict(response.json())

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
) -> Response[PageTokenJson | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    include_revoked: bool | Unset = False,
    user: str | Unset = "",
) -> Response[PageTokenJson | Problem]:
    """API tokens (never their secrets)

    Args:
        include_revoked (bool | Unset): Revoked ones too Default: False.
        user (str | Unset): Only the tokens of this user (name or id) Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageTokenJson | Problem]
    """

    kwargs = _get_kwargs(
        include_revoked=include_revoked,
        user=user,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    include_revoked: bool | Unset = False,
    user: str | Unset = "",
) -> PageTokenJson | Problem | None:
    """API tokens (never their secrets)

    Args:
        include_revoked (bool | Unset): Revoked ones too Default: False.
        user (str | Unset): Only the tokens of this user (name or id) Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageTokenJson | Problem
    """

    return sync_detailed(
        client=client,
        include_revoked=include_revoked,
        user=user,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    include_revoked: bool | Unset = False,
    user: str | Unset = "",
) -> Response[PageTokenJson | Problem]:
    """API tokens (never their secrets)

    Args:
        include_revoked (bool | Unset): Revoked ones too Default: False.
        user (str | Unset): Only the tokens of this user (name or id) Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageTokenJson | Problem]
    """

    kwargs = _get_kwargs(
        include_revoked=include_revoked,
        user=user,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    include_revoked: bool | Unset = False,
    user: str | Unset = "",
) -> PageTokenJson | Problem | None:
    """API tokens (never their secrets)

    Args:
        include_revoked (bool | Unset): Revoked ones too Default: False.
        user (str | Unset): Only the tokens of this user (name or id) Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageTokenJson | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            include_revoked=include_revoked,
            user=user,
        )
    ).parsed
