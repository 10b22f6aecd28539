from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_inbound_twilio_sms_twilio_sms_response_400 import ApiV1InboundTwilioSmsTwilioSmsResponse400
from ...models.api_v1_inbound_twilio_sms_twilio_sms_response_401 import ApiV1InboundTwilioSmsTwilioSmsResponse401
from ...models.api_v1_inbound_twilio_sms_twilio_sms_response_403 import ApiV1InboundTwilioSmsTwilioSmsResponse403
from ...models.api_v1_inbound_twilio_sms_twilio_sms_response_404 import ApiV1InboundTwilioSmsTwilioSmsResponse404
from ...models.api_v1_inbound_twilio_sms_twilio_sms_response_409 import ApiV1InboundTwilioSmsTwilioSmsResponse409
from ...models.api_v1_inbound_twilio_sms_twilio_sms_response_413 import ApiV1InboundTwilioSmsTwilioSmsResponse413
from ...models.api_v1_inbound_twilio_sms_twilio_sms_response_429 import ApiV1InboundTwilioSmsTwilioSmsResponse429
from ...models.api_v1_inbound_twilio_sms_twilio_sms_response_503 import ApiV1InboundTwilioSmsTwilioSmsResponse503
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/inbound/twilio/sms",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    Any
    | ApiV1InboundTwilioSmsTwilioSmsResponse400
    | ApiV1InboundTwilioSmsTwilioSmsResponse401
    | ApiV1InboundTwilioSmsTwilioSmsResponse403
    | ApiV1InboundTwilioSmsTwilioSmsResponse404
    | ApiV1InboundTwilioSmsTwilioSmsResponse409
    | ApiV1InboundTwilioSmsTwilioSmsResponse413
    | ApiV1InboundTwilioSmsTwilioSmsResponse429
    | ApiV1InboundTwilioSmsTwilioSmsResponse503
    | None
):
    if response.status_code == 200:
        response_200 = response.json()
        return response_200

    if response.status_code == 400:
        response_400 = ApiV1InboundTwilioSmsTwilioSmsResponse400.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ApiV1InboundTwilioSmsTwilioSmsResponse401.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ApiV1InboundTwilioSmsTwilioSmsResponse403.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ApiV1InboundTwilioSmsTwilioSmsResponse404.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ApiV1InboundTwilioSmsTwilioSmsResponse409.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ApiV1InboundTwilioSmsTwilioSmsResponse413.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = ApiV1InboundTwilioSmsTwilioSmsResponse429.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ApiV1InboundTwilioSmsTwilioSmsResponse503.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    Any
    | ApiV1InboundTwilioSmsTwilioSmsResponse400
    | ApiV1InboundTwilioSmsTwilioSmsResponse401
    | ApiV1InboundTwilioSmsTwilioSmsResponse403
    | ApiV1InboundTwilioSmsTwilioSmsResponse404
    | ApiV1InboundTwilioSmsTwilioSmsResponse409
    | ApiV1InboundTwilioSmsTwilioSmsResponse413
    | ApiV1InboundTwilioSmsTwilioSmsResponse429
    | ApiV1InboundTwilioSmsTwilioSmsResponse503
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
    | ApiV1InboundTwilioSmsTwilioSmsResponse400
    | ApiV1InboundTwilioSmsTwilioSmsResponse401
    | ApiV1InboundTwilioSmsTwilioSmsResponse403
    | ApiV1InboundTwilioSmsTwilioSmsResponse404
    | ApiV1InboundTwilioSmsTwilioSmsResponse409
    | ApiV1InboundTwilioSmsTwilioSmsResponse413
    | ApiV1InboundTwilioSmsTwilioSmsResponse429
    | ApiV1InboundTwilioSmsTwilioSmsResponse503
]:
    """Twilio's inbound SMS webhook: a reply to a page (ack 4821, resolve 4821)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApiV1InboundTwilioSmsTwilioSmsResponse400 | ApiV1InboundTwilioSmsTwilioSmsResponse401 | ApiV1InboundTwilioSmsTwilioSmsResponse403 | ApiV1InboundTwilioSmsTwilioSmsResponse404 | ApiV1InboundTwilioSmsTwilioSmsResponse409 | ApiV1InboundTwilioSmsTwilioSmsResponse413 | ApiV1InboundTwilioSmsTwilioSmsResponse429 | ApiV1InboundTwilioSmsTwilioSmsResponse503]
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
    | ApiV1InboundTwilioSmsTwilioSmsResponse400
    | ApiV1InboundTwilioSmsTwilioSmsResponse401
    | ApiV1InboundTwilioSmsTwilioSmsResponse403
    | ApiV1InboundTwilioSmsTwilioSmsResponse404
    | ApiV1InboundTwilioSmsTwilioSmsResponse409
    | ApiV1InboundTwilioSmsTwilioSmsResponse413
    | ApiV1InboundTwilioSmsTwilioSmsResponse429
    | ApiV1InboundTwilioSmsTwilioSmsResponse503
    | None
):
    """Twilio's inbound SMS webhook: a reply to a page (ack 4821, resolve 4821)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApiV1InboundTwilioSmsTwilioSmsResponse400 | ApiV1InboundTwilioSmsTwilioSmsResponse401 | ApiV1InboundTwilioSmsTwilioSmsResponse403 | ApiV1InboundTwilioSmsTwilioSmsResponse404 | ApiV1InboundTwilioSmsTwilioSmsResponse409 | ApiV1InboundTwilioSmsTwilioSmsResponse413 | ApiV1InboundTwilioSmsTwilioSmsResponse429 | ApiV1InboundTwilioSmsTwilioSmsResponse503
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    Any
    | ApiV1InboundTwilioSmsTwilioSmsResponse400
    | ApiV1InboundTwilioSmsTwilioSmsResponse401
    | ApiV1InboundTwilioSmsTwilioSmsResponse403
    | ApiV1InboundTwilioSmsTwilioSmsResponse404
    | ApiV1InboundTwilioSmsTwilioSmsResponse409
    | ApiV1InboundTwilioSmsTwilioSmsResponse413
    | ApiV1InboundTwilioSmsTwilioSmsResponse429
    | ApiV1InboundTwilioSmsTwilioSmsResponse503
]:
    """Twilio's inbound SMS webhook: a reply to a page (ack 4821, resolve 4821)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApiV1InboundTwilioSmsTwilioSmsResponse400 | ApiV1InboundTwilioSmsTwilioSmsResponse401 | ApiV1InboundTwilioSmsTwilioSmsResponse403 | ApiV1InboundTwilioSmsTwilioSmsResponse404 | ApiV1InboundTwilioSmsTwilioSmsResponse409 | ApiV1InboundTwilioSmsTwilioSmsResponse413 | ApiV1InboundTwilioSmsTwilioSmsResponse429 | ApiV1InboundTwilioSmsTwilioSmsResponse503]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> (
    Any
    | ApiV1InboundTwilioSmsTwilioSmsResponse400
    | ApiV1InboundTwilioSmsTwilioSmsResponse401
    | ApiV1InboundTwilioSmsTwilioSmsResponse403
    | ApiV1InboundTwilioSmsTwilioSmsResponse404
    | ApiV1InboundTwilioSmsTwilioSmsResponse409
    | ApiV1InboundTwilioSmsTwilioSmsResponse413
    | ApiV1InboundTwilioSmsTwilioSmsResponse429
    | ApiV1InboundTwilioSmsTwilioSmsResponse503
    | None
):
    """Twilio's inbound SMS webhook: a reply to a page (ack 4821, resolve 4821)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApiV1InboundTwilioSmsTwilioSmsResponse400 | ApiV1InboundTwilioSmsTwilioSmsResponse401 | ApiV1InboundTwilioSmsTwilioSmsResponse403 | ApiV1InboundTwilioSmsTwilioSmsResponse404 | ApiV1InboundTwilioSmsTwilioSmsResponse409 | ApiV1InboundTwilioSmsTwilioSmsResponse413 | ApiV1InboundTwilioSmsTwilioSmsResponse429 | ApiV1InboundTwilioSmsTwilioSmsResponse503
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
