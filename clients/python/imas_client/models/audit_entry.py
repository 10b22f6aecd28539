from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """One row of the audit log as ``GET /api/v1/audit/`` answers it.

    Attributes:
        actor (str):
        at (str):
        duration_ms (float):
        forwarded_for (str):
        id (int):
        ip (str):
        method (str):
        path (str):
        request (Any):
        response (Any):
        role (str):
        route (str):
        status (int):
        target (str):
        token_id (None | str):
        user_agent (str):
        user_id (None | str):
        query (str | Unset):  Default: ''.
    """

    actor: str
    at: str
    duration_ms: float
    forwarded_for: str
    id: int
    ip: str
    method: str
    path: str
    request: Any
    response: Any
    role: str
    route: str
    status: int
    target: str
    token_id: None | str
    user_agent: str
    user_id: None | str
    query: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        at = self.at

        duration_ms = self.duration_ms

        forwarded_for = self.forwarded_for

        id = self.id

        ip = self.ip

        method = self.method

        path = self.path

        request = self.request

        response = self.response

        role = self.role

        route = self.route

        status = self.status

        target = self.target

        token_id: None | str
        token_id = self.token_id

        user_agent = self.user_agent

        user_id: None | str
        user_id = self.user_id

        query = self.query

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "at": at,
                "duration_ms": duration_ms,
                "forwarded_for": forwarded_for,
                "id": id,
                "ip": ip,
                "method": method,
                "path": path,
                "request": request,
                "response": response,
                "role": role,
                "route": route,
                "status": status,
                "target": target,
                "token_id": token_id,
                "user_agent": user_agent,
                "user_id": user_id,
            }
        )
        if query is not UNSET:
            field_dict["query"] = query

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor = d.pop("actor")

        at = d.pop("at")

        duration_ms = d.pop("duration_ms")

        forwarded_for = d.pop("forwarded_for")

        id = d.pop("id")

        ip = d.pop("ip")

        method = d.pop("method")

        path = d.pop("path")

        request = d.pop("request")

        response = d.pop("response")

        role = d.pop("role")

        route = d.pop("route")

        status = d.pop("status")

        target = d.pop("target")

        def _parse_token_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        token_id = _parse_token_id(d.pop("token_id"))

        user_agent = d.pop("user_agent")

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        query = d.pop("query", UNSET)

        audit_entry = cls(
            actor=actor,
            at=at,
            duration_ms=duration_ms,
            forwarded_for=forwarded_for,
            id=id,
            ip=ip,
            method=method,
            path=path,
            request=request,
            response=response,
            role=role,
            route=route,
            status=status,
            target=target,
            token_id=token_id,
            user_agent=user_agent,
            user_id=user_id,
            query=query,
        )

        audit_entry.additional_properties = d
        return audit_entry

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
