from enum import StrEnum


class RoutingRuleBodyTarget(StrEnum):
    ONCALL = "oncall"
    SCOPES = "scopes"
    TEAM = "team"
    TICKET = "ticket"

    def __str__(self) -> str:
        return str(self.value)
