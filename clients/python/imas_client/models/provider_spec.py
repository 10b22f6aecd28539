from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.provider_spec_kind import ProviderSpecKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.provider_spec_config import ProviderSpecConfig


T = TypeVar("T", bound="ProviderSpec")


@_attrs_define
class ProviderSpec:
    """A configured provider as the API shows it: ``secrets`` lists the names of the secrets
    that are set, never their values.

    Attributes:
        id (str):
        kind (ProviderSpecKind):
        name (str):
        config (ProviderSpecConfig | Unset):
        enabled (bool | Unset):  Default: True.
        secrets (list[str] | Unset):
        updated_at (None | str | Unset):
    """

    id: str
    kind: ProviderSpecKind
    name: str
    config: ProviderSpecConfig | Unset = UNSET
    enabled: bool | Unset = True
    secrets: list[str] | Unset = UNSET
    updated_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        name = self.name

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        enabled = self.enabled

        secrets: list[str] | Unset = UNSET
        if not isinstance(self.secrets, Unset):
            secrets = self.secrets

        updated_at: None | str | Unset
        if isinstance(self.updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "name": name,
            }
        )
        if config is not UNSET:
            field_dict["config"] = config
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if secrets is not UNSET:
            field_dict["secrets"] = secrets
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.provider_spec_config import ProviderSpecConfig  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        kind = ProviderSpecKind(d.pop("kind"))

        name = d.pop("name")

        _config = d.pop("config", UNSET)
        config: ProviderSpecConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = ProviderSpecConfig.from_dict(_config)

        enabled = d.pop("enabled", UNSET)

        secrets = cast(list[str], d.pop("secrets", UNSET))

        def _parse_updated_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        updated_at = _parse_updated_at(d.pop("updated_at", UNSET))

        provider_spec = cls(
            id=id,
            kind=kind,
            name=name,
            config=config,
            enabled=enabled,
            secrets=secrets,
            updated_at=updated_at,
        )

        provider_spec.additional_properties = d
        return provider_spec

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
