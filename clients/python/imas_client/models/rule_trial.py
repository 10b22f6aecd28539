from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rule_condition import RuleCondition


T = TypeVar("T", bound="RuleTrial")


@_attrs_define
class RuleTrial:
    """What a rule does with a sample alert: whether each of its conditions holds, and, when
    they all do, where the alert goes (``service``, ``severity``, ``dedup_key``) and whether
    it opens and resolves incidents. Without a match the alert takes the defaults shown.

    Attributes:
        dedup_key (str):
        matched (bool):
        service (str):
        severity (str):
        auto_create (bool | Unset):  Default: True.
        auto_resolve (bool | Unset):  Default: True.
        conditions (list[RuleCondition] | Unset):
    """

    dedup_key: str
    matched: bool
    service: str
    severity: str
    auto_create: bool | Unset = True
    auto_resolve: bool | Unset = True
    conditions: list[RuleCondition] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dedup_key = self.dedup_key

        matched = self.matched

        service = self.service

        severity = self.severity

        auto_create = self.auto_create

        auto_resolve = self.auto_resolve

        conditions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.conditions, Unset):
            conditions = []
            for conditions_item_data in self.conditions:
                conditions_item = conditions_item_data.to_dict()
                conditions.append(conditions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dedup_key": dedup_key,
                "matched": matched,
                "service": service,
                "severity": severity,
            }
        )
        if auto_create is not UNSET:
            field_dict["auto_create"] = auto_create
        if auto_resolve is not UNSET:
            field_dict["auto_resolve"] = auto_resolve
        if conditions is not UNSET:
            field_dict["conditions"] = conditions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rule_condition import RuleCondition  # noqa: PLC0415

        d = dict(src_dict)
        dedup_key = d.pop("dedup_key")

        matched = d.pop("matched")

        service = d.pop("service")

        severity = d.pop("severity")

        auto_create = d.pop("auto_create", UNSET)

        auto_resolve = d.pop("auto_resolve", UNSET)

        _conditions = d.pop("conditions", UNSET)
        conditions: list[RuleCondition] | Unset = UNSET
        if _conditions is not UNSET:
            conditions = []
            for conditions_item_data in _conditions:
                conditions_item = RuleCondition.from_dict(conditions_item_data)

                conditions.append(conditions_item)

        rule_trial = cls(
            dedup_key=dedup_key,
            matched=matched,
            service=service,
            severity=severity,
            auto_create=auto_create,
            auto_resolve=auto_resolve,
            conditions=conditions,
        )

        rule_trial.additional_properties = d
        return rule_trial

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
