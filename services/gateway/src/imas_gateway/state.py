"""What the gateway's routes, guards and middleware use, made once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar import Litestar

    from imas_gateway.audit import AuditLog
    from imas_gateway.auth.oidc import SingleSignOn
    from imas_gateway.auth.sessions import SessionStore
    from imas_gateway.auth.shared_buckets import SharedBuckets
    from imas_gateway.auth.throttle import SignInThrottle
    from imas_gateway.auth.tokens import Authenticator, Tokens
    from imas_gateway.auth.users import UserDirectory
    from imas_gateway.http.streams import StreamSlots
    from imas_gateway.http.upstream import Upstream
    from imas_gateway.inbound.intake import Intake
    from imas_gateway.inbound.sms_replies import SmsRepliesPoller
    from imas_gateway.settings import GatewaySettings
    from imas_runtime.service import ServiceRuntime

STATE_KEY = "gateway"


@dataclass(frozen=True, kw_only=True)
class GatewayState:
    """Every long-lived part of the gateway, kept as ``app.state.gateway`` (read it with
    :func:`gateway_state`; handlers get most parts as dependencies, see ``create_app``)."""

    settings: GatewaySettings
    runtime: ServiceRuntime
    # Asking the services behind the gateway.
    mesh: Upstream
    # Who a token stands for, the tokens themselves, users and their dashboard sessions.
    authenticator: Authenticator
    tokens: Tokens
    users: UserDirectory
    sessions: SessionStore
    # Single sign-on for the dashboard, when configured.
    oidc: SingleSignOn | None
    # Rate limits per caller and per integration (in memory, shared by the gateways through
    # NATS), and the sign-in throttle (buckets in Redis).
    limits: SharedBuckets
    sign_in: SignInThrottle
    # The audit log of mutating calls.
    audit: AuditLog
    # How many live streams each caller holds open.
    stream_slots: StreamSlots
    # Reads and carries out the SMS replies that OVH keeps until they are read.
    sms_replies: SmsRepliesPoller
    # What alert webhooks share: credentials checks, limits, the hand-off to JetStream.
    intake: Intake


def gateway_state(app: Litestar) -> GatewayState:
    """The app's :class:`GatewayState`."""
    state: GatewayState = app.state[STATE_KEY]
    return state
