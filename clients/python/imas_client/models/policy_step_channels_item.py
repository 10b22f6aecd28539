from enum import StrEnum


class PolicyStepChannelsItem(StrEnum):
    DISCORD = "discord"
    EMAIL = "email"
    LOG = "log"
    NTFY = "ntfy"
    SLACK = "slack"
    SMS = "sms"
    TEAMS = "teams"
    VOICE = "voice"
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return str(self.value)
