from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.role_definition import RoleDefinition


T = TypeVar("T", bound="RoleDefinitions")


@_attrs_define
class RoleDefinitions:
    """The roles every incident can have, in the order pages show them. ``custom`` false:
    none stored, the war room service's setting (``WARROOM_INCIDENT_ROLES``) gives them.

    Attributes:
        custom (bool | Unset):  Default: False.
        roles (list[RoleDefinition] | Unset):
    """

    custom: bool | Unset = False
    roles: list[RoleDefinition] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        custom = self.custom

        roles: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.roles, Unset):
            roles = []
            for roles_item_data in self.roles:
                roles_item = roles_item_data.to_dict()
                roles.append(roles_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if custom is not UNSET:
            field_dict["custom"] = custom
        if roles is not UNSET:
            field_dict["roles"] = roles

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.role_definition import RoleDefinition  # noqa: PLC0415

        d = dict(src_dict)
        custom = d.pop("custom", UNSET)

        _roles = d.pop("roles", UNSET)
        roles: list[RoleDefinition] | Unset = UNSET
        if _roles is not UNSET:
            roles = []
            for roles_item_data in _roles:
                roles_item = RoleDefinition.from_dict(roles_item_data)

                roles.append(roles_item)

        role_definitions = cls(
            custom=custom,
            roles=roles,
        )

        role_definitions.additional_properties = d
        return role_definitions

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
