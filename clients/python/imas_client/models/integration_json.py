from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.heartbeat import Heartbeat


T = TypeVar("T", bound="IntegrationJson")


@_attrs_define
class IntegrationJson:
    """An integration as the API shows it; on creation only, its secret and where to send
    alerts (``routing_key`` for PagerDuty).

    Attributes:
        created_at (str):
        id (str):
        name (str):
        type_ (str):
        webhook_path (str):
        heartbeat (Heartbeat | None | Unset):
        rate_burst (int | None | Unset):
        rate_limit (float | None | Unset):
        routing_key (None | str | Unset):
        secret (None | str | Unset):
        service (str | Unset):  Default: ''.
        webhook_url (None | str | Unset):
    """

    created_at: str
    id: str
    name: str
    type_: str
    webhook_path: str
    heartbeat: Heartbeat | None | Unset = UNSET
    rate_burst: int | None | Unset = UNSET
    rate_limit: float | None | Unset = UNSET
    routing_key: None | str | Unset = UNSET
    secret: None | str | Unset = UNSET
    service: str | Unset = ""
    webhook_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.heartbeat import Heartbeat  # noqa: PLC0415

        created_at = self.created_at

        id = self.id

        name = self.name

        type_ = self.type_

        webhook_path = self.webhook_path

        heartbeat: dict[str, Any] | None | Unset
        if isinstance(self.heartbeat, Unset):
            heartbeat = UNSET
        elif isinstance(self.heartbeat, Heartbeat):
            heartbeat = self.heartbeat.to_dict()
        else:
            heartbeat = self.heartbeat

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

        routing_key: None | str | Unset
        if isinstance(self.routing_key, Unset):
            routing_key = UNSET
        else:
            routing_key = self.routing_key

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        service = self.service

        webhook_url: None | str | Unset
        if isinstance(self.webhook_url, Unset):
            webhook_url = UNSET
        else:
            webhook_url = self.webhook_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "name": name,
                "type": type_,
                "webhook_path": webhook_path,
            }
        )
        if heartbeat is not UNSET:
            field_dict["heartbeat"] = heartbeat
        if rate_burst is not UNSET:
            field_dict["rate_burst"] = rate_burst
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if routing_key is not UNSET:
            field_dict["routing_key"] = routing_key
        if secret is not UNSET:
            field_dict["secret"] = secret
        if service is not UNSET:
            field_dict["service"] = service
        if webhook_url is not UNSET:
            field_dict["webhook_url"] = webhook_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.heartbeat import Heartbeat  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        name = d.pop("name")

        type_ = d.pop("type")

        webhook_path = d.pop("webhook_path")

        def _parse_heartbeat(data: object) -> Heartbeat | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                heartbeat_type_0 = Heartbeat.from_dict(data)

                return heartbeat_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Heartbeat | None | Unset, data)

        heartbeat = _parse_heartbeat(d.pop("heartbeat", UNSET))

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

        def _parse_routing_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        routing_key = _parse_routing_key(d.pop("routing_key", UNSET))

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        service = d.pop("service", UNSET)

        def _parse_webhook_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_url = _parse_webhook_url(d.pop("webhook_url", UNSET))

        integration_json = cls(
            created_at=created_at,
            id=id,
            name=name,
            type_=type_,
            webhook_path=webhook_path,
            heartbeat=heartbeat,
            rate_burst=rate_burst,
            rate_limit=rate_limit,
            routing_key=routing_key,
            secret=secret,
            service=service,
            webhook_url=webhook_url,
        )

        integration_json.additional_properties = d
        return integration_json

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
