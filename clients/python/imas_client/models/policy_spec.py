from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.policy_spec_severities_item import PolicySpecSeveritiesItem
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.policy_step import PolicyStep


T = TypeVar("T", bound="PolicySpec")


@_attrs_define
class PolicySpec:
    """A team's escalation policy, for ``severities`` (all when empty).

    After the last step, the policy starts again ``repeat_delay_minutes`` later, ``repeat``
    more times. With ``round_robin`` a step pages one of its targets per round, in turn. While
    the incident stays unacknowledged a reminder goes out every ``reminder_minutes`` (none when
    None), at most one per period.

    Attributes:
        name (str):
        steps (list[PolicyStep]):
        team_id (str):
        id (str | Unset):  Default: ''.
        reminder_minutes (float | None | Unset):
        repeat (int | Unset):  Default: 0.
        repeat_delay_minutes (float | Unset):  Default: 5.0.
        round_robin (bool | Unset):  Default: False.
        severities (list[PolicySpecSeveritiesItem] | Unset):
    """

    name: str
    steps: list[PolicyStep]
    team_id: str
    id: str | Unset = ""
    reminder_minutes: float | None | Unset = UNSET
    repeat: int | Unset = 0
    repeat_delay_minutes: float | Unset = 5.0
    round_robin: bool | Unset = False
    severities: list[PolicySpecSeveritiesItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        steps = []
        for steps_item_data in self.steps:
            steps_item = steps_item_data.to_dict()
            steps.append(steps_item)

        team_id = self.team_id

        id = self.id

        reminder_minutes: float | None | Unset
        if isinstance(self.reminder_minutes, Unset):
            reminder_minutes = UNSET
        else:
            reminder_minutes = self.reminder_minutes

        repeat = self.repeat

        repeat_delay_minutes = self.repeat_delay_minutes

        round_robin = self.round_robin

        severities: list[str] | Unset = UNSET
        if not isinstance(self.severities, Unset):
            severities = []
            for severities_item_data in self.severities:
                severities_item = severities_item_data.value
                severities.append(severities_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "steps": steps,
                "team_id": team_id,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if reminder_minutes is not UNSET:
            field_dict["reminder_minutes"] = reminder_minutes
        if repeat is not UNSET:
            field_dict["repeat"] = repeat
        if repeat_delay_minutes is not UNSET:
            field_dict["repeat_delay_minutes"] = repeat_delay_minutes
        if round_robin is not UNSET:
            field_dict["round_robin"] = round_robin
        if severities is not UNSET:
            field_dict["severities"] = severities

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.policy_step import PolicyStep  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        steps = []
        _steps = d.pop("steps")
        for steps_item_data in _steps:
            steps_item = PolicyStep.from_dict(steps_item_data)

            steps.append(steps_item)

        team_id = d.pop("team_id")

        id = d.pop("id", UNSET)

        def _parse_reminder_minutes(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        reminder_minutes = _parse_reminder_minutes(d.pop("reminder_minutes", UNSET))

        repeat = d.pop("repeat", UNSET)

        repeat_delay_minutes = d.pop("repeat_delay_minutes", UNSET)

        round_robin = d.pop("round_robin", UNSET)

        _severities = d.pop("severities", UNSET)
        severities: list[PolicySpecSeveritiesItem] | Unset = UNSET
        if _severities is not UNSET:
            severities = []
            for severities_item_data in _severities:
                severities_item = PolicySpecSeveritiesItem(severities_item_data)

                severities.append(severities_item)

        policy_spec = cls(
            name=name,
            steps=steps,
            team_id=team_id,
            id=id,
            reminder_minutes=reminder_minutes,
            repeat=repeat,
            repeat_delay_minutes=repeat_delay_minutes,
            round_robin=round_robin,
            severities=severities,
        )

        policy_spec.additional_properties = d
        return policy_spec

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
