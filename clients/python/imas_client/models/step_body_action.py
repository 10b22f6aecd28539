from enum import StrEnum


class StepBodyAction(StrEnum):
    DONE = "done"
    SKIP = "skip"
    START = "start"

    def __str__(self) -> str:
        return str(self.value)
