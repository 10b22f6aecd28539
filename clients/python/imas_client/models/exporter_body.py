from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.exporter_body_kind import ExporterBodyKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.exporter_body_config import ExporterBodyConfig
    from ..models.exporter_body_secrets import ExporterBodySecrets


T = TypeVar("T", bound="ExporterBody")


@_attrs_define
class ExporterBody:
    """
    Attributes:
        kind (ExporterBodyKind):
        name (str):
        config (ExporterBodyConfig | Unset):
        enabled (bool | Unset):  Default: True.
        secrets (ExporterBodySecrets | Unset):
    """

    kind: ExporterBodyKind
    name: str
    config: ExporterBodyConfig | Unset = UNSET
    enabled: bool | Unset = True
    secrets: ExporterBodySecrets | Unset = UNSET
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
        from ..models.exporter_body_config import ExporterBodyConfig  # noqa: PLC0415
        from ..models.exporter_body_secrets import ExporterBodySecrets  # noqa: PLC0415

        d = dict(src_dict)
        kind = ExporterBodyKind(d.pop("kind"))

        name = d.pop("name")

        _config = d.pop("config", UNSET)
        config: ExporterBodyConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = ExporterBodyConfig.from_dict(_config)

        enabled = d.pop("enabled", UNSET)

        _secrets = d.pop("secrets", UNSET)
        secrets: ExporterBodySecrets | Unset
        if isinstance(_secrets, Unset):
            secrets = UNSET
        else:
            secrets = ExporterBodySecrets.from_dict(_secrets)

        exporter_body = cls(
            kind=kind,
            name=name,
            config=config,
            enabled=enabled,
            secrets=secrets,
        )

        exporter_body.additional_properties = d
        return exporter_body

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
