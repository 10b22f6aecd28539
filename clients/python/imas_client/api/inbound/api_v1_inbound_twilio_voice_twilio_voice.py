from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_inbound_twilio_voice_twilio_voice_response_400 import (
    ApiV1InboundTwilioVoiceTwilioVoiceResponse400,
)
from ...models.api_v1_inbound_twilio_voice_twilio_voice_response_401 import (
    ApiV1InboundTwilioVoiceTwilioVoiceResponse401,
)
from ...models.api_v1_inbound_twilio_voice_twilio_voice_response_403 import (
    ApiV1InboundTwilioVoiceTwilioVoiceResponse403,
)
from ...models.api_v1_inbound_twilio_voice_twilio_voice_response_404 import (
    ApiV1InboundTwilioVoiceTwilioVoiceResponse404,
)
from ...models.api_v1_inbound_twilio_voice_twilio_voice_response_409 import (
    ApiV1InboundTwilioVoiceTwilioVoiceResponse409,
)
from ...models.api_v1_inbound_twilio_voice_twilio_voice_response_413 import (
    ApiV1InboundTwilioVoiceTwilioVoiceResponse413,
)
from ...models.api_v1_inbound_twilio_voice_twilio_voice_response_429 import (
    ApiV1InboundTwilioVoiceTwilioVoiceResponse429,
)
from ...models.api_v1_inbound_twilio_voice_twilio_voice_response_503 import (
    ApiV1InboundTwilioVoiceTwilioVoiceResponse503,
)
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/inbound/twilio/voice",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    Any
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse400
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse401
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse403
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse404
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse409
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse413
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse429
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse503
    | None
):
    if response.status_code == 200:
        response_200 = response.json()
        return response_200

    if response.status_code == 400:
        response_400 = ApiV1InboundTwilioVoiceTwilioVoiceResponse400.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ApiV1InboundTwilioVoiceTwilioVoiceResponse401.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ApiV1InboundTwilioVoiceTwilioVoiceResponse403.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ApiV1InboundTwilioVoiceTwilioVoiceResponse404.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ApiV1InboundTwilioVoiceTwilioVoiceResponse409.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ApiV1InboundTwilioVoiceTwilioVoiceResponse413.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = ApiV1InboundTwilioVoiceTwilioVoiceResponse429.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ApiV1InboundTwilioVoiceTwilioVoiceResponse503.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    Any
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse400
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse401
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse403
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse404
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse409
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse413
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse429
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse503
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
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse400
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse401
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse403
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse404
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse409
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse413
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse429
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse503
]:
    """The key pressed in a paging call (Twilio's Gather callback)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApiV1InboundTwilioVoiceTwilioVoiceResponse400 | ApiV1InboundTwilioVoiceTwilioVoiceResponse401 | ApiV1InboundTwilioVoiceTwilioVoiceResponse403 | ApiV1InboundTwilioVoiceTwilioVoiceResponse404 | ApiV1InboundTwilioVoiceTwilioVoiceResponse409 | ApiV1InboundTwilioVoiceTwilioVoiceResponse413 | ApiV1InboundTwilioVoiceTwilioVoiceResponse429 | ApiV1InboundTwilioVoiceTwilioVoiceResponse503]
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
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse400
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse401
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse403
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse404
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse409
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse413
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse429
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse503
    | None
):
    """The key pressed in a paging call (Twilio's Gather callback)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApiV1InboundTwilioVoiceTwilioVoiceResponse400 | ApiV1InboundTwilioVoiceTwilioVoiceResponse401 | ApiV1InboundTwilioVoiceTwilioVoiceResponse403 | ApiV1InboundTwilioVoiceTwilioVoiceResponse404 | ApiV1InboundTwilioVoiceTwilioVoiceResponse409 | ApiV1InboundTwilioVoiceTwilioVoiceResponse413 | ApiV1InboundTwilioVoiceTwilioVoiceResponse429 | ApiV1InboundTwilioVoiceTwilioVoiceResponse503
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    Any
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse400
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse401
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse403
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse404
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse409
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse413
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse429
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse503
]:
    """The key pressed in a paging call (Twilio's Gather callback)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApiV1InboundTwilioVoiceTwilioVoiceResponse400 | ApiV1InboundTwilioVoiceTwilioVoiceResponse401 | ApiV1InboundTwilioVoiceTwilioVoiceResponse403 | ApiV1InboundTwilioVoiceTwilioVoiceResponse404 | ApiV1InboundTwilioVoiceTwilioVoiceResponse409 | ApiV1InboundTwilioVoiceTwilioVoiceResponse413 | ApiV1InboundTwilioVoiceTwilioVoiceResponse429 | ApiV1InboundTwilioVoiceTwilioVoiceResponse503]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> (
    Any
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse400
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse401
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse403
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse404
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse409
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse413
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse429
    | ApiV1InboundTwilioVoiceTwilioVoiceResponse503
    | None
):
    """The key pressed in a paging call (Twilio's Gather callback)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApiV1InboundTwilioVoiceTwilioVoiceResponse400 | ApiV1InboundTwilioVoiceTwilioVoiceResponse401 | ApiV1InboundTwilioVoiceTwilioVoiceResponse403 | ApiV1InboundTwilioVoiceTwilioVoiceResponse404 | ApiV1InboundTwilioVoiceTwilioVoiceResponse409 | ApiV1InboundTwilioVoiceTwilioVoiceResponse413 | ApiV1InboundTwilioVoiceTwilioVoiceResponse429 | ApiV1InboundTwilioVoiceTwilioVoiceResponse503
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
