"""Settings of the warroom service (``WARROOM_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class WarroomSettings(RuntimeSettings, kw_only=True):
    port: int = 8105
    # Where war rooms are opened: slack or discord; log prints them instead (a demo's
    # choice, its links are log://…). Empty: no chat platform, so no room is opened, and each
    # incident that would have one says so in its timeline.
    chat: str = ""
    # Severities that get a war room, comma-separated (the LID is written for every incident).
    room_severities: str = "SEV1_CRITICAL,SEV2_HIGH"
    # A resolved incident's room is archived this many seconds after resolution.
    archive_after: float = 24 * 3600.0
    # How often the room and export loops look for work when nothing wakes them.
    sync_interval: float = 1.0
    # Chat API calls retried this many times (then warroom.failed.v1 says it gave up), and
    # tries of a LID's first export (then warroom.lid_export_failed.v1).
    max_attempts: int = 8
    # Slack: the Web API, the bot's token and the app's signing secret (checks the requests
    # Slack sends to /api/v1/chat/slack/...).
    slack_api_url: str = "https://slack.com/api"
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    # Base of channel links shown in IMAS (``<base>/<channel id>``).
    slack_team_url: str = "https://slack.com/app_redirect?channel="
    # Discord: the API, the bot's token, the application's public key (checks the
    # interactions Discord sends) and the server (guild) rooms are opened in.
    discord_api_url: str = "https://discord.com/api/v10"
    discord_bot_token: str = ""
    discord_public_key: str = ""
    discord_guild_id: str = ""
    # Category archived Discord channels move to (Discord has no archive); none: only renamed.
    discord_archive_category: str = ""
    # Seconds a chat request's timestamp may differ from now (Slack's replay window).
    chat_replay_window: float = 300.0
    # Total seconds each call to Confluence or Google Docs may take during a LID export.
    export_timeout: float = 5.0
    # The roles an incident can be given besides its lead, comma-separated, in the order
    # pages show them (each holder is invited to the war room), while none are set through
    # the API (/api/v1/incident-roles/, imas apply).
    incident_roles: str = "commander,scribe,communications"

    @property
    def room_severity_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.room_severities.split(",") if s.strip())


def from_env() -> WarroomSettings:
    return load_settings(WarroomSettings, service="warroom")
