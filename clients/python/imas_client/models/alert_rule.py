from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.alert_rule_severity_map import AlertRuleSeverityMap
    from ..models.matcher import Matcher


T = TypeVar("T", bound="AlertRule")


@_attrs_define
class AlertRule:
    """The first rule (by ``position``) whose matchers all match decides for an alert.

    ``service``: target service ("" keeps the default); ``severity_label`` and
    ``severity_map``: label value → SEVn; ``dedup_template``: ``{label}`` placeholders plus
    ``{name}``, ``{source}``; ``auto_create`` false records the alert as ignored.

    Attributes:
        name (str):
        alert_name (str | Unset):  Default: ''.
        auto_create (bool | Unset):  Default: True.
        auto_resolve (bool | Unset):  Default: True.
        dedup_template (str | Unset):  Default: ''.
        id (str | Unset):  Default: ''.
        matchers (list[Matcher] | Unset):
        position (int | Unset):  Default: 100.
        service (str | Unset):  Default: ''.
        severity_label (str | Unset):  Default: 'severity'.
        severity_map (AlertRuleSeverityMap | Unset):
        source (str | Unset):  Default: ''.
    """

    name: str
    alert_name: str | Unset = ""
    auto_create: bool | Unset = True
    auto_resolve: bool | Unset = True
    dedup_template: str | Unset = ""
    id: str | Unset = ""
    matchers: list[Matcher] | Unset = UNSET
    position: int | Unset = 100
    service: str | Unset = ""
    severity_label: str | Unset = "severity"
    severity_map: AlertRuleSeverityMap | Unset = UNSET
    source: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        alert_name = self.alert_name

        auto_create = self.auto_create

        auto_resolve = self.auto_resolve

        dedup_template = self.dedup_template

        id = self.id

        matchers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.matchers, Unset):
            matchers = []
            for matchers_item_data in self.matchers:
                matchers_item = matchers_item_data.to_dict()
                matchers.append(matchers_item)

        position = self.position

        service = self.service

        severity_label = self.severity_label

        severity_map: dict[str, Any] | Unset = UNSET
        if not isinstance(self.severity_map, Unset):
            severity_map = self.severity_map.to_dict()

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if alert_name is not UNSET:
            field_dict["alert_name"] = alert_name
        if auto_create is not UNSET:
            field_dict["auto_create"] = auto_create
        if auto_resolve is not UNSET:
            field_dict["auto_resolve"] = auto_resolve
        if dedup_template is not UNSET:
            field_dict["dedup_template"] = dedup_template
        if id is not UNSET:
            field_dict["id"] = id
        if matchers is not UNSET:
            field_dict["matchers"] = matchers
        if position is not UNSET:
            field_dict["position"] = position
        if service is not UNSET:
            field_dict["service"] = service
        if severity_label is not UNSET:
            field_dict["severity_label"] = severity_label
        if severity_map is not UNSET:
            field_dict["severity_map"] = severity_map
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.alert_rule_severity_map import AlertRuleSeverityMap  # noqa: PLC0415
        from ..models.matcher import Matcher  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        alert_name = d.pop("alert_name", UNSET)

        auto_create = d.pop("auto_create", UNSET)

        auto_resolve = d.pop("auto_resolve", UNSET)

        dedup_template = d.pop("dedup_template", UNSET)

        id = d.pop("id", UNSET)

        _matchers = d.pop("matchers", UNSET)
        matchers: list[Matcher] | Unset = UNSET
        if _matchers is not UNSET:
            matchers = []
            for matchers_item_data in _matchers:
                matchers_item = Matcher.from_dict(matchers_item_data)

                matchers.append(matchers_item)

        position = d.pop("position", UNSET)

        service = d.pop("service", UNSET)

        severity_label = d.pop("severity_label", UNSET)

        _severity_map = d.pop("severity_map", UNSET)
        severity_map: AlertRuleSeverityMap | Unset
        if isinstance(_severity_map, Unset):
            severity_map = UNSET
        else:
            severity_map = AlertRuleSeverityMap.from_dict(_severity_map)

        source = d.pop("source", UNSET)

        alert_rule = cls(
            name=name,
            alert_name=alert_name,
            auto_create=auto_create,
            auto_resolve=auto_resolve,
            dedup_template=dedup_template,
            id=id,
            matchers=matchers,
            position=position,
            service=service,
            severity_label=severity_label,
            severity_map=severity_map,
            source=source,
        )

        alert_rule.additional_properties = d
        return alert_rule

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
