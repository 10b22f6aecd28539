from enum import StrEnum


class ApiV1DeliveriesDeliveriesStatusType0(StrEnum):
    CANCELLED = "cancelled"
    DEAD = "dead"
    FAILED = "failed"
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"

    def __str__(self) -> str:
        return str(self.value)
