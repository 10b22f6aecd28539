from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.policy_spec import PolicySpec


T = TypeVar("T", bound="PolicyView")


@_attrs_define
class PolicyView:
    """A stored escalation policy.

    Attributes:
        policy (PolicySpec): A team's escalation policy, for ``severities`` (all when empty).

                After the last step, the policy starts again ``repeat_delay_minutes`` later, ``repeat``
                more times. With ``round_robin`` a step pages one of its targets per round, in turn. While
                the incident stays unacknowledged a reminder goes out every ``reminder_minutes`` (none when
                None), at most one per period.
    """

    policy: PolicySpec
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        policy = self.policy.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "policy": policy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.policy_spec import PolicySpec  # noqa: PLC0415

        d = dict(src_dict)
        policy = PolicySpec.from_dict(d.pop("policy"))

        policy_view = cls(
            policy=policy,
        )

        policy_view.additional_properties = d
        return policy_view

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
