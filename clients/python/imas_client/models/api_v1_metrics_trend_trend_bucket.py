from enum import StrEnum


class ApiV1MetricsTrendTrendBucket(StrEnum):
    DAY = "day"
    WEEK = "week"

    def __str__(self) -> str:
        return str(self.value)
