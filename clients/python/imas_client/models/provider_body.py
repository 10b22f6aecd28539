from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.provider_body_kind import ProviderBodyKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.provider_body_config import ProviderBodyConfig
    from ..models.provider_body_secrets import ProviderBodySecrets


T = TypeVar("T", bound="ProviderBody")


@_attrs_define
class ProviderBody:
    """
    Attributes:
        kind (ProviderBodyKind):
        name (str):
        config (ProviderBodyConfig | Unset):
        enabled (bool | Unset):  Default: True.
        secrets (ProviderBodySecrets | Unset):
    """

    kind: ProviderBodyKind
    name: str
    config: ProviderBodyConfig | Unset = UNSET
    enabled: bool | Unset = True
    secrets: ProviderBodySecrets | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        name = self.name

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        enabled = self.enabled

        secrets: dict[str, Any] | Unset = UNSET
        if not isinstance(self.secrets, Unset):
            secrets = self.secrets.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.provider_body_config import ProviderBodyConfig  # noqa: PLC0415
        from ..models.provider_body_secrets import ProviderBodySecrets  # noqa: PLC0415

        d = dict(src_dict)
        kind = ProviderBodyKind(d.pop("kind"))

        name = d.pop("name")

        _config = d.pop("config", UNSET)
        config: ProviderBodyConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = ProviderBodyConfig.from_dict(_config)

        enabled = d.pop("enabled", UNSET)

        _secrets = d.pop("secrets", UNSET)
        secrets: ProviderBodySecrets | Unset
        if isinstance(_secrets, Unset):
            secrets = UNSET
        else:
            secrets = ProviderBodySecrets.from_dict(_secrets)

        provider_body = cls(
            kind=kind,
            name=name,
            config=config,
            enabled=enabled,
            secrets=secrets,
        )

        provider_body.additional_properties = d
        return provider_body

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
