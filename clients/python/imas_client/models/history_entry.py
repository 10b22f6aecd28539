from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="HistoryEntry")


@_attrs_define
class HistoryEntry:
    """One step of an incident's escalation: when due, when fired, who, how, with what result.

    ``run`` counts the incident's escalation runs: 1 from its trigger, 2 and up after reopens.

    Attributes:
        due_at (str):
        kind (str):
        status (str):
        step (int):
        channels (list[str] | Unset):
        fired_at (None | str | Unset):
        names (list[str] | Unset):
        repeat (int | Unset):  Default: 0.
        result (None | str | Unset):
        run (int | Unset):  Default: 1.
        targets (list[str] | Unset):
    """

    due_at: str
    kind: str
    status: str
    step: int
    channels: list[str] | Unset = UNSET
    fired_at: None | str | Unset = UNSET
    names: list[str] | Unset = UNSET
    repeat: int | Unset = 0
    result: None | str | Unset = UNSET
    run: int | Unset = 1
    targets: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        due_at = self.due_at

        kind = self.kind

        status = self.status

        step = self.step

        channels: list[str] | Unset = UNSET
        if not isinstance(self.channels, Unset):
            channels = self.channels

        fired_at: None | str | Unset
        if isinstance(self.fired_at, Unset):
            fired_at = UNSET
        else:
            fired_at = self.fired_at

        names: list[str] | Unset = UNSET
        if not isinstance(self.names, Unset):
            names = self.names

        repeat = self.repeat

        result: None | str | Unset
        if isinstance(self.result, Unset):
            result = UNSET
        else:
            result = self.result

        run = self.run

        targets: list[str] | Unset = UNSET
        if not isinstance(self.targets, Unset):
            targets = self.targets

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "due_at": due_at,
                "kind": kind,
                "status": status,
                "step": step,
            }
        )
        if channels is not UNSET:
            field_dict["channels"] = channels
        if fired_at is not UNSET:
            field_dict["fired_at"] = fired_at
        if names is not UNSET:
            field_dict["names"] = names
        if repeat is not UNSET:
            field_dict["repeat"] = repeat
        if result is not UNSET:
            field_dict["result"] = result
        if run is not UNSET:
            field_dict["run"] = run
        if targets is not UNSET:
            field_dict["targets"] = targets

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        due_at = d.pop("due_at")

        kind = d.pop("kind")

        status = d.pop("status")

        step = d.pop("step")

        channels = cast(list[str], d.pop("channels", UNSET))

        def _parse_fired_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fired_at = _parse_fired_at(d.pop("fired_at", UNSET))

        names = cast(list[str], d.pop("names", UNSET))

        repeat = d.pop("repeat", UNSET)

        def _parse_result(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        result = _parse_result(d.pop("result", UNSET))

        run = d.pop("run", UNSET)

        targets = cast(list[str], d.pop("targets", UNSET))

        history_entry = cls(
            due_at=due_at,
            kind=kind,
            status=status,
            step=step,
            channels=channels,
            fired_at=fired_at,
            names=names,
            repeat=repeat,
            result=result,
            run=run,
            targets=targets,
        )

        history_entry.additional_properties = d
        return history_entry

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
