from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.policy_step_channels_item import PolicyStepChannelsItem
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.step_target import StepTarget


T = TypeVar("T", bound="PolicyStep")


@_attrs_define
class PolicyStep:
    """A step fires ``delay_minutes`` after the start of each round of its policy.

    Attributes:
        delay_minutes (float):
        targets (list[StepTarget]):
        channels (list[PolicyStepChannelsItem] | Unset):
    """

    delay_minutes: float
    targets: list[StepTarget]
    channels: list[PolicyStepChannelsItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        delay_minutes = self.delay_minutes

        targets = []
        for targets_item_data in self.targets:
            targets_item = targets_item_data.to_dict()
            targets.append(targets_item)

        channels: list[str] | Unset = UNSET
        if not isinstance(self.channels, Unset):
            channels = []
            for channels_item_data in self.channels:
                channels_item = channels_item_data.value
                channels.append(channels_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "delay_minutes": delay_minutes,
                "targets": targets,
            }
        )
        if channels is not UNSET:
            field_dict["channels"] = channels

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.step_target import StepTarget  # noqa: PLC0415

        d = dict(src_dict)
        delay_minutes = d.pop("delay_minutes")

        targets = []
        _targets = d.pop("targets")
        for targets_item_data in _targets:
            targets_item = StepTarget.from_dict(targets_item_data)

            targets.append(targets_item)

        _channels = d.pop("channels", UNSET)
        channels: list[PolicyStepChannelsItem] | Unset = UNSET
        if _channels is not UNSET:
            channels = []
            for channels_item_data in _channels:
                channels_item = PolicyStepChannelsItem(channels_item_data)

                channels.append(channels_item)

        policy_step = cls(
            delay_minutes=delay_minutes,
            targets=targets,
            channels=channels,
        )

        policy_step.additional_properties = d
        return policy_step

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
