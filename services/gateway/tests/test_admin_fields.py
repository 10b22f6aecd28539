"""The configuration pages' forms: a posted form into the API's JSON, an item back into a
form, refusals onto the inputs they name, rows added and removed."""

from __future__ import annotations

import pytest

from imas_gateway.ui.admin.fields import (
    Field,
    Group,
    add_entry,
    blank_values,
    from_item,
    place_errors,
    read_form,
    remove_row,
    to_body,
)
from imas_gateway.ui.admin.oncall import POLICIES, SCHEDULES
from imas_gateway.ui.admin.paging import PROVIDERS
from imas_gateway.ui.admin.registry import ORDER

pytestmark = pytest.mark.unit

STEPS = Group(
    "steps",
    "Step",
    (
        Field("delay_minutes", "After", kind="number"),
        Field("targets", "Page", kind="targets"),
        Field("channels", "Over", kind="checks"),
    ),
)
POLICY = (Field("name", "Name"), Field("repeat", "Repeat", kind="int"), STEPS)


def test_a_posted_form_becomes_the_json_the_api_takes() -> None:
    form = {
        "name": ["  SRE escalation "],
        "repeat": [""],
        "steps[0]._row": ["1"],
        "steps[0].delay_minutes": ["0"],
        "steps[0].targets": ["schedule:abc", "", "manager:"],
        "steps[0].channels": ["slack", "sms"],
        "steps[1]._row": ["1"],
        "steps[1].delay_minutes": ["7.5"],
    }
    body, errors = to_body(POLICY, read_form(POLICY, form))
    assert errors == {}
    # An empty input is left out: the API's default applies.
    assert body == {
        "name": "SRE escalation",
        "steps": [
            {
                "delay_minutes": 0.0,
                "targets": [{"kind": "schedule", "id": "abc"}, {"kind": "manager", "id": ""}],
                "channels": ["slack", "sms"],
            },
            {"delay_minutes": 7.5, "targets": [], "channels": []},
        ],
    }


def test_what_cannot_be_converted_is_named_by_its_path() -> None:
    form = {"name": ["x"], "repeat": ["twice"], "steps[0].delay_minutes": ["soon"]}
    _, errors = to_body(POLICY, read_form(POLICY, form))
    assert errors == {
        "repeat": "must be a whole number",
        "steps[0].delay_minutes": "must be a number",
    }


def test_nested_keys_pairs_lines_and_times_in_the_zone_of_the_form() -> None:
    fields = (
        Field("time_zone", "Zone"),
        Field("config.port", "Port", kind="int"),
        Field("config.host", "Host"),
        Field("severity_map", "Map", kind="pairs"),
        Field("emails", "E-mails", kind="lines"),
        Field("start", "From", kind="instant", zone="time_zone"),
        Field("handoff", "Handoff", kind="local"),
        Field("phone", "Phone", blank=None),
        Field("on", "On", kind="bool"),
    )
    form = {
        "time_zone": ["Europe/Paris"],
        "config.port": ["587"],
        "config.host": ["smtp.example.com"],
        "severity_map": ["page = SEV1\n\nwarn=SEV3"],
        "emails": ["a@example.com\n b@example.com \n"],
        "start": ["2026-07-01T10:00"],
        "handoff": ["2026-07-01T09:00"],
        "phone": [""],
        "on": ["", "on"],
    }
    body, errors = to_body(fields, read_form(fields, form))
    assert errors == {}
    assert body == {
        "time_zone": "Europe/Paris",
        "config": {"port": 587, "host": "smtp.example.com"},
        "severity_map": {"page": "SEV1", "warn": "SEV3"},
        "emails": ["a@example.com", "b@example.com"],
        "start": "2026-07-01T10:00:00+02:00",
        "handoff": "2026-07-01T09:00:00",
        "phone": None,
        "on": True,
    }
    _, refused = to_body(fields, {**read_form(fields, form), "severity_map": "page SEV1"})
    assert refused == {"severity_map": "'page SEV1' is not key=value"}
    # A zone that is none (a folder of the zone database, a name too long for a file) is the
    # API's to refuse next to its input: the form still reads, its times as UTC.
    for zone in ("Europe", "A" * 5000):
        body, errors = to_body(fields, read_form(fields, {**form, "time_zone": [zone]}))
        assert errors == {}
        assert (body["time_zone"], body["start"]) == (zone, "2026-07-01T10:00:00+00:00")


