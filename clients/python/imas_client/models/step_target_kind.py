from enum import StrEnum


class StepTargetKind(StrEnum):
    MANAGER = "manager"
    MEMBERS = "members"
    PERSON = "person"
    ROLE = "role"
    SCHEDULE = "schedule"
    TEAM = "team"

    def __str__(self) -> str:
        return str(self.value)
