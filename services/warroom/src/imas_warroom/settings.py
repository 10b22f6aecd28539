"""Settings of the warroom service (``WARROOM_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class WarroomSettings(RuntimeSettings, kw_only=True):
    port: int = 8105
    # Where war rooms are opened: slack, discord, or log (printed, no chat platform needed).
    chat: str = "log"
    # Severities that get a war room, comma-separated (the LID is written for every incident).
    room_severities: str = "SEV1_CRITICAL,SEV2_HIGH"
    # A resolved incident's room is archived this many seconds after resolution.
    archive_after: float = 24 * 3600.0
    # How often the room loop looks for work when nothing wakes it.
    sync_interval: float = 1.0
    # Chat API calls retried this many times (then warroom.failed.v1 says it gave up).
    max_attempts: int = 8
    slack_api_url: str = "https://slack.com/api"
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    # Base of channel links shown in IMAS (``<base>/<channel id>``).
    slack_team_url: str = "https://slack.com/app_redirect?channel="
    discord_api_url: str = "https://discord.com/api/v10"
    discord_bot_token: str = ""
    discord_public_key: str = ""
    discord_guild_id: str = ""
    # Category archived Discord channels move to (Discord has no archive); none: only renamed.
    discord_archive_category: str = ""
    # Seconds a chat request's timestamp may differ from now (Slack's replay window).
    chat_replay_window: float = 300.0
    # Older secret keys still able to decrypt exporter secrets during a key rotation.
    previous_secret_keys: str = ""
    # Seconds each call to Confluence or Google Docs may take during a LID export.
    export_timeout: float = 5.0

    @property
    def room_severity_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.room_severities.split(",") if s.strip())


def from_env() -> WarroomSettings:
    return load_settings(WarroomSettings, service="warroom")
