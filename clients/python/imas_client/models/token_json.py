from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenJson")


@_attrs_define
class TokenJson:
    """An API token as the API lists it: never its secret or its hash. Times are ISO 8601.

    Attributes:
        created_at (None | str):
        created_by (str):
        expires_at (None | str):
        id (str):
        last_used_at (None | str):
        name (str):
        prefix (str):
        rate_limit (int | None):
        rate_window (float | None):
        revoked_at (None | str):
        role (str):
        scopes (list[str]):
        user_id (None | str):
        username (None | str | Unset):
    """

    created_at: None | str
    created_by: str
    expires_at: None | str
    id: str
    last_used_at: None | str
    name: str
    prefix: str
    rate_limit: int | None
    rate_window: float | None
    revoked_at: None | str
    role: str
    scopes: list[str]
    user_id: None | str
    username: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at: None | str
        created_at = self.created_at

        created_by = self.created_by

        expires_at: None | str
        expires_at = self.expires_at

        id = self.id

        last_used_at: None | str
        last_used_at = self.last_used_at

        name = self.name

        prefix = self.prefix

        rate_limit: int | None
        rate_limit = self.rate_limit

        rate_window: float | None
        rate_window = self.rate_window

        revoked_at: None | str
        revoked_at = self.revoked_at

        role = self.role

        scopes = self.scopes

        user_id: None | str
        user_id = self.user_id

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "created_by": created_by,
                "expires_at": expires_at,
                "id": id,
                "last_used_at": last_used_at,
                "name": name,
                "prefix": prefix,
                "rate_limit": rate_limit,
                "rate_window": rate_window,
                "revoked_at": revoked_at,
                "role": role,
                "scopes": scopes,
                "user_id": user_id,
            }
        )
        if username is not UNSET:
            field_dict["username"] = username

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_created_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_at = _parse_created_at(d.pop("created_at"))

        created_by = d.pop("created_by")

        def _parse_expires_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        id = d.pop("id")

        def _parse_last_used_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_used_at = _parse_last_used_at(d.pop("last_used_at"))

        name = d.pop("name")

        prefix = d.pop("prefix")

        def _parse_rate_limit(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit"))

        def _parse_rate_window(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        rate_window = _parse_rate_window(d.pop("rate_window"))

        def _parse_revoked_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))

        role = d.pop("role")

        scopes = cast(list[str], d.pop("scopes"))

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        token_json = cls(
            created_at=created_at,
            created_by=created_by,
            expires_at=expires_at,
            id=id,
            last_used_at=last_used_at,
            name=name,
            prefix=prefix,
            rate_limit=rate_limit,
            rate_window=rate_window,
            revoked_at=revoked_at,
            role=role,
            scopes=scopes,
            user_id=user_id,
            username=username,
        )

        token_json.additional_properties = d
        return token_json

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
