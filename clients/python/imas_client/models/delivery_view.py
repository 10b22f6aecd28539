from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.delivery_view_status import DeliveryViewStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="DeliveryView")


@_attrs_define
class DeliveryView:
    """One page in the ledger. Only a provider an operator configured makes it ``sent``;
    ``undeliverable`` pages were never sent (``last_error`` says why, ``provider`` is empty
    when no provider serves the channel).

    Attributes:
        channel (str):
        created_at (str):
        id (str):
        idempotency_key (str):
        incident_id (str):
        provider (str):
        recipient (str):
        status (DeliveryViewStatus):
        address (str | Unset):  Default: ''.
        attempts (int | Unset):  Default: 0.
        last_error (None | str | Unset):
        next_attempt_at (None | str | Unset):
        provider_response (None | str | Unset):
        sent_at (None | str | Unset):
    """

    channel: str
    created_at: str
    id: str
    idempotency_key: str
    incident_id: str
    provider: str
    recipient: str
    status: DeliveryViewStatus
    address: str | Unset = ""
    attempts: int | Unset = 0
    last_error: None | str | Unset = UNSET
    next_attempt_at: None | str | Unset = UNSET
    provider_response: None | str | Unset = UNSET
    sent_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel = self.channel

        created_at = self.created_at

        id = self.id

        idempotency_key = self.idempotency_key

        incident_id = self.incident_id

        provider = self.provider

        recipient = self.recipient

        status = self.status.value

        address = self.address

        attempts = self.attempts

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        next_attempt_at: None | str | Unset
        if isinstance(self.next_attempt_at, Unset):
            next_attempt_at = UNSET
        else:
            next_attempt_at = self.next_attempt_at

        provider_response: None | str | Unset
        if isinstance(self.provider_response, Unset):
            provider_response = UNSET
        else:
            provider_response = self.provider_response

        sent_at: None | str | Unset
        if isinstance(self.sent_at, Unset):
            sent_at = UNSET
        else:
            sent_at = self.sent_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel": channel,
                "created_at": created_at,
                "id": id,
                "idempotency_key": idempotency_key,
                "incident_id": incident_id,
                "provider": provider,
                "recipient": recipient,
                "status": status,
            }
        )
        if address is not UNSET:
            field_dict["address"] = address
        if attempts is not UNSET:
            field_dict["attempts"] = attempts
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if next_attempt_at is not UNSET:
            field_dict["next_attempt_at"] = next_attempt_at
        if provider_response is not UNSET:
            field_dict["provider_response"] = provider_response
        if sent_at is not UNSET:
            field_dict["sent_at"] = sent_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel = d.pop("channel")

        created_at = d.pop("created_at")

        id = d.pop("id")

        idempotency_key = d.pop("idempotency_key")

        incident_id = d.pop("incident_id")

        provider = d.pop("provider")

        recipient = d.pop("recipient")

        status = DeliveryViewStatus(d.pop("status"))

        address = d.pop("address", UNSET)

        attempts = d.pop("attempts", UNSET)

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        def _parse_next_attempt_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at", UNSET))

        def _parse_provider_response(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_response = _parse_provider_response(d.pop("provider_response", UNSET))

        def _parse_sent_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sent_at = _parse_sent_at(d.pop("sent_at", UNSET))

        delivery_view = cls(
            channel=channel,
            created_at=created_at,
            id=id,
            idempotency_key=idempotency_key,
            incident_id=incident_id,
            provider=provider,
            recipient=recipient,
            status=status,
            address=address,
            attempts=attempts,
            last_error=last_error,
            next_attempt_at=next_attempt_at,
            provider_response=provider_response,
            sent_at=sent_at,
        )

        delivery_view.additional_properties = d
        return delivery_view

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
