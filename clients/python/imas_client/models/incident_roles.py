from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.role_holder import RoleHolder


T = TypeVar("T", bound="IncidentRoles")


@_attrs_define
class IncidentRoles:
    """Every role an incident can have (as configured, in order) and who holds each.

    Attributes:
        incident_id (str):
        roles (list[RoleHolder] | Unset):
        short_id (str | Unset):  Default: ''.
    """

    incident_id: str
    roles: list[RoleHolder] | Unset = UNSET
    short_id: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        incident_id = self.incident_id

        roles: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.roles, Unset):
            roles = []
            for roles_item_data in self.roles:
                roles_item = roles_item_data.to_dict()
                roles.append(roles_item)

        short_id = self.short_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "incident_id": incident_id,
            }
        )
        if roles is not UNSET:
            field_dict["roles"] = roles
        if short_id is not UNSET:
            field_dict["short_id"] = short_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.role_holder import RoleHolder  # noqa: PLC0415

        d = dict(src_dict)
        incident_id = d.pop("incident_id")

        _roles = d.pop("roles", UNSET)
        roles: list[RoleHolder] | Unset = UNSET
        if _roles is not UNSET:
            roles = []
            for roles_item_data in _roles:
                roles_item = RoleHolder.from_dict(roles_item_data)

                roles.append(roles_item)

        short_id = d.pop("short_id", UNSET)

        incident_roles = cls(
            incident_id=incident_id,
            roles=roles,
            short_id=short_id,
        )

        incident_roles.additional_properties = d
        return incident_roles

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
