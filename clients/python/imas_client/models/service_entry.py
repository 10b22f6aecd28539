from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ref import Ref


T = TypeVar("T", bound="ServiceEntry")


@_attrs_define
class ServiceEntry:
    """A service as stored; ``criticality_tier`` 1 is the most critical.

    Attributes:
        id (str):
        name (str):
        active (bool | Unset):  Default: True.
        criticality_tier (int | Unset):  Default: 3.
        description (str | Unset):  Default: ''.
        maintenance_reason (str | Unset):  Default: ''.
        maintenance_since (None | str | Unset):
        maintenance_until (None | str | Unset):
        monitoring_url (None | str | Unset):
        repository_url (None | str | Unset):
        runbook_url (None | str | Unset):
        team (None | Ref | Unset):
    """

    id: str
    name: str
    active: bool | Unset = True
    criticality_tier: int | Unset = 3
    description: str | Unset = ""
    maintenance_reason: str | Unset = ""
    maintenance_since: None | str | Unset = UNSET
    maintenance_until: None | str | Unset = UNSET
    monitoring_url: None | str | Unset = UNSET
    repository_url: None | str | Unset = UNSET
    runbook_url: None | str | Unset = UNSET
    team: None | Ref | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.ref import Ref  # noqa: PLC0415

        id = self.id

        name = self.name

        active = self.active

        criticality_tier = self.criticality_tier

        description = self.description

        maintenance_reason = self.maintenance_reason

        maintenance_since: None | str | Unset
        if isinstance(self.maintenance_since, Unset):
            maintenance_since = UNSET
        else:
            maintenance_since = self.maintenance_since

        maintenance_until: None | str | Unset
        if isinstance(self.maintenance_until, Unset):
            maintenance_until = UNSET
        else:
            maintenance_until = self.maintenance_until

        monitoring_url: None | str | Unset
        if isinstance(self.monitoring_url, Unset):
            monitoring_url = UNSET
        else:
            monitoring_url = self.monitoring_url

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

        team: dict[str, Any] | None | Unset
        if isinstance(self.team, Unset):
            team = UNSET
        elif isinstance(self.team, Ref):
            team = self.team.to_dict()
        else:
            team = self.team

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
            }
        )
        if active is not UNSET:
            field_dict["active"] = active
        if criticality_tier is not UNSET:
            field_dict["criticality_tier"] = criticality_tier
        if description is not UNSET:
            field_dict["description"] = description
        if maintenance_reason is not UNSET:
            field_dict["maintenance_reason"] = maintenance_reason
        if maintenance_since is not UNSET:
            field_dict["maintenance_since"] = maintenance_since
        if maintenance_until is not UNSET:
            field_dict["maintenance_until"] = maintenance_until
        if monitoring_url is not UNSET:
            field_dict["monitoring_url"] = monitoring_url
        if repository_url is not UNSET:
            field_dict["repository_url"] = repository_url
        if runbook_url is not UNSET:
            field_dict["runbook_url"] = runbook_url
        if team is not UNSET:
            field_dict["team"] = team

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ref import Ref  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        active = d.pop("active", UNSET)

        criticality_tier = d.pop("criticality_tier", UNSET)

        description = d.pop("description", UNSET)

        maintenance_reason = d.pop("maintenance_reason", UNSET)

        def _parse_maintenance_since(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        maintenance_since = _parse_maintenance_since(d.pop("maintenance_since", UNSET))

        def _parse_maintenance_until(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        maintenance_until = _parse_maintenance_until(d.pop("maintenance_until", UNSET))

        def _parse_monitoring_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        monitoring_url = _parse_monitoring_url(d.pop("monitoring_url", UNSET))

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

        def _parse_team(data: object) -> None | Ref | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                team_type_0 = Ref.from_dict(data)

                return team_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Ref | Unset, data)

        team = _parse_team(d.pop("team", UNSET))

        service_entry = cls(
            id=id,
            name=name,
            active=active,
            criticality_tier=criticality_tier,
            description=description,
            maintenance_reason=maintenance_reason,
            maintenance_since=maintenance_since,
            maintenance_until=maintenance_until,
            monitoring_url=monitoring_url,
            repository_url=repository_url,
            runbook_url=runbook_url,
            team=team,
        )

        service_entry.additional_properties = d
        return service_entry

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
