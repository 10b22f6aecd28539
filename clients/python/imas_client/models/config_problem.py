from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConfigProblem")


@_attrs_define
class ConfigProblem:
    """Something the configuration would not deliver, as ``imas check`` reports it.

    ``kind``: ``policy_reaches_nobody`` (an escalation step), ``channel_without_provider`` (a
    step or routing rule pages a channel no provider serves), ``person_without_address`` (a
    person paged on a channel has no address for it), ``schedule_gap``, ``schedule_invalid``,
    ``check_incomplete`` (a service did not answer). ``team_id`` / ``team`` name the team,
    ``step`` the policy step or routing rule, ``channel`` the channel; ``subject`` is the id it
    is about (a policy, a schedule, a person, a channel) and ``message`` says it in words.

    Attributes:
        kind (str):
        message (str):
        subject (str):
        channel (str | Unset):  Default: ''.
        step (str | Unset):  Default: ''.
        team (str | Unset):  Default: ''.
        team_id (str | Unset):  Default: ''.
    """

    kind: str
    message: str
    subject: str
    channel: str | Unset = ""
    step: str | Unset = ""
    team: str | Unset = ""
    team_id: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        message = self.message

        subject = self.subject

        channel = self.channel

        step = self.step

        team = self.team

        team_id = self.team_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "message": message,
                "subject": subject,
            }
        )
        if channel is not UNSET:
            field_dict["channel"] = channel
        if step is not UNSET:
            field_dict["step"] = step
        if team is not UNSET:
            field_dict["team"] = team
        if team_id is not UNSET:
            field_dict["team_id"] = team_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        message = d.pop("message")

        subject = d.pop("subject")

        channel = d.pop("channel", UNSET)

        step = d.pop("step", UNSET)

        team = d.pop("team", UNSET)

        team_id = d.pop("team_id", UNSET)

        config_problem = cls(
            kind=kind,
            message=message,
            subject=subject,
            channel=channel,
            step=step,
            team=team,
            team_id=team_id,
        )

        config_problem.additional_properties = d
        return config_problem

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
