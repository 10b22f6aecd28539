"""The one place the warroom service is wired."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from litestar import Litestar

from imas_runtime.outbound import Guard
from imas_runtime.patterns import StoredPatterns
from imas_runtime.service import ServiceRuntime, service_app
from imas_warroom.chat.commands import ChatOps
from imas_warroom.chat.platforms import ChatPlatform, DiscordPlatform, LogPlatform, SlackPlatform
from imas_warroom.chat.sync import RoomSync
from imas_warroom.directory import Directory
from imas_warroom.domain import PATTERN_MODE
from imas_warroom.escalations.usecases import Escalations
from imas_warroom.export.usecases import ExportUseCases
from imas_warroom.handlers import consumers, endpoints
from imas_warroom.models import exporters, outbox
from imas_warroom.runbooks.usecases import RunbookUseCases
from imas_warroom.settings import WarroomSettings
from imas_warroom.stakeholders.usecases import Stakeholders, role_names
from imas_warroom.usecases import DocumentUseCases

MIGRATIONS = Path(__file__).parent / "migrations"


def _utcnow() -> datetime:
    return datetime.now(UTC)


CHAT_PLATFORMS = ("slack", "discord", "log")


def chat_platform(settings: WarroomSettings, guard: Guard) -> ChatPlatform | None:
    """The platform named by ``WARROOM_CHAT``; None when unset (no room is opened). Any
    other name is refused at start: a misspelt platform must not look like a chosen one."""
    if settings.chat and settings.chat not in CHAT_PLATFORMS:
        raise ValueError(
            f"WARROOM_CHAT={settings.chat!r}: must be one of {', '.join(CHAT_PLATFORMS)}, "
            "or empty for no chat platform"
        )
    if settings.chat == "slack":
        return SlackPlatform(
            guard, settings.slack_api_url, settings.slack_bot_token, settings.slack_team_url
        )
    if settings.chat == "discord":
        return DiscordPlatform(
            guard,
            settings.discord_api_url,
            settings.discord_bot_token,
            settings.discord_guild_id,
            settings.discord_archive_category,
        )
    return LogPlatform() if settings.chat == "log" else None


class WarroomRuntime(ServiceRuntime):
    """The service runtime and the use cases it runs, typed for the tests and tools that
    reach them. ``rooms`` is None without a chat platform (no room loop)."""

    settings: WarroomSettings
    documents: DocumentUseCases
    runbooks: RunbookUseCases
    chat: ChatOps
    exports: ExportUseCases
    escalations: Escalations
    stakeholders: Stakeholders
    rooms: RoomSync | None


def create_runtime(
    settings: WarroomSettings, *, clock: Callable[[], datetime] = _utcnow
) -> WarroomRuntime:
    runtime = WarroomRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    platform = chat_platform(settings, runtime.guard)
    directory = Directory(runtime.bus)
    # Without a chat platform there is no room to open, update or archive: no room loop.
    sync = (
        RoomSync(
            runtime.engine,
            platform,
            public_url=settings.public_url,
            invitees=directory.invitees,
            max_attempts=settings.max_attempts,
            on_commit=runtime.wake_relay,
            clock=clock,
        )
        if platform is not None
        else None
    )

    exports: ExportUseCases | None = None

    def committed() -> None:
        runtime.wake_relay()
        if sync is not None:
            sync.wake()
        if exports is not None:
            exports.wake()

    documents = DocumentUseCases(
        runtime.engine,
        public_url=settings.public_url,
        platform=platform.name if platform is not None else "",
        room_severities=settings.room_severity_set,
        archive_after=settings.archive_after,
        on_commit=committed,
        clock=clock,
        comments=directory.comments,
        roles=role_names(settings.incident_roles),
    )
    runbooks = RunbookUseCases(
        runtime.engine,
        on_commit=committed,
        clock=clock,
        refused=StoredPatterns("runbook", PATTERN_MODE, bus=runtime.bus),
    )
    documents.match_runbook = runbooks.match_for
    escalations = Escalations(
        runtime.engine,
        runtime.bus,
        directory,
        platform=platform.name if platform is not None else "",
        on_commit=committed,
    )
    stakeholders = Stakeholders(
        runtime.engine,
        runtime.bus,
        directory,
        roles=role_names(settings.incident_roles),
        public_url=settings.public_url,
        on_commit=committed,
    )
    chat = ChatOps(
        runtime.engine,
        runtime.bus,
        directory,
        escalations,
        stakeholders,
        slack_signing_secret=settings.slack_signing_secret,
        discord_public_key=settings.discord_public_key,
        window=settings.chat_replay_window,
        on_commit=committed,
    )
    box = runtime.secret_box("the exporter's")
    runtime.keep_sealed(exporters.c.sealed_secrets, box)
    exports = ExportUseCases(
        runtime.engine,
        box,
        documents.render,
        guard=runtime.guard,
        timeout=settings.export_timeout,
        max_attempts=settings.max_attempts,
        on_commit=runtime.wake_relay,
        clock=clock,
    )
    runtime.documents, runtime.runbooks, runtime.chat = documents, runbooks, chat
    runtime.exports, runtime.rooms, runtime.escalations = exports, sync, escalations
    runtime.stakeholders = stakeholders
    runtime.consume(*consumers(documents))
    runtime.serve(*endpoints(documents, runbooks, chat, exports, escalations, stakeholders))

    if sync is not None:
        room_sync = sync

        async def rooms(stopping: asyncio.Event) -> None:
            await room_sync.run(stopping, settings.sync_interval)

        runtime.every("war rooms", rooms)

    async def first_exports(stopping: asyncio.Event) -> None:
        assert exports is not None
        await exports.run(stopping, settings.sync_interval)

    runtime.every("LID exports", first_exports)
    return runtime


def create_app(settings: WarroomSettings) -> Litestar:
    return service_app(create_runtime(settings))
