from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.on_call_level import OnCallLevel
    from ..models.shift import Shift


T = TypeVar("T", bound="OnCallReply")


@_attrs_define
class OnCallReply:
    """Who is on call at ``at``: per schedule, and per escalation level of the team's policy.

    Attributes:
        at (str):
        levels (list[OnCallLevel] | Unset):
        policy_id (str | Unset):  Default: ''.
        schedules (list[Shift] | Unset):
        team_id (str | Unset):  Default: ''.
    """

    at: str
    levels: list[OnCallLevel] | Unset = UNSET
    policy_id: str | Unset = ""
    schedules: list[Shift] | Unset = UNSET
    team_id: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        levels: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.levels, Unset):
            levels = []
            for levels_item_data in self.levels:
                levels_item = levels_item_data.to_dict()
                levels.append(levels_item)

        policy_id = self.policy_id

        schedules: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.schedules, Unset):
            schedules = []
            for schedules_item_data in self.schedules:
                schedules_item = schedules_item_data.to_dict()
                schedules.append(schedules_item)

        team_id = self.team_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
            }
        )
        if levels is not UNSET:
            field_dict["levels"] = levels
        if policy_id is not UNSET:
            field_dict["policy_id"] = policy_id
        if schedules is not UNSET:
            field_dict["schedules"] = schedules
        if team_id is not UNSET:
            field_dict["team_id"] = team_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.on_call_level import OnCallLevel  # noqa: PLC0415
        from ..models.shift import Shift  # noqa: PLC0415

        d = dict(src_dict)
        at = d.pop("at")

        _levels = d.pop("levels", UNSET)
        levels: list[OnCallLevel] | Unset = UNSET
        if _levels is not UNSET:
            levels = []
            for levels_item_data in _levels:
                levels_item = OnCallLevel.from_dict(levels_item_data)

                levels.append(levels_item)

        policy_id = d.pop("policy_id", UNSET)

        _schedules = d.pop("schedules", UNSET)
        schedules: list[Shift] | Unset = UNSET
        if _schedules is not UNSET:
            schedules = []
            for schedules_item_data in _schedules:
                schedules_item = Shift.from_dict(schedules_item_data)

                schedules.append(schedules_item)

        team_id = d.pop("team_id", UNSET)

        on_call_reply = cls(
            at=at,
            levels=levels,
            policy_id=policy_id,
            schedules=schedules,
            team_id=team_id,
        )

        on_call_reply.additional_properties = d
        return on_call_reply

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
