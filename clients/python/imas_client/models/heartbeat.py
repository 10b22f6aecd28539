from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.heartbeat_status import HeartbeatStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Heartbeat")


@_attrs_define
class Heartbeat:
    """What a ``heartbeat`` integration watches: a job that pings at least every ``interval``
    seconds, ``grace`` seconds more allowed. ``new`` until its first ping, ``up`` while pings
    come in time, ``down`` from the missed deadline (``due_at``) until the next ping.

    Attributes:
        interval (float):
        due_at (None | str | Unset):
        grace (float | Unset):  Default: 0.0.
        last_ping_at (None | str | Unset):
        status (HeartbeatStatus | Unset):  Default: HeartbeatStatus.NEW.
    """

    interval: float
    due_at: None | str | Unset = UNSET
    grace: float | Unset = 0.0
    last_ping_at: None | str | Unset = UNSET
    status: HeartbeatStatus | Unset = HeartbeatStatus.NEW
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        interval = self.interval

        due_at: None | str | Unset
        if isinstance(self.due_at, Unset):
            due_at = UNSET
        else:
            due_at = self.due_at

        grace = self.grace

        last_ping_at: None | str | Unset
        if isinstance(self.last_ping_at, Unset):
            last_ping_at = UNSET
        else:
            last_ping_at = self.last_ping_at

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "interval": interval,
            }
        )
        if due_at is not UNSET:
            field_dict["due_at"] = due_at
        if grace is not UNSET:
            field_dict["grace"] = grace
        if last_ping_at is not UNSET:
            field_dict["last_ping_at"] = last_ping_at
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        interval = d.pop("interval")

        def _parse_due_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        due_at = _parse_due_at(d.pop("due_at", UNSET))

        grace = d.pop("grace", UNSET)

        def _parse_last_ping_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_ping_at = _parse_last_ping_at(d.pop("last_ping_at", UNSET))

        _status = d.pop("status", UNSET)
        status: HeartbeatStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = HeartbeatStatus(_status)

        heartbeat = cls(
            interval=interval,
            due_at=due_at,
            grace=grace,
            last_ping_at=last_ping_at,
            status=status,
        )

        heartbeat.additional_properties = d
        return heartbeat

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
