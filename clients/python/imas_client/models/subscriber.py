from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.subscriber_kind import SubscriberKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="Subscriber")


@_attrs_define
class Subscriber:
    """Someone told of an incident's status updates: a ``person`` or a ``team`` of the
    catalog (``ref`` their id; a person by e-mail, a team in its chat channel), an ``email``
    address (a list) or a ``slack`` channel (``ref`` the address or channel).

    Attributes:
        id (str):
        kind (SubscriberKind):
        ref (str):
        added_at (None | str | Unset):
        added_by (str | Unset):  Default: ''.
        name (str | Unset):  Default: ''.
    """

    id: str
    kind: SubscriberKind
    ref: str
    added_at: None | str | Unset = UNSET
    added_by: str | Unset = ""
    name: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        ref = self.ref

        added_at: None | str | Unset
        if isinstance(self.added_at, Unset):
            added_at = UNSET
        else:
            added_at = self.added_at

        added_by = self.added_by

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "ref": ref,
            }
        )
        if added_at is not UNSET:
            field_dict["added_at"] = added_at
        if added_by is not UNSET:
            field_dict["added_by"] = added_by
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = SubscriberKind(d.pop("kind"))

        ref = d.pop("ref")

        def _parse_added_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        added_at = _parse_added_at(d.pop("added_at", UNSET))

        added_by = d.pop("added_by", UNSET)

        name = d.pop("name", UNSET)

        subscriber = cls(
            id=id,
            kind=kind,
            ref=ref,
            added_at=added_at,
            added_by=added_by,
            name=name,
        )

        subscriber.additional_properties = d
        return subscriber

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
