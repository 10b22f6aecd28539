"""Typed errors that cross service boundaries as an ``ErrorReply`` and the API as problem JSON."""

from __future__ import annotations

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


class RequestFailed(ServiceError):
    """A request/reply call answered with an ``ErrorReply``: the remote refusal, as raised here."""

    def __init__(self, reply: ErrorReply) -> None:
        super().__init__(reply.message, list(reply.errors))
        self.code = reply.code
        self.reply = reply

    def to_reply(self) -> ErrorReply:
        return self.reply
