from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.routing_rule_body_target import RoutingRuleBodyTarget
from ..types import UNSET, Unset

T = TypeVar("T", bound="RoutingRuleBody")


@_attrs_define
class RoutingRuleBody:
    """
    Attributes:
        target (RoutingRuleBodyTarget):
        channels (list[str] | Unset):
        responder (str | Unset):  Default: ''.
        scope_id (str | Unset):  Default: ''.
        severity (str | Unset):  Default: ''.
        team_id (str | Unset):  Default: ''.
    """

    target: RoutingRuleBodyTarget
    channels: list[str] | Unset = UNSET
    responder: str | Unset = ""
    scope_id: str | Unset = ""
    severity: str | Unset = ""
    team_id: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        target = self.target.value

        channels: list[str] | Unset = UNSET
        if not isinstance(self.channels, Unset):
            channels = self.channels

        responder = self.responder

        scope_id = self.scope_id

        severity = self.severity

        team_id = self.team_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "target": target,
            }
        )
        if channels is not UNSET:
            field_dict["channels"] = channels
        if responder is not UNSET:
            field_dict["responder"] = responder
        if scope_id is not UNSET:
            field_dict["scope_id"] = scope_id
        if severity is not UNSET:
            field_dict["severity"] = severity
        if team_id is not UNSET:
            field_dict["team_id"] = team_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        target = RoutingRuleBodyTarget(d.pop("target"))

        channels = cast(list[str], d.pop("channels", UNSET))

        responder = d.pop("responder", UNSET)

        scope_id = d.pop("scope_id", UNSET)

        severity = d.pop("severity", UNSET)

        team_id = d.pop("team_id", UNSET)

        routing_rule_body = cls(
            target=target,
            channels=channels,
            responder=responder,
            scope_id=scope_id,
            severity=severity,
            team_id=team_id,
        )

        routing_rule_body.additional_properties = d
        return routing_rule_body

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
