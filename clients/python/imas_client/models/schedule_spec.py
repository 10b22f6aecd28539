from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.layer import Layer
    from ..models.override import Override


T = TypeVar("T", bound="ScheduleSpec")


@_attrs_define
class ScheduleSpec:
    """An on-call schedule of a team, computed in ``time_zone`` (an IANA name).

    Attributes:
        name (str):
        team_id (str):
        handoff_notifications (bool | Unset):  Default: True.
        id (str | Unset):  Default: ''.
        layers (list[Layer] | Unset):
        overrides (list[Override] | Unset):
        time_zone (str | Unset):  Default: 'UTC'.
    """

    name: str
    team_id: str
    handoff_notifications: bool | Unset = True
    id: str | Unset = ""
    layers: list[Layer] | Unset = UNSET
    overrides: list[Override] | Unset = UNSET
    time_zone: str | Unset = "UTC"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        team_id = self.team_id

        handoff_notifications = self.handoff_notifications

        id = self.id

        layers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.layers, Unset):
            layers = []
            for layers_item_data in self.layers:
                layers_item = layers_item_data.to_dict()
                layers.append(layers_item)

        overrides: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.overrides, Unset):
            overrides = []
            for overrides_item_data in self.overrides:
                overrides_item = overrides_item_data.to_dict()
                overrides.append(overrides_item)

        time_zone = self.time_zone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "team_id": team_id,
            }
        )
        if handoff_notifications is not UNSET:
            field_dict["handoff_notifications"] = handoff_notifications
        if id is not UNSET:
            field_dict["id"] = id
        if layers is not UNSET:
            field_dict["layers"] = layers
        if overrides is not UNSET:
            field_dict["overrides"] = overrides
        if time_zone is not UNSET:
            field_dict["time_zone"] = time_zone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.layer import Layer  # noqa: PLC0415
        from ..models.override import Override  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        team_id = d.pop("team_id")

        handoff_notifications = d.pop("handoff_notifications", UNSET)

        id = d.pop("id", UNSET)

        _layers = d.pop("layers", UNSET)
        layers: list[Layer] | Unset = UNSET
        if _layers is not UNSET:
            layers = []
            for layers_item_data in _layers:
                layers_item = Layer.from_dict(layers_item_data)

                layers.append(layers_item)

        _overrides = d.pop("overrides", UNSET)
        overrides: list[Override] | Unset = UNSET
        if _overrides is not UNSET:
            overrides = []
            for overrides_item_data in _overrides:
                overrides_item = Override.from_dict(overrides_item_data)

                overrides.append(overrides_item)

        time_zone = d.pop("time_zone", UNSET)

        schedule_spec = cls(
            name=name,
            team_id=team_id,
            handoff_notifications=handoff_notifications,
            id=id,
            layers=layers,
            overrides=overrides,
            time_zone=time_zone,
        )

        schedule_spec.additional_properties = d
        return schedule_spec

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