def test_an_item_shows_in_its_form_with_ids_for_references_and_never_a_secret() -> None:
    schedule = {
        "id": "s1",
        "name": "Primary",
        "team_id": "t1",
        "time_zone": "Europe/Paris",
        "handoff_notifications": True,
        "layers": [
            {
                "name": "",
                "members": ["alice", "bob"],
                "shift": "weekly",
                "shift_hours": 1,
                "start": "2026-01-05T09:00:00",
                "restrictions": [{"days": [0, 1], "start": "09:00", "end": "18:00"}],
            }
        ],
        "overrides": [
            {
                "person_id": "bob",
                "replaces": None,
                "start": "2026-07-01T08:00:00+00:00",
                "end": "2026-07-01T12:00:00Z",
            }
        ],
    }
    values = from_item(SCHEDULES.fields, schedule)
    assert values["layers"][0]["members"] == ["alice", "bob"]
    assert values["layers"][0]["restrictions"][0]["days"] == ["0", "1"]
    # Overrides are instants, shown as the wall time of the schedule's zone.
    assert values["overrides"][0]["start"] == "2026-07-01T10:00"
    assert values["overrides"][0]["replaces"] == ""
    body, errors = to_body(SCHEDULES.fields, values)
    assert errors == {}
    assert body["layers"][0]["restrictions"][0]["days"] == [0, 1]
    assert body["overrides"][0]["start"] == "2026-07-01T10:00:00+02:00"
    assert body["overrides"][0]["replaces"] is None

    provider = {"name": "ops", "kind": "smtp", "config": {"host": "mx", "use_tls": True}}
    shown = from_item(PROVIDERS.fields_for(provider), provider)
    assert shown["config.host"] == "mx"
    assert shown["config.use_tls"] == "true"
    assert shown["secrets.password"] == ""


def test_refusals_land_on_the_input_they_name_or_above_the_form() -> None:
    values = read_form(POLICY, {"steps[0].delay_minutes": ["1"], "steps[1].delay_minutes": ["2"]})
    refusals = place_errors(
        POLICY,
        values,
        [
            ("steps[1].targets[0].id", "unknown schedule"),
            ("name", "must not be empty"),
            ("team_id", "must not be empty"),
            ("body", "must be a JSON object"),
        ],
    )
    assert refusals.by_path == {
        "steps[1].targets": "unknown schedule",
        "name": "must not be empty",
    }
    assert refusals.others == ["team_id: must not be empty", "must be a JSON object"]
    # A tried rule's refusals name rule.<field>.
    tried = place_errors(POLICY, values, [("rule.name", "must not be empty")], strip="rule.")
    assert tried.by_path == {"name": "must not be empty"}


def test_rows_are_added_and_removed_in_place() -> None:
    values = blank_values(POLICIES.fields)
    assert len(values["steps"]) == 1
    assert values["steps"][0]["channels"] == ["slack"]
    add_entry(POLICIES.fields, values, "steps")
    add_entry(POLICIES.fields, values, "steps[1].targets")
    assert values["steps"][1]["targets"] == [""]
    values["steps"][0]["delay_minutes"] = "0"
    values["steps"][1]["delay_minutes"] = "15"
    remove_row(POLICIES.fields, values, "steps[0]")
    assert [s["delay_minutes"] for s in values["steps"]] == ["15"]
    # Paths that name nothing change nothing.
    add_entry(POLICIES.fields, values, "steps[7].targets")
    remove_row(POLICIES.fields, values, "name[0]")
    assert len(values["steps"]) == 1
    schedule = blank_values(SCHEDULES.fields)
    add_entry(SCHEDULES.fields, schedule, "layers[0].restrictions")
    assert schedule["layers"][0]["restrictions"][0]["start"] == "09:00"


def test_every_page_has_a_unique_address_and_its_first_column_names_the_item() -> None:
    slugs = [r.slug for r in ORDER]
    assert len(slugs) == len(set(slugs))
    for resource in ORDER:
        assert resource.api.startswith("/api/v1/") and resource.api.endswith("/")
        assert resource.columns, resource.slug


def test_a_page_reaches_only_the_item_it_names() -> None:
    from litestar.exceptions import HTTPException

    from imas_gateway.ui.admin.catalog import TEAMS

    assert TEAMS.item_url("sre-core") == "/api/v1/teams/sre-core/"
    assert TEAMS.item_url("../users") == "/api/v1/teams/..%2Fusers/"
    with pytest.raises(HTTPException):
        TEAMS.item_url("..")
