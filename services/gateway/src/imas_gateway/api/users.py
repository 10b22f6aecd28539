"""``/api/v1/users/``: the people who sign in (admins only); ``password`` is accepted, never
returned (see ``auth.users``)."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_gateway.auth.guard import Role, role
from imas_gateway.auth.users import RevokedTokens, UserBody, UserDirectory
from imas_gateway.domain import Principal


class UsersController(Controller):
    """``/api/v1/users/``: admins only; ``password`` is accepted, never returned."""

    path = "/api/v1/users"
    tags = ["users"]
    opt = role(Role.ADMIN)

    @get("/", summary="Users")
    async def list_users(
        self, principal: NamedDependency[Principal], users: NamedDependency[UserDirectory]
    ) -> dict[str, object]:
        results = await users.list()
        return {"count": len(results), "next": None, "previous": None, "results": results}

    @post("/", status_code=201, summary="Create a user")
    async def create(
        self,
        principal: NamedDependency[Principal],
        users: NamedDependency[UserDirectory],
        data: JSONBody[UserBody] = UserBody(),
    ) -> dict[str, object]:
        """Body: ``username``, ``password`` (at least 8 characters), ``role`` (viewer, operator,
        responder, manager, admin), optional ``full_name``, ``email``, ``active``."""
        return await users.create(data)

    @get("/{ref:str}/", summary="A user")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        users: NamedDependency[UserDirectory],
        ref: FromPath[str],
    ) -> dict[str, object]:
        return await users.get(ref)

    @patch("/{ref:str}/", summary="Change a user (role, password, active, ...)")
    async def update(
        self,
        principal: NamedDependency[Principal],
        users: NamedDependency[UserDirectory],
        ref: FromPath[str],
        data: JSONBody[UserBody] = UserBody(),
    ) -> dict[str, object]:
        return await users.update(ref, data)

    @delete("/{ref:str}/", summary="Delete a user (and revoke their tokens)")
    async def remove(
        self,
        principal: NamedDependency[Principal],
        users: NamedDependency[UserDirectory],
        ref: FromPath[str],
    ) -> None:
        await users.delete(ref)

    @delete(
        "/{ref:str}/tokens/",
        status_code=200,
        summary="Revoke every token of a user",
        opt={"answer": RevokedTokens},
    )
    async def revoke_tokens(
        self,
        principal: NamedDependency[Principal],
        users: NamedDependency[UserDirectory],
        ref: FromPath[str],
    ) -> dict[str, int]:
        """Every token the user holds stops working at once; ``revoked`` says how many."""
        return {"revoked": await users.revoke_tokens(ref)}
