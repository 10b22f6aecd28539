from enum import StrEnum


class ProviderSpecKind(StrEnum):
    DISCORD = "discord"
    LOG = "log"
    NTFY = "ntfy"
    OVH = "ovh"
    SLACK = "slack"
    SMTP = "smtp"
    TEAMS = "teams"
    TWILIO = "twilio"
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return str(self.value)
