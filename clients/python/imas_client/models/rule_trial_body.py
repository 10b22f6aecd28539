from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.alert_rule import AlertRule
    from ..models.sample_alert import SampleAlert


T = TypeVar("T", bound="RuleTrialBody")


@_attrs_define
class RuleTrialBody:
    """
    Attributes:
        alert (SampleAlert):
        rule (AlertRule): The first rule (by ``position``) whose matchers all match decides for an alert.

                ``service``: target service ("" keeps the default); ``severity_label`` and
                ``severity_map``: label value → SEVn; ``dedup_template``: ``{label}`` placeholders plus
                ``{name}``, ``{source}``; ``auto_create`` false records the alert as ignored.
    """

    alert: SampleAlert
    rule: AlertRule
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        alert = self.alert.to_dict()

        rule = self.rule.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "alert": alert,
                "rule": rule,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.alert_rule import AlertRule  # noqa: PLC0415
        from ..models.sample_alert import SampleAlert  # noqa: PLC0415

        d = dict(src_dict)
        alert = SampleAlert.from_dict(d.pop("alert"))

        rule = AlertRule.from_dict(d.pop("rule"))

        rule_trial_body = cls(
            alert=alert,
            rule=rule,
        )

        rule_trial_body.additional_properties = d
        return rule_trial_body

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
