"""``/api/v1/notification-providers/``: how pages are sent (e-mail, SMS, chat, push...), and
"send test" (the notifier answers).

Only admins read and write them. Secret values are never answered: a provider lists the
names of its secrets.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.notifier import (
    DeleteProvider,
    ListProviders,
    ProviderKind,
    ProviderList,
    ProviderSpec,
    ProviderTestResult,
    ProviderView,
    PutProvider,
    SendProviderTest,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, Results, message_json
from imas_gateway.http.upstream import Upstream


class ProviderBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A provider as written: secret values are sent, never answered."""

    name: str
    kind: ProviderKind
    config: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    enabled: bool = True


class TestBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who gets the test message (the provider's default recipient when empty)."""

    recipient: str = ""


def _provider(found: ProviderView | ProviderList) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(
        found.provider if isinstance(found, ProviderView) else found.providers[0]
    )
    return data


class ProviderController(Controller):
    path = "/api/v1/notification-providers"
    tags = ["notifications"]
    opt = role(Role.ADMIN, answer=ProviderSpec)

    @get(
        "/",
        summary="Configured notification providers (secrets by name only)",
        opt={"answer": Results[ProviderSpec]},
    )
    async def list_(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        found = await mesh.ask(ListProviders(), ProviderList)
        return {"count": len(found.providers), "results": message_json(found)["providers"]}

    @post("/", summary="Add a provider")
    async def create(
        self,
        data: JSONBody[ProviderBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        saved = await mesh.ask(PutProvider(**msgspec.structs.asdict(data)), ProviderView)
        return _provider(saved)

    @get("/{ref:str}/", summary="One provider")
    async def read(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        return _provider(await mesh.ask(ListProviders(id=ref), ProviderList))

    @put(
        "/{ref:str}/",
        summary="Replace a provider (secrets left out are kept)",
    )
    async def replace(
        self,
        data: JSONBody[ProviderBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        current = await mesh.ask(ListProviders(id=ref), ProviderList)
        cmd = PutProvider(id=current.providers[0].id, **msgspec.structs.asdict(data))
        return _provider(await mesh.ask(cmd, ProviderView))

    @delete("/{ref:str}/", status_code=200, summary="Delete a provider")
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        return _provider(await mesh.ask(DeleteProvider(id=ref), ProviderView))

    @post(
        "/{ref:str}/test/",
        status_code=200,
        summary="Send a test message now",
        opt={"answer": ProviderTestResult},
    )
    async def test(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
        data: JSONBody[TestBody] = TestBody(),
    ) -> dict[str, Any]:
        result = await mesh.ask(
            SendProviderTest(id=ref, recipient=data.recipient), ProviderTestResult
        )
        return message_json(result)
