"""Typed errors that cross service boundaries as an ``ErrorReply`` and the API as problem JSON."""

from __future__ import annotations

import asyncpg
import nats.errors
from nats.js.errors import ServiceUnavailableError
from sqlalchemy import exc as sa_exc

from imas_contracts import ErrorReply, FieldError


class ServiceError(Exception):
    """A refusal with a machine-readable code, a message and the offending fields."""

    code = "internal"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def to_reply(self) -> ErrorReply:
        return ErrorReply(code=self.code, message=self.message, errors=self.errors)

    @classmethod
    def field(cls, field: str, message: str) -> ServiceError:
        """A refusal about one field, e.g. ``Invalid.field("service_name", "unknown service")``."""
        return cls(f"{field}: {message}", [FieldError(field=field, message=message)])


class Invalid(ServiceError):
    code = "invalid"


class NotFound(ServiceError):
    code = "not_found"


class Conflict(ServiceError):
    code = "conflict"


class Unavailable(ServiceError):
    code = "unavailable"
    # Seconds after which trying again may succeed (an HTTP answer's Retry-After).
    retry_after = 1


class RequestFailed(ServiceError):
    """A request/reply call answered with an ``ErrorReply``: the remote refusal, as raised here."""

    def __init__(self, reply: ErrorReply) -> None:
        super().__init__(reply.message, list(reply.errors))
        self.code = reply.code
        self.reply = reply

    def to_reply(self) -> ErrorReply:
        return self.reply


class Retry(Exception):
    """Redeliver this message after ``delay`` seconds (e.g. a provider said Retry-After)."""

    def __init__(self, delay: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {delay}s")
        self.delay = delay


class Reject(Exception):
    """This message can never be processed: dead-letter it and stop redelivering."""


# The bus itself is away (not this message's fault): the call may work once it is back.
_NATS_AWAY = (
    nats.errors.NoRespondersError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.ConnectionDrainingError,
    nats.errors.StaleConnectionError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.NoServersError,
    ServiceUnavailableError,
)


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` says a dependency is away (database, bus, another service) rather than
    that the message or request itself is bad."""
    if isinstance(exc, Retry | Reject):
        return False
    if isinstance(exc, ServiceError):
        return exc.code == "unavailable"
    if isinstance(exc, (ConnectionError, TimeoutError, OSError, *_NATS_AWAY)):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(
            exc, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    if isinstance(exc, sa_exc.TimeoutError | asyncpg.PostgresConnectionError):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and _depth_ok(exc) and is_transient(cause)


def _depth_ok(exc: BaseException, limit: int = 8) -> bool:
    """Exception chains are short; a long (or cyclic) one is not worth walking."""
    depth, current = 0, exc.__cause__ or exc.__context__
    while current is not None and depth < limit:
        depth, current = depth + 1, current.__cause__ or current.__context__
    return depth < limit
