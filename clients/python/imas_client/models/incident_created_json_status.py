from enum import StrEnum


class IncidentCreatedJsonStatus(StrEnum):
    ACKNOWLEDGED = "ACKNOWLEDGED"
    MITIGATED = "MITIGATED"
    RESOLVED = "RESOLVED"
    TRIGGERED = "TRIGGERED"

    def __str__(self) -> str:
        return str(self.value)
