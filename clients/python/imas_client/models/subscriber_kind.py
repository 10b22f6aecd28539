from enum import StrEnum


class SubscriberKind(StrEnum):
    EMAIL = "email"
    PERSON = "person"
    SLACK = "slack"
    TEAM = "team"

    def __str__(self) -> str:
        return str(self.value)
