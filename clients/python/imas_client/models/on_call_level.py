from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ref import Ref


T = TypeVar("T", bound="OnCallLevel")


@_attrs_define
class OnCallLevel:
    """Who the step ``step`` of the team's policy would page at that time.

    Attributes:
        delay_minutes (float):
        step (int):
        channels (list[str] | Unset):
        targets (list[Ref] | Unset):
    """

    delay_minutes: float
    step: int
    channels: list[str] | Unset = UNSET
    targets: list[Ref] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        delay_minutes = self.delay_minutes

        step = self.step

        channels: list[str] | Unset = UNSET
        if not isinstance(self.channels, Unset):
            channels = self.channels

        targets: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.targets, Unset):
            targets = []
            for targets_item_data in self.targets:
                targets_item = targets_item_data.to_dict()
                targets.append(targets_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "delay_minutes": delay_minutes,
                "step": step,
            }
        )
        if channels is not UNSET:
            field_dict["channels"] = channels
        if targets is not UNSET:
            field_dict["targets"] = targets

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ref import Ref  # noqa: PLC0415

        d = dict(src_dict)
        delay_minutes = d.pop("delay_minutes")

        step = d.pop("step")

        channels = cast(list[str], d.pop("channels", UNSET))

        _targets = d.pop("targets", UNSET)
        targets: list[Ref] | Unset = UNSET
        if _targets is not UNSET:
            targets = []
            for targets_item_data in _targets:
                targets_item = Ref.from_dict(targets_item_data)

                targets.append(targets_item)

        on_call_level = cls(
            delay_minutes=delay_minutes,
            step=step,
            channels=channels,
            targets=targets,
        )

        on_call_level.additional_properties = d
        return on_call_level

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
