from enum import StrEnum


class TimelineEntrySource(StrEnum):
    ALERT = "alert"
    API = "api"
    CHAT = "chat"
    EMAIL = "email"
    NTFY = "ntfy"
    SMS = "sms"
    SYSTEM = "system"
    UI = "ui"
    VOICE = "voice"

    def __str__(self) -> str:
        return str(self.value)
