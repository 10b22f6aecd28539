from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="IntegrationCreate")


@_attrs_define
class IntegrationCreate:
    """
    Attributes:
        name (str):
        type_ (str):
        grace (float | None | Unset):
        interval (float | None | Unset):
        rate_burst (int | None | Unset):
        rate_limit (float | None | Unset):
        secret (str | Unset):  Default: ''.
        service (str | Unset):  Default: ''.
    """

    name: str
    type_: str
    grace: float | None | Unset = UNSET
    interval: float | None | Unset = UNSET
    rate_burst: int | None | Unset = UNSET
    rate_limit: float | None | Unset = UNSET
    secret: str | Unset = ""
    service: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_

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

        secret = self.secret

        service = self.service

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "type": type_,
            }
        )
        if grace is not UNSET:
            field_dict["grace"] = grace
        if interval is not UNSET:
            field_dict["interval"] = interval
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
        name = d.pop("name")

        type_ = d.pop("type")

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

        secret = d.pop("secret", UNSET)

        service = d.pop("service", UNSET)

        integration_create = cls(
            name=name,
            type_=type_,
            grace=grace,
            interval=interval,
            rate_burst=rate_burst,
            rate_limit=rate_limit,
            secret=secret,
            service=service,
        )

        integration_create.additional_properties = d
        return integration_create

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
