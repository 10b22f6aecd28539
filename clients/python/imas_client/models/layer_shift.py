from enum import StrEnum


class LayerShift(StrEnum):
    CUSTOM = "custom"
    DAILY = "daily"
    HOURLY = "hourly"
    WEEKLY = "weekly"

    def __str__(self) -> str:
        return str(self.value)
