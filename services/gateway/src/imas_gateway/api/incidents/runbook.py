"""``/api/v1/incidents/{id}/runbook/``: the incident's runbook, each step's state, and running
a step (the war room service answers). Viewers read; responders attach and run.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.warroom import (
    AttachRunbook,
    GetProgress,
    RunbookProgress,
    RunStep,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream

RESPONDER = role(Role.RESPONDER)
MANAGER = role(Role.MANAGER)
ADMIN = role(Role.ADMIN)


class AttachBody(msgspec.Struct, frozen=True, kw_only=True):
    """The runbook to use for the incident."""

    runbook_id: str


class StepBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Start, finish or skip a step (``confirm`` for a step that asks for it)."""

    action: Literal["start", "done", "skip"]
    note: str = ""
    confirm: bool = False


class IncidentRunbookController(Controller):
    """The incident's runbook progress."""

    path = "/api/v1/incidents"
    tags = ["incident document", "runbooks"]
    opt = role(Role.VIEWER)

    @get("/{ref:str}/runbook/", summary="The incident's runbook and each step's state")
    async def progress(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        return message_json(await mesh.ask(GetProgress(incident=ref), RunbookProgress))

    @put("/{ref:str}/runbook/", summary="Use another runbook for the incident", opt=RESPONDER)
    async def attach(
        self,
        data: JSONBody[AttachBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        attach = AttachRunbook(incident=ref, runbook_id=data.runbook_id, actor=principal.name)
        return message_json(await mesh.ask(attach, RunbookProgress))

    @post(
        "/{ref:str}/runbook/steps/{step:int}/",
        status_code=200,
        summary="Run a step",
        opt=RESPONDER,
    )
    async def step(
        self,
        data: JSONBody[StepBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
        step: FromPath[int],
    ) -> dict[str, Any]:
        """``{"action": "start" | "done" | "skip", "note": "...", "confirm": true}``."""
        run = RunStep(
            incident=ref,
            step=step,
            action=data.action,
            note=data.note,
            confirm=data.confirm,
            actor=principal.name,
        )
        return message_json(await mesh.ask(run, RunbookProgress))
