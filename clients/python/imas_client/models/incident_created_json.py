from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.incident_created_json_severity import IncidentCreatedJsonSeverity
from ..models.incident_created_json_status import IncidentCreatedJsonStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ref import Ref


T = TypeVar("T", bound="IncidentCreatedJson")


@_attrs_define
class IncidentCreatedJson:
    """An incident as ``POST /api/v1/incidents/`` answers it: ``paging_held_until`` is set
    when it was opened while its service is in maintenance (``paging_held_by`` names the
    window): nobody is paged about it, and its escalation waits, until then.

    Attributes:
        created_at (str):
        detected_at (str):
        id (str):
        is_critical (bool):
        is_open (bool):
        service (Ref): A catalog entity by id and name (a service, a team, an impact scope, a person).
        service_name (str):
        severity (IncidentCreatedJsonSeverity):
        short_id (str):
        status (IncidentCreatedJsonStatus):
        title (str):
        acknowledged_at (None | str | Unset):
        alert_count (int | Unset):  Default: 1.
        dedup_key (str | Unset):  Default: ''.
        description (str | Unset):  Default: ''.
        impacted_scopes (list[Ref] | Unset):
        lead (None | str | Unset):
        lid_link (None | str | Unset):
        mitigated_at (None | str | Unset):
        mtta_seconds (float | None | Unset):
        mttd_seconds (float | None | Unset):
        mttr_seconds (float | None | Unset):
        paging_held_by (str | Unset):  Default: ''.
        paging_held_until (None | str | Unset):
        resolved_at (None | str | Unset):
        tags (list[str] | Unset):
        team (None | Ref | Unset):
        war_room_link (None | str | Unset):
    """

    created_at: str
    detected_at: str
    id: str
    is_critical: bool
    is_open: bool
    service: Ref
    service_name: str
    severity: IncidentCreatedJsonSeverity
    short_id: str
    status: IncidentCreatedJsonStatus
    title: str
    acknowledged_at: None | str | Unset = UNSET
    alert_count: int | Unset = 1
    dedup_key: str | Unset = ""
    description: str | Unset = ""
    impacted_scopes: list[Ref] | Unset = UNSET
    lead: None | str | Unset = UNSET
    lid_link: None | str | Unset = UNSET
    mitigated_at: None | str | Unset = UNSET
    mtta_seconds: float | None | Unset = UNSET
    mttd_seconds: float | None | Unset = UNSET
    mttr_seconds: float | None | Unset = UNSET
    paging_held_by: str | Unset = ""
    paging_held_until: None | str | Unset = UNSET
    resolved_at: None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    team: None | Ref | Unset = UNSET
    war_room_link: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.ref import Ref  # noqa: PLC0415

        created_at = self.created_at

        detected_at = self.detected_at

        id = self.id

        is_critical = self.is_critical

        is_open = self.is_open

        service = self.service.to_dict()

        service_name = self.service_name

        severity = self.severity.value

        short_id = self.short_id

        status = self.status.value

        title = self.title

        acknowledged_at: None | str | Unset
        if isinstance(self.acknowledged_at, Unset):
            acknowledged_at = UNSET
        else:
            acknowledged_at = self.acknowledged_at

        alert_count = self.alert_count

        dedup_key = self.dedup_key

        description = self.description

        impacted_scopes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.impacted_scopes, Unset):
            impacted_scopes = []
            for impacted_scopes_item_data in self.impacted_scopes:
                impacted_scopes_item = impacted_scopes_item_data.to_dict()
                impacted_scopes.append(impacted_scopes_item)

        lead: None | str | Unset
        if isinstance(self.lead, Unset):
            lead = UNSET
        else:
            lead = self.lead

        lid_link: None | str | Unset
        if isinstance(self.lid_link, Unset):
            lid_link = UNSET
        else:
            lid_link = self.lid_link

        mitigated_at: None | str | Unset
        if isinstance(self.mitigated_at, Unset):
            mitigated_at = UNSET
        else:
            mitigated_at = self.mitigated_at

        mtta_seconds: float | None | Unset
        if isinstance(self.mtta_seconds, Unset):
            mtta_seconds = UNSET
        else:
            mtta_seconds = self.mtta_seconds

        mttd_seconds: float | None | Unset
        if isinstance(self.mttd_seconds, Unset):
            mttd_seconds = UNSET
        else:
            mttd_seconds = self.mttd_seconds

        mttr_seconds: float | None | Unset
        if isinstance(self.mttr_seconds, Unset):
            mttr_seconds = UNSET
        else:
            mttr_seconds = self.mttr_seconds

        paging_held_by = self.paging_held_by

        paging_held_until: None | str | Unset
        if isinstance(self.paging_held_until, Unset):
            paging_held_until = UNSET
        else:
            paging_held_until = self.paging_held_until

        resolved_at: None | str | Unset
        if isinstance(self.resolved_at, Unset):
            resolved_at = UNSET
        else:
            resolved_at = self.resolved_at

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        team: dict[str, Any] | None | Unset
        if isinstance(self.team, Unset):
            team = UNSET
        elif isinstance(self.team, Ref):
            team = self.team.to_dict()
        else:
            team = self.team

        war_room_link: None | str | Unset
        if isinstance(self.war_room_link, Unset):
            war_room_link = UNSET
        else:
            war_room_link = self.war_room_link

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "detected_at": detected_at,
                "id": id,
                "is_critical": is_critical,
                "is_open": is_open,
                "service": service,
                "service_name": service_name,
                "severity": severity,
                "short_id": short_id,
                "status": status,
                "title": title,
            }
        )
        if acknowledged_at is not UNSET:
            field_dict["acknowledged_at"] = acknowledged_at
        if alert_count is not UNSET:
            field_dict["alert_count"] = alert_count
        if dedup_key is not UNSET:
            field_dict["dedup_key"] = dedup_key
        if description is not UNSET:
            field_dict["description"] = description
        if impacted_scopes is not UNSET:
            field_dict["impacted_scopes"] = impacted_scopes
        if lead is not UNSET:
            field_dict["lead"] = lead
        if lid_link is not UNSET:
            field_dict["lid_link"] = lid_link
        if mitigated_at is not UNSET:
            field_dict["mitigated_at"] = mitigated_at
        if mtta_seconds is not UNSET:
            field_dict["mtta_seconds"] = mtta_seconds
        if mttd_seconds is not UNSET:
            field_dict["mttd_seconds"] = mttd_seconds
        if mttr_seconds is not UNSET:
            field_dict["mttr_seconds"] = mttr_seconds
        if paging_held_by is not UNSET:
            field_dict["paging_held_by"] = paging_held_by
        if paging_held_until is not UNSET:
            field_dict["paging_held_until"] = paging_held_until
        if resolved_at is not UNSET:
            field_dict["resolved_at"] = resolved_at
        if tags is not UNSET:
            field_dict["tags"] = tags
        if team is not UNSET:
            field_dict["team"] = team
        if war_room_link is not UNSET:
            field_dict["war_room_link"] = war_room_link

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ref import Ref  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        detected_at = d.pop("detected_at")

        id = d.pop("id")

        is_critical = d.pop("is_critical")

        is_open = d.pop("is_open")

        service = Ref.from_dict(d.pop("service"))

        service_name = d.pop("service_name")

        severity = IncidentCreatedJsonSeverity(d.pop("severity"))

        short_id = d.pop("short_id")

        status = IncidentCreatedJsonStatus(d.pop("status"))

        title = d.pop("title")

        def _parse_acknowledged_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        acknowledged_at = _parse_acknowledged_at(d.pop("acknowledged_at", UNSET))

        alert_count = d.pop("alert_count", UNSET)

        dedup_key = d.pop("dedup_key", UNSET)

        description = d.pop("description", UNSET)

        _impacted_scopes = d.pop("impacted_scopes", UNSET)
        impacted_scopes: list[Ref] | Unset = UNSET
        if _impacted_scopes is not UNSET:
            impacted_scopes = []
            for impacted_scopes_item_data in _impacted_scopes:
                impacted_scopes_item = Ref.from_dict(impacted_scopes_item_data)

                impacted_scopes.append(impacted_scopes_item)

        def _parse_lead(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lead = _parse_lead(d.pop("lead", UNSET))

        def _parse_lid_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lid_link = _parse_lid_link(d.pop("lid_link", UNSET))

        def _parse_mitigated_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mitigated_at = _parse_mitigated_at(d.pop("mitigated_at", UNSET))

        def _parse_mtta_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mtta_seconds = _parse_mtta_seconds(d.pop("mtta_seconds", UNSET))

        def _parse_mttd_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mttd_seconds = _parse_mttd_seconds(d.pop("mttd_seconds", UNSET))

        def _parse_mttr_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mttr_seconds = _parse_mttr_seconds(d.pop("mttr_seconds", UNSET))

        paging_held_by = d.pop("paging_held_by", UNSET)

        def _parse_paging_held_until(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        paging_held_until = _parse_paging_held_until(d.pop("paging_held_until", UNSET))

        def _parse_resolved_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        def _parse_team(data: object) -> None | Ref | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                team_type_0 = Ref.from_dict(data)

                return team_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Ref | Unset, data)

        team = _parse_team(d.pop("team", UNSET))

        def _parse_war_room_link(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        war_room_link = _parse_war_room_link(d.pop("war_room_link", UNSET))

        incident_created_json = cls(
            created_at=created_at,
            detected_at=detected_at,
            id=id,
            is_critical=is_critical,
            is_open=is_open,
            service=service,
            service_name=service_name,
            severity=severity,
            short_id=short_id,
            status=status,
            title=title,
            acknowledged_at=acknowledged_at,
            alert_count=alert_count,
            dedup_key=dedup_key,
            description=description,
            impacted_scopes=impacted_scopes,
            lead=lead,
            lid_link=lid_link,
            mitigated_at=mitigated_at,
            mtta_seconds=mtta_seconds,
            mttd_seconds=mttd_seconds,
            mttr_seconds=mttr_seconds,
            paging_held_by=paging_held_by,
            paging_held_until=paging_held_until,
            resolved_at=resolved_at,
            tags=tags,
            team=team,
            war_room_link=war_room_link,
        )

        incident_created_json.additional_properties = d
        return incident_created_json

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
