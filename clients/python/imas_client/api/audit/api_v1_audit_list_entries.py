from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.page_audit_entry import PageAuditEntry
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    page_size: int | Unset = 50,
    actor: str | Unset = "",
    method: str | Unset = "",
    status: int | None | Unset = UNSET,
    target: str | Unset = "",
    route: str | Unset = "",
    token_id: str | Unset = "",
    user_id: str | Unset = "",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["page_size"] = page_size

    params["actor"] = actor

    params["method"] = method

    json_status: int | None | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    else:
        json_status = status
    params["status"] = json_status

    params["target"] = target

    params["route"] = route

    params["token_id"] = token_id

    params["user_id"] = user_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/audit",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageAuditEntry | Problem | None:
    if response.status_code == 200:
        response_200 = PageAuditEntry.from_dict(response.json())

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
) -> Response[PageAuditEntry | Problem]:
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
    actor: str | Unset = "",
    method: str | Unset = "",
    status: int | None | Unset = UNSET,
    target: str | Unset = "",
    route: str | Unset = "",
    token_id: str | Unset = "",
    user_id: str | Unset = "",
) -> Response[PageAuditEntry | Problem]:
    """The audit log, newest first (admins)

    Args:
        page (int | Unset): Page number, from 1 Default: 1.
        page_size (int | Unset): Results per page, at most 500 Default: 50.
        actor (str | Unset): Who called (a token's or a user's name) Default: ''.
        method (str | Unset): HTTP method, e.g. PATCH Default: ''.
        status (int | None | Unset): Answer status
        target (str | Unset): The ids in the path, comma separated Default: ''.
        route (str | Unset): Route template, e.g. /api/v1/teams/{id}/ Default: ''.
        token_id (str | Unset): The calling token's id Default: ''.
        user_id (str | Unset): The calling user's id Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageAuditEntry | Problem]
    """

    kwargs = _get_kwargs(
        page=page,
        page_size=page_size,
        actor=actor,
        method=method,
        status=status,
        target=target,
        route=route,
        token_id=token_id,
        user_id=user_id,
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
    actor: str | Unset = "",
    method: str | Unset = "",
    status: int | None | Unset = UNSET,
    target: str | Unset = "",
    route: str | Unset = "",
    token_id: str | Unset = "",
    user_id: str | Unset = "",
) -> PageAuditEntry | Problem | None:
    """The audit log, newest first (admins)

    Args:
        page (int | Unset): Page number, from 1 Default: 1.
        page_size (int | Unset): Results per page, at most 500 Default: 50.
        actor (str | Unset): Who called (a token's or a user's name) Default: ''.
        method (str | Unset): HTTP method, e.g. PATCH Default: ''.
        status (int | None | Unset): Answer status
        target (str | Unset): The ids in the path, comma separated Default: ''.
        route (str | Unset): Route template, e.g. /api/v1/teams/{id}/ Default: ''.
        token_id (str | Unset): The calling token's id Default: ''.
        user_id (str | Unset): The calling user's id Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageAuditEntry | Problem
    """

    return sync_detailed(
        client=client,
        page=page,
        page_size=page_size,
        actor=actor,
        method=method,
        status=status,
        target=target,
        route=route,
        token_id=token_id,
        user_id=user_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    page_size: int | Unset = 50,
    actor: str | Unset = "",
    method: str | Unset = "",
    status: int | None | Unset = UNSET,
    target: str | Unset = "",
    route: str | Unset = "",
    token_id: str | Unset = "",
    user_id: str | Unset = "",
) -> Response[PageAuditEntry | Problem]:
    """The audit log, newest first (admins)

    Args:
        page (int | Unset): Page number, from 1 Default: 1.
        page_size (int | Unset): Results per page, at most 500 Default: 50.
        actor (str | Unset): Who called (a token's or a user's name) Default: ''.
        method (str | Unset): HTTP method, e.g. PATCH Default: ''.
        status (int | None | Unset): Answer status
        target (str | Unset): The ids in the path, comma separated Default: ''.
        route (str | Unset): Route template, e.g. /api/v1/teams/{id}/ Default: ''.
        token_id (str | Unset): The calling token's id Default: ''.
        user_id (str | Unset): The calling user's id Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageAuditEntry | Problem]
    """

    kwargs = _get_kwargs(
        page=page,
        page_size=page_size,
        actor=actor,
        method=method,
        status=status,
        target=target,
        route=route,
        token_id=token_id,
        user_id=user_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page: int | Unset = 1,
    page_size: int | Unset = 50,
    actor: str | Unset = "",
    method: str | Unset = "",
    status: int | None | Unset = UNSET,
    target: str | Unset = "",
    route: str | Unset = "",
    token_id: str | Unset = "",
    user_id: str | Unset = "",
) -> PageAuditEntry | Problem | None:
    """The audit log, newest first (admins)

    Args:
        page (int | Unset): Page number, from 1 Default: 1.
        page_size (int | Unset): Results per page, at most 500 Default: 50.
        actor (str | Unset): Who called (a token's or a user's name) Default: ''.
        method (str | Unset): HTTP method, e.g. PATCH Default: ''.
        status (int | None | Unset): Answer status
        target (str | Unset): The ids in the path, comma separated Default: ''.
        route (str | Unset): Route template, e.g. /api/v1/teams/{id}/ Default: ''.
        token_id (str | Unset): The calling token's id Default: ''.
        user_id (str | Unset): The calling user's id Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageAuditEntry | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            page_size=page_size,
            actor=actor,
            method=method,
            status=status,
            target=target,
            route=route,
            token_id=token_id,
            user_id=user_id,
        )
    ).parsed
