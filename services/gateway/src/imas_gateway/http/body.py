"""How a request's body becomes the ``data`` its handler takes: the one place bodies are read.

A handler declares the type of its body (``data: JSONBody[TokenCreate]``); :class:`Body`, the
app's DTO, decodes the JSON body into it with msgspec, strictly: ``"5"`` is no number and ``1``
no boolean, as the OpenAPI schema made from the same type says. Litestar's own decoding would
convert such values leniently, accepting bodies the published schema refuses. A body that
does not fit is a 400 problem naming the field (``steps[0].delay``, or ``body`` when it is no
JSON object at all).

An empty body is no body: a handler whose ``data`` has a default (a frozen struct whose
fields all have defaults) gets that default, any other answers 400 naming ``body``. A body
declared with another media type than JSON (``Body(media_type="application/yaml")``) reaches
its ``str`` ``data`` as text, undecoded.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import msgspec
from litestar.dto import AbstractDTO
from litestar.enums import RequestEncodingType
from litestar.params import BodyKwarg

from imas_contracts import alert_payloads
from imas_runtime.errors import Invalid, ServiceError

if TYPE_CHECKING:
    from litestar.dto.data_structures import DTOFieldDefinition
    from litestar.openapi.spec import Reference, Schema
    from litestar.typing import FieldDefinition

S = TypeVar("S", bound=msgspec.Struct)

NOT_AN_OBJECT = "must be a JSON object"


def invalid_body(exc: msgspec.ValidationError) -> ServiceError:
    """msgspec's refusal of a body as a 400 naming the field (its path in the body)."""
    error = alert_payloads.field_error(exc)
    return Invalid.field(error.field, error.message)


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


class Body(AbstractDTO[Any]):
    """The app's DTO (``dto=Body``): decodes the body of every handler that takes ``data`` into
    the type it declares (see the module). It builds no transfer model: msgspec decodes the
    declared type itself, and the OpenAPI schema of the body is that type's."""

    _readers: ClassVar[dict[str, Any]] = {}

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        kwarg = field_definition.kwarg_definition
        media_type = kwarg.media_type if isinstance(kwarg, BodyKwarg) else RequestEncodingType.JSON
        if media_type == RequestEncodingType.JSON:
            cls._readers[handler_id] = msgspec.json.Decoder(field_definition.annotation).decode
        else:
            cls._readers[handler_id] = _text

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any
    ) -> Reference | Schema:
        schema: Reference | Schema = schema_creator.for_field_definition(field_definition)
        return schema

    def decode_bytes(self, value: bytes) -> Any:
        read = self._readers[self.asgi_connection.route_handler.handler_id]
        try:
            return read(value)
        except msgspec.ValidationError as exc:
            raise invalid_body(exc) from None
        except msgspec.DecodeError:
            raise Invalid.field("body", NOT_AN_OBJECT) from None

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        # Only form bodies arrive as builtins, and no API handler declares one.
        raise Invalid.field("body", NOT_AN_OBJECT)

    @classmethod
    def generate_field_definitions(
        cls, model_type: type[Any]
    ) -> Generator[DTOFieldDefinition, None, None]:
        # Transfer models are never built (see the class docstring).
        yield from ()

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False


def partial(struct: type[S]) -> type[msgspec.Struct]:
    """``struct`` with every field optional (left out: unset), for a PATCH body that changes
    only the fields it gives. Named ``<Struct>Patch`` in the OpenAPI schema."""
    fields = [
        (f.name, f.type | msgspec.UnsetType, msgspec.UNSET) for f in msgspec.structs.fields(struct)
    ]
    patch: type[msgspec.Struct] = msgspec.defstruct(
        f"{struct.__name__}Patch", fields, kw_only=True, frozen=True, module=__name__
    )
    return patch


def given(patch: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body (see :func:`partial`) gave, as JSON values."""
    values: dict[str, Any] = msgspec.to_builtins(patch)
    return values
