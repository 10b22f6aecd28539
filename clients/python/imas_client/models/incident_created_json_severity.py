from enum import StrEnum


class IncidentCreatedJsonSeverity(StrEnum):
    SEV1_CRITICAL = "SEV1_CRITICAL"
    SEV2_HIGH = "SEV2_HIGH"
    SEV3_MEDIUM = "SEV3_MEDIUM"
    SEV4_LOW = "SEV4_LOW"

    def __str__(self) -> str:
        return str(self.value)
