from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.runbook_spec_severities_item import RunbookSpecSeveritiesItem
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.runbook_step import RunbookStep


T = TypeVar("T", bound="RunbookSpec")


@_attrs_define
class RunbookSpec:
    """A runbook, found for an incident by ``service`` then by ``alert_pattern`` (a
    case-insensitive regex on the title), for ``severities`` (all when empty).

    Attributes:
        name (str):
        alert_pattern (str | Unset):  Default: ''.
        created_at (None | str | Unset):
        description (str | Unset):  Default: ''.
        id (str | Unset):  Default: ''.
        service (str | Unset):  Default: ''.
        severities (list[RunbookSpecSeveritiesItem] | Unset):
        steps (list[RunbookStep] | Unset):
        updated_at (None | str | Unset):
    """

    name: str
    alert_pattern: str | Unset = ""
    created_at: None | str | Unset = UNSET
    description: str | Unset = ""
    id: str | Unset = ""
    service: str | Unset = ""
    severities: list[RunbookSpecSeveritiesItem] | Unset = UNSET
    steps: list[RunbookStep] | Unset = UNSET
    updated_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        alert_pattern = self.alert_pattern

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        else:
            created_at = self.created_at

        description = self.description

        id = self.id

        service = self.service

        severities: list[str] | Unset = UNSET
        if not isinstance(self.severities, Unset):
            severities = []
            for severities_item_data in self.severities:
                severities_item = severities_item_data.value
                severities.append(severities_item)

        steps: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.steps, Unset):
            steps = []
            for steps_item_data in self.steps:
                steps_item = steps_item_data.to_dict()
                steps.append(steps_item)

        updated_at: None | str | Unset
        if isinstance(self.updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if alert_pattern is not UNSET:
            field_dict["alert_pattern"] = alert_pattern
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if description is not UNSET:
            field_dict["description"] = description
        if id is not UNSET:
            field_dict["id"] = id
        if service is not UNSET:
            field_dict["service"] = service
        if severities is not UNSET:
            field_dict["severities"] = severities
        if steps is not UNSET:
            field_dict["steps"] = steps
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.runbook_step import RunbookStep  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        alert_pattern = d.pop("alert_pattern", UNSET)

        def _parse_created_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        description = d.pop("description", UNSET)

        id = d.pop("id", UNSET)

        service = d.pop("service", UNSET)

        _severities = d.pop("severities", UNSET)
        severities: list[RunbookSpecSeveritiesItem] | Unset = UNSET
        if _severities is not UNSET:
            severities = []
            for severities_item_data in _severities:
                severities_item = RunbookSpecSeveritiesItem(severities_item_data)

                severities.append(severities_item)

        _steps = d.pop("steps", UNSET)
        steps: list[RunbookStep] | Unset = UNSET
        if _steps is not UNSET:
            steps = []
            for steps_item_data in _steps:
                steps_item = RunbookStep.from_dict(steps_item_data)

                steps.append(steps_item)

        def _parse_updated_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        updated_at = _parse_updated_at(d.pop("updated_at", UNSET))

        runbook_spec = cls(
            name=name,
            alert_pattern=alert_pattern,
            created_at=created_at,
            description=description,
            id=id,
            service=service,
            severities=severities,
            steps=steps,
            updated_at=updated_at,
        )

        runbook_spec.additional_properties = d
        return runbook_spec

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
