"""``/api/v1/lid-template/``: the template every incident document (LID) is written from
(Markdown and Jinja); viewers read, managers replace it (the war room service answers)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from imas_contracts.warroom import (
    GetTemplate,
    PutTemplate,
    TemplateView,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream

RESPONDER = role(Role.RESPONDER)
MANAGER = role(Role.MANAGER)
ADMIN = role(Role.ADMIN)


class TemplateBody(msgspec.Struct, frozen=True, kw_only=True):
    """The LID template's Markdown and Jinja text; empty restores the default."""

    body: str


class TemplateController(Controller):
    path = "/api/v1/lid-template"
    tags = ["incident document"]
    opt = role(Role.VIEWER)

    @get("/", summary="The LID template (Markdown + Jinja)")
    async def read(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        return message_json(await mesh.ask(GetTemplate(), TemplateView))

    @put(
        "/",
        summary="Replace the LID template (managers); an empty body restores the default",
        opt=MANAGER,
    )
    async def replace(
        self,
        data: JSONBody[TemplateBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        return message_json(
            await mesh.ask(PutTemplate(body=data.body, actor=principal.name), TemplateView)
        )
