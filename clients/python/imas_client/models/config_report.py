from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.config_problem import ConfigProblem


T = TypeVar("T", bound="ConfigReport")


@_attrs_define
class ConfigReport:
    """What the configuration would not deliver, for every team (see :class:`ConfigProblem`
    for the kinds); ``ok`` when nothing was found and the whole check could be made.

    Attributes:
        ok (bool):
        problems (list[ConfigProblem] | Unset):
    """

    ok: bool
    problems: list[ConfigProblem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        problems: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.problems, Unset):
            problems = []
            for problems_item_data in self.problems:
                problems_item = problems_item_data.to_dict()
                problems.append(problems_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ok": ok,
            }
        )
        if problems is not UNSET:
            field_dict["problems"] = problems

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.config_problem import ConfigProblem  # noqa: PLC0415

        d = dict(src_dict)
        ok = d.pop("ok")

        _problems = d.pop("problems", UNSET)
        problems: list[ConfigProblem] | Unset = UNSET
        if _problems is not UNSET:
            problems = []
            for problems_item_data in _problems:
                problems_item = ConfigProblem.from_dict(problems_item_data)

                problems.append(problems_item)

        config_report = cls(
            ok=ok,
            problems=problems,
        )

        config_report.additional_properties = d
        return config_report

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
