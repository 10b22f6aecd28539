from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RunbookStep")


@_attrs_define
class RunbookStep:
    """One step; ``critical`` or ``requires_confirmation`` steps are done only when confirmed.

    Attributes:
        title (str):
        command (str | Unset):  Default: ''.
        critical (bool | Unset):  Default: False.
        description (str | Unset):  Default: ''.
        expected_minutes (float | None | Unset):
        requires_confirmation (bool | Unset):  Default: False.
        rollback (str | Unset):  Default: ''.
    """

    title: str
    command: str | Unset = ""
    critical: bool | Unset = False
    description: str | Unset = ""
    expected_minutes: float | None | Unset = UNSET
    requires_confirmation: bool | Unset = False
    rollback: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        command = self.command

        critical = self.critical

        description = self.description

        expected_minutes: float | None | Unset
        if isinstance(self.expected_minutes, Unset):
            expected_minutes = UNSET
        else:
            expected_minutes = self.expected_minutes

        requires_confirmation = self.requires_confirmation

        rollback = self.rollback

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "title": title,
            }
        )
        if command is not UNSET:
            field_dict["command"] = command
        if critical is not UNSET:
            field_dict["critical"] = critical
        if description is not UNSET:
            field_dict["description"] = description
        if expected_minutes is not UNSET:
            field_dict["expected_minutes"] = expected_minutes
        if requires_confirmation is not UNSET:
            field_dict["requires_confirmation"] = requires_confirmation
        if rollback is not UNSET:
            field_dict["rollback"] = rollback

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        command = d.pop("command", UNSET)

        critical = d.pop("critical", UNSET)

        description = d.pop("description", UNSET)

        def _parse_expected_minutes(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        expected_minutes = _parse_expected_minutes(d.pop("expected_minutes", UNSET))

        requires_confirmation = d.pop("requires_confirmation", UNSET)

        rollback = d.pop("rollback", UNSET)

        runbook_step = cls(
            title=title,
            command=command,
            critical=critical,
            description=description,
            expected_minutes=expected_minutes,
            requires_confirmation=requires_confirmation,
            rollback=rollback,
        )

        runbook_step.additional_properties = d
        return runbook_step

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
