from enum import StrEnum


class ApiV1IncidentsListIncidentsOrdering(StrEnum):
    ALERT_COUNT = "alert_count"
    CREATED_AT = "created_at"
    DETECTED_AT = "detected_at"
    SEVERITY = "severity"
    STATUS = "status"
    TITLE = "title"
    VALUE_1 = "-created_at"
    VALUE_11 = "-title"
    VALUE_3 = "-detected_at"
    VALUE_5 = "-severity"
    VALUE_7 = "-status"
    VALUE_9 = "-alert_count"

    def __str__(self) -> str:
        return str(self.value)
