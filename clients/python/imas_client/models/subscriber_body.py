from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SubscriberBody")


@_attrs_define
class SubscriberBody:
    """
    Attributes:
        email (str | Unset):  Default: ''.
        person (str | Unset):  Default: ''.
        slack (str | Unset):  Default: ''.
        team (str | Unset):  Default: ''.
    """

    email: str | Unset = ""
    person: str | Unset = ""
    slack: str | Unset = ""
    team: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        person = self.person

        slack = self.slack

        team = self.team

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if person is not UNSET:
            field_dict["person"] = person
        if slack is not UNSET:
            field_dict["slack"] = slack
        if team is not UNSET:
            field_dict["team"] = team

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email", UNSET)

        person = d.pop("person", UNSET)

        slack = d.pop("slack", UNSET)

        team = d.pop("team", UNSET)

        subscriber_body = cls(
            email=email,
            person=person,
            slack=slack,
            team=team,
        )

        subscriber_body.additional_properties = d
        return subscriber_body

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
