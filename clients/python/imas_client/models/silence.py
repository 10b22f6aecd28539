from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.matcher import Matcher


T = TypeVar("T", bound="Silence")


@_attrs_define
class Silence:
    """Alerts matching every matcher between ``starts_at`` and ``ends_at`` are suppressed
    (recorded, never paged). ``alertname`` and ``source`` are matchable labels too.

    A recurring silence (a maintenance window) also has ``rrule``, an RFC 5545 RRULE such as
    ``FREQ=WEEKLY;BYDAY=SU;BYHOUR=2``, computed on the wall clock of ``timezone`` (an IANA
    name) from ``starts_at`` on; each occurrence lasts ``duration`` seconds, and alerts are
    suppressed only within an occurrence (still between ``starts_at`` and ``ends_at``).

    Attributes:
        ends_at (str):
        matchers (list[Matcher]):
        starts_at (str):
        comment (str | Unset):  Default: ''.
        created_by (None | str | Unset):
        duration (float | Unset):  Default: 0.0.
        id (str | Unset):  Default: ''.
        rrule (str | Unset):  Default: ''.
        timezone (str | Unset):  Default: ''.
    """

    ends_at: str
    matchers: list[Matcher]
    starts_at: str
    comment: str | Unset = ""
    created_by: None | str | Unset = UNSET
    duration: float | Unset = 0.0
    id: str | Unset = ""
    rrule: str | Unset = ""
    timezone: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ends_at = self.ends_at

        matchers = []
        for matchers_item_data in self.matchers:
            matchers_item = matchers_item_data.to_dict()
            matchers.append(matchers_item)

        starts_at = self.starts_at

        comment = self.comment

        created_by: None | str | Unset
        if isinstance(self.created_by, Unset):
            created_by = UNSET
        else:
            created_by = self.created_by

        duration = self.duration

        id = self.id

        rrule = self.rrule

        timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ends_at": ends_at,
                "matchers": matchers,
                "starts_at": starts_at,
            }
        )
        if comment is not UNSET:
            field_dict["comment"] = comment
        if created_by is not UNSET:
            field_dict["created_by"] = created_by
        if duration is not UNSET:
            field_dict["duration"] = duration
        if id is not UNSET:
            field_dict["id"] = id
        if rrule is not UNSET:
            field_dict["rrule"] = rrule
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.matcher import Matcher  # noqa: PLC0415

        d = dict(src_dict)
        ends_at = d.pop("ends_at")

        matchers = []
        _matchers = d.pop("matchers")
        for matchers_item_data in _matchers:
            matchers_item = Matcher.from_dict(matchers_item_data)

            matchers.append(matchers_item)

        starts_at = d.pop("starts_at")

        comment = d.pop("comment", UNSET)

        def _parse_created_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_by = _parse_created_by(d.pop("created_by", UNSET))

        duration = d.pop("duration", UNSET)

        id = d.pop("id", UNSET)

        rrule = d.pop("rrule", UNSET)

        timezone = d.pop("timezone", UNSET)

        silence = cls(
            ends_at=ends_at,
            matchers=matchers,
            starts_at=starts_at,
            comment=comment,
            created_by=created_by,
            duration=duration,
            id=id,
            rrule=rrule,
            timezone=timezone,
        )

        silence.additional_properties = d
        return silence

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
