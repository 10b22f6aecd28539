"""The one place the warroom service is wired."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from litestar import Litestar

from imas_runtime.secrets_box import SecretBox, key_list
from imas_runtime.service import ServiceRuntime, service_app
from imas_warroom.chat import ChatPlatform, DiscordPlatform, LogPlatform, SlackPlatform
from imas_warroom.chatops import ChatOps
from imas_warroom.directory import Directory
from imas_warroom.exports import ExportUseCases
from imas_warroom.handlers import consumers, endpoints
from imas_warroom.models import outbox
from imas_warroom.runbooks import RunbookUseCases
from imas_warroom.settings import WarroomSettings
from imas_warroom.sync import RoomSync
from imas_warroom.usecases import DocumentUseCases

MIGRATIONS = Path(__file__).parent / "migrations"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def chat_platform(settings: WarroomSettings) -> ChatPlatform:
    """The platform named by ``WARROOM_CHAT``; ``log`` when unset or unknown."""
    if settings.chat == "slack":
        return SlackPlatform(
            settings.slack_api_url, settings.slack_bot_token, settings.slack_team_url
        )
    if settings.chat == "discord":
        return DiscordPlatform(
            settings.discord_api_url,
            settings.discord_bot_token,
            settings.discord_guild_id,
            settings.discord_archive_category,
        )
    return LogPlatform()


def create_runtime(
    settings: WarroomSettings, *, clock: Callable[[], datetime] = _utcnow
) -> ServiceRuntime:
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    platform = chat_platform(settings)
    directory = Directory(runtime.bus)
    sync = RoomSync(
        runtime.engine,
        platform,
        public_url=settings.public_url,
        invitees=directory.invitees,
        max_attempts=settings.max_attempts,
        on_commit=runtime.wake_relay,
        clock=clock,
    )

    def committed() -> None:
        runtime.wake_relay()
        sync.wake()

    documents = DocumentUseCases(
        runtime.engine,
        public_url=settings.public_url,
        platform=platform.name,
        room_severities=settings.room_severity_set,
        archive_after=settings.archive_after,
        on_commit=committed,
        clock=clock,
        comments=directory.comments,
    )
    runbooks = RunbookUseCases(runtime.engine, on_commit=committed, clock=clock)
    documents.match_runbook = runbooks.match_for
    chat = ChatOps(
        runtime.engine,
        runtime.bus,
        directory,
        slack_signing_secret=settings.slack_signing_secret,
        discord_public_key=settings.discord_public_key,
        window=settings.chat_replay_window,
        on_commit=committed,
    )
    exports = ExportUseCases(
        runtime.engine,
        SecretBox(
            settings.secret_key, key_list(settings.previous_secret_keys), owner="the exporter's"
        ),
        documents.render,
        timeout=settings.export_timeout,
        clock=clock,
    )
    runtime.consume(*consumers(documents))
    runtime.serve(*endpoints(documents, runbooks, chat, exports))

    async def rooms(stopping: asyncio.Event) -> None:
        await sync.run(stopping, settings.sync_interval)

    runtime.every("war rooms", rooms)
    return runtime


def create_app(settings: WarroomSettings) -> Litestar:
    return service_app(create_runtime(settings))
