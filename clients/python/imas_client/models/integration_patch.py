from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="IntegrationPatch")


@_attrs_define
class IntegrationPatch:
    """
    Attributes:
        grace (float | None | Unset):
        interval (float | None | Unset):
        name (None | str | Unset):
        rate_burst (int | None | Unset):
        rate_limit (float | None | Unset):
        secret (None | str | Unset):
        service (None | str | Unset):
    """

    grace: float | None | Unset = UNSET
    interval: float | None | Unset = UNSET
    name: None | str | Unset = UNSET
    rate_burst: int | None | Unset = UNSET
    rate_limit: float | None | Unset = UNSET
    secret: None | str | Unset = UNSET
    service: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grace: float | None | Unset
        if isinstance(self.grace, Unset):
            grace = UNSET
        else:
            grace = self.grace

        interval: float | None | Unset
        if isinstance(self.interval, Unset):
            interval = UNSET
        else:
            interval = self.interval

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        rate_burst: int | None | Unset
        if isinstance(self.rate_burst, Unset):
            rate_burst = UNSET
        else:
            rate_burst = self.rate_burst

        rate_limit: float | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        else:
            rate_limit = self.rate_limit

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        service: None | str | Unset
        if isinstance(self.service, Unset):
            service = UNSET
        else:
            service = self.service

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if grace is not UNSET:
            field_dict["grace"] = grace
        if interval is not UNSET:
            field_dict["interval"] = interval
        if name is not UNSET:
            field_dict["name"] = name
        if rate_burst is not UNSET:
            field_dict["rate_burst"] = rate_burst
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if secret is not UNSET:
            field_dict["secret"] = secret
        if service is not UNSET:
            field_dict["service"] = service

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_grace(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        grace = _parse_grace(d.pop("grace", UNSET))

        def _parse_interval(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        interval = _parse_interval(d.pop("interval", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_rate_burst(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_burst = _parse_rate_burst(d.pop("rate_burst", UNSET))

        def _parse_rate_limit(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        def _parse_service(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        service = _parse_service(d.pop("service", UNSET))

        integration_patch = cls(
            grace=grace,
            interval=interval,
            name=name,
            rate_burst=rate_burst,
            rate_limit=rate_limit,
            secret=secret,
            service=service,
        )

        integration_patch.additional_properties = d
        return integration_patch

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
