from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServiceFieldsPatch")


@_attrs_define
class ServiceFieldsPatch:
    """
    Attributes:
        active (bool | Unset):
        criticality_tier (int | Unset):
        description (str | Unset):
        monitoring_url (None | str | Unset):
        name (str | Unset):
        repository_url (None | str | Unset):
        runbook_url (None | str | Unset):
        team (None | str | Unset):
    """

    active: bool | Unset = UNSET
    criticality_tier: int | Unset = UNSET
    description: str | Unset = UNSET
    monitoring_url: None | str | Unset = UNSET
    name: str | Unset = UNSET
    repository_url: None | str | Unset = UNSET
    runbook_url: None | str | Unset = UNSET
    team: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active: bool | Unset
        if isinstance(self.active, Unset):
            active = UNSET
        else:
            active = self.active

        criticality_tier: int | Unset
        if isinstance(self.criticality_tier, Unset):
            criticality_tier = UNSET
        else:
            criticality_tier = self.criticality_tier

        description: str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        monitoring_url: None | str | Unset
        if isinstance(self.monitoring_url, Unset):
            monitoring_url = UNSET
        else:
            monitoring_url = self.monitoring_url

        name: str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        repository_url: None | str | Unset
        if isinstance(self.repository_url, Unset):
            repository_url = UNSET
        else:
            repository_url = self.repository_url

        runbook_url: None | str | Unset
        if isinstance(self.runbook_url, Unset):
            runbook_url = UNSET
        else:
            runbook_url = self.runbook_url

        team: None | str | Unset
        if isinstance(self.team, Unset):
            team = UNSET
        else:
            team = self.team

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if active is not UNSET:
            field_dict["active"] = active
        if criticality_tier is not UNSET:
            field_dict["criticality_tier"] = criticality_tier
        if description is not UNSET:
            field_dict["description"] = description
        if monitoring_url is not UNSET:
            field_dict["monitoring_url"] = monitoring_url
        if name is not UNSET:
            field_dict["name"] = name
        if repository_url is not UNSET:
            field_dict["repository_url"] = repository_url
        if runbook_url is not UNSET:
            field_dict["runbook_url"] = runbook_url
        if team is not UNSET:
            field_dict["team"] = team

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_active(data: object) -> bool | Unset:
            if isinstance(data, Unset):
                return data
            return cast(bool | Unset, data)

        active = _parse_active(d.pop("active", UNSET))

        def _parse_criticality_tier(data: object) -> int | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | Unset, data)

        criticality_tier = _parse_criticality_tier(d.pop("criticality_tier", UNSET))

        def _parse_description(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_monitoring_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        monitoring_url = _parse_monitoring_url(d.pop("monitoring_url", UNSET))

        def _parse_name(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_repository_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        repository_url = _parse_repository_url(d.pop("repository_url", UNSET))

        def _parse_runbook_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        runbook_url = _parse_runbook_url(d.pop("runbook_url", UNSET))

        def _parse_team(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        team = _parse_team(d.pop("team", UNSET))

        service_fields_patch = cls(
            active=active,
            criticality_tier=criticality_tier,
            description=description,
            monitoring_url=monitoring_url,
            name=name,
            repository_url=repository_url,
            runbook_url=runbook_url,
            team=team,
        )

        service_fields_patch.additional_properties = d
        return service_fields_patch

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
