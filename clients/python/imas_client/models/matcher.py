from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.matcher_op import MatcherOp
from ..types import UNSET, Unset

T = TypeVar("T", bound="Matcher")


@_attrs_define
class Matcher:
    """``label op value``, as Alertmanager writes them; regexes match the whole value.

    Attributes:
        label (str):
        value (str):
        op (MatcherOp | Unset):  Default: MatcherOp.VALUE_2.
    """

    label: str
    value: str
    op: MatcherOp | Unset = MatcherOp.VALUE_2
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        label = self.label

        value = self.value

        op: str | Unset = UNSET
        if not isinstance(self.op, Unset):
            op = self.op.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "label": label,
                "value": value,
            }
        )
        if op is not UNSET:
            field_dict["op"] = op

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        label = d.pop("label")

        value = d.pop("value")

        _op = d.pop("op", UNSET)
        op: MatcherOp | Unset
        if isinstance(_op, Unset):
            op = UNSET
        else:
            op = MatcherOp(_op)

        matcher = cls(
            label=label,
            value=value,
            op=op,
        )

        matcher.additional_properties = d
        return matcher

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
