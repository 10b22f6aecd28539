from __future__ import annotations

import msgspec
import pytest
from sqlalchemy import func, select

from imas_contracts.catalog import (
    ContactMethod,
    DeleteCatalogEntry,
    ListCatalog,
    PersonSpec,
    SaveCatalogEntry,
    ServiceFields,
    TagRuleSpec,
    TeamFields,
)
from imas_contracts.incidents import ApplyCatalog, OpenOrAttach, ServiceSpec, TeamSpec
from imas_incidents.catalog.usecases import CatalogUseCases
from imas_incidents.models import outbox
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.errors import Conflict, Invalid, NotFound
from imas_runtime.service import ServiceRuntime

pytestmark = pytest.mark.integration

FILE = ApplyCatalog(
    teams=[TeamSpec(name="Data Platform", slack_channel="#data", email="data@example.com")],
    services=[
        ServiceSpec(
            name="kafka-prod",
            team="Data Platform",
            criticality_tier=1,
            runbook_url="https://runbooks.example.com/kafka",
        )
    ],
    people=[
        PersonSpec(
            name="Alice Martin",
            email="alice@example.com",
            phone="+33600000000",
            chat_user_ids={"slack": "U123"},
            time_zone="Europe/Paris",
            contact_methods=[ContactMethod(type="sms", address="+33600000000")],
        )
    ],
    tag_rules=[TagRuleSpec(tag="streaming", pattern=r"kafka|consumer lag")],
)


async def changes_published(runtime: ServiceRuntime) -> int:
    async with runtime.engine.connect() as conn:
        query = (
            select(func.count()).select_from(outbox).where(outbox.c.subject == "catalog.changed.v1")
        )
        return int((await conn.execute(query)).scalar_one())


async def test_applying_the_same_file_twice_changes_nothing_the_second_time(
    incidents_runtime: ServiceRuntime, usecases: IncidentUseCases
) -> None:
    catalog = CatalogUseCases(incidents_runtime.engine)
    preview = await catalog.apply(
        ApplyCatalog(teams=FILE.teams, services=FILE.services, dry_run=True)
    )
    assert [(c.kind, c.action) for c in preview.changes] == [
        ("team", "create"),
        ("service", "create"),
    ]
    assert (await catalog.list_entries(ListCatalog(kind="team"))).teams[0].name != "Data Platform"

    before = await changes_published(incidents_runtime)
    first = await catalog.apply(FILE)
    assert {c.action for c in first.changes} == {"create"}
    assert await changes_published(incidents_runtime) == before + 3  # team, service, person
    second = await catalog.apply(FILE)
    assert {c.action for c in second.changes} == {"unchanged"}
    assert await changes_published(incidents_runtime) == before + 3

    renamed = await catalog.apply(
        ApplyCatalog(services=[ServiceSpec(name="kafka-prod", team="Data Platform", active=False)])
    )
    assert [(c.action, c.fields) for c in renamed.changes] == [
        ("update", ["active", "criticality_tier", "runbook_url"])
    ]
    person = (await catalog.list_entries(ListCatalog(kind="person", id="ALICE@example.com"))).people
    assert person[0].chat_user_ids == {"slack": "U123"} and person[0].time_zone == "Europe/Paris"

    tagged = await usecases.open_or_attach(
        OpenOrAttach(title="Kafka consumer lag", service_name="kafka-prod", severity="SEV3_MEDIUM")
    )
    assert tagged.incident.tags == ["streaming"]


async def test_a_file_with_one_bad_entry_is_refused_whole(
    incidents_runtime: ServiceRuntime,
) -> None:
    catalog = CatalogUseCases(incidents_runtime.engine)
    bad = ApplyCatalog(
        teams=[TeamSpec(name="New Team")],
        services=[ServiceSpec(name="svc", team="Nobody")],
    )
    with pytest.raises(Invalid) as refused:
        await catalog.apply(bad)
    assert refused.value.errors[0].field == "services[0].team"
    with pytest.raises(NotFound):
        await catalog.list_entries(ListCatalog(kind="team", id="New Team"))


async def test_entries_are_created_updated_and_deleted_one_at_a_time(
    incidents_runtime: ServiceRuntime, usecases: IncidentUseCases
) -> None:
    catalog = CatalogUseCases(incidents_runtime.engine)
    team = (
        await catalog.save(SaveCatalogEntry(kind="team", team=TeamFields(name="Mobile Apps")))
    ).teams[0]
    assert team.slug == "mobile-apps"
    with pytest.raises(Conflict):
        await catalog.save(SaveCatalogEntry(kind="team", team=TeamFields(name="Mobile Apps")))
    service = (
        await catalog.save(
            SaveCatalogEntry(
                kind="service", service=ServiceFields(name="ios-api", team="mobile-apps")
            )
        )
    ).services[0]
    assert service.team is not None and service.team.name == "Mobile Apps"
    updated = await catalog.save(
        SaveCatalogEntry(
            kind="team", id=team.id, team=TeamFields(name="Mobile", chat_channel="#mobile")
        )
    )
    assert (updated.teams[0].name, updated.teams[0].chat_channel) == ("Mobile", "#mobile")

    await usecases.open_or_attach(
        OpenOrAttach(title="Crash", service_name="ios-api", severity="SEV4_LOW")
    )
    with pytest.raises(Conflict):
        await catalog.delete(DeleteCatalogEntry(kind="service", id="ios-api"))
    await catalog.delete(DeleteCatalogEntry(kind="team", id=team.id))
    orphan = (await catalog.list_entries(ListCatalog(kind="service", id="ios-api"))).services[0]
    assert orphan.team is None
    with pytest.raises(NotFound):
        await catalog.delete(DeleteCatalogEntry(kind="team", id=team.id))


async def published(runtime: ServiceRuntime, kind: str) -> list[dict[str, object]]:
    """The ``data`` of every ``catalog.changed`` of ``kind`` in the outbox, oldest first."""
    async with runtime.engine.connect() as conn:
        query = (
            select(outbox.c.payload)
            .where(outbox.c.subject == "catalog.changed.v1")
            .order_by(outbox.c.id)
        )
        events = [msgspec.json.decode(p) for p in (await conn.execute(query)).scalars()]
    return [e for e in events if e["kind"] == kind]


LADDER = ApplyCatalog(
    teams=[
        TeamSpec(
            name="Payments",
            manager="MAUD@example.com",
            members=["alice@example.com", "bob@example.com", "alice@example.com"],
        )
    ],
    people=[
        PersonSpec(name="Maud", email="maud@example.com"),
        PersonSpec(name="Alice", email="alice@example.com"),
        PersonSpec(name="Bob", email="bob@example.com"),
        PersonSpec(name="Cyril", email="cyril@example.com", roles=["CTO", " cto ", "ciso"]),
    ],
)


async def test_a_file_names_a_teams_manager_and_members_among_its_people(
    incidents_runtime: ServiceRuntime,
) -> None:
    catalog = CatalogUseCases(incidents_runtime.engine)
    first = await catalog.apply(LADDER)
    assert {c.action for c in first.changes} == {"create"}

    team = (await catalog.list_entries(ListCatalog(kind="team", id="Payments"))).teams[0]
    assert team.manager is not None and team.manager.name == "Maud"
    assert [m.name for m in team.members] == ["Alice", "Bob"]
    cyril = (await catalog.list_entries(ListCatalog(kind="person", id="cyril@example.com"))).people
    assert cyril[0].roles == ["cto", "ciso"]
    # What escalation and the notifier learn: the team with its people, the person's roles.
    data = (await published(incidents_runtime, "team"))[-1]["data"]
    assert data["manager"] == {"id": team.manager.id, "name": "Maud"}  # type: ignore[index]
    assert [m["name"] for m in data["members"]] == ["Alice", "Bob"]  # type: ignore[attr-defined]

    again = await catalog.apply(LADDER)
    assert {c.action for c in again.changes} == {"unchanged"}
    moved = await catalog.apply(
        ApplyCatalog(teams=[TeamSpec(name="Payments", manager="cyril@example.com")])
    )
    assert [(c.kind, c.fields) for c in moved.changes] == [("team", ["manager", "members"])]


async def test_a_team_naming_an_unknown_person_is_refused_naming_the_field(
    incidents_runtime: ServiceRuntime,
) -> None:
    catalog = CatalogUseCases(incidents_runtime.engine)
    with pytest.raises(Invalid) as refused:
        await catalog.apply(
            ApplyCatalog(
                teams=[TeamSpec(name="Ghosts", members=["nobody@example.com"])],
                people=[PersonSpec(name="Maud", email="maud@example.com")],
            )
        )
    assert [e.field for e in refused.value.errors] == ["teams[0].members[0]"]
    with pytest.raises(NotFound):  # all or nothing: not even the person
        await catalog.list_entries(ListCatalog(kind="person", id="maud@example.com"))
    with pytest.raises(Invalid) as refused:
        await catalog.save(
            SaveCatalogEntry(kind="team", team=TeamFields(name="Ghosts", manager="nobody"))
        )
    assert [e.field for e in refused.value.errors] == ["manager"]
    with pytest.raises(Invalid) as refused:
        await catalog.save(
            SaveCatalogEntry(
                kind="person", person=PersonSpec(name="X", email="x@example.com", roles=[" "])
            )
        )
    assert [e.field for e in refused.value.errors] == ["roles[0]"]


async def test_deleting_a_person_takes_them_off_their_teams_for_every_reader(
    incidents_runtime: ServiceRuntime,
) -> None:
    catalog = CatalogUseCases(incidents_runtime.engine)
    await catalog.apply(LADDER)
    await catalog.delete(DeleteCatalogEntry(kind="person", id="maud@example.com"))
    await catalog.delete(DeleteCatalogEntry(kind="person", id="bob@example.com"))

    team = (await catalog.list_entries(ListCatalog(kind="team", id="Payments"))).teams[0]
    assert team.manager is None and [m.name for m in team.members] == ["Alice"]
    data = (await published(incidents_runtime, "team"))[-1]["data"]
    assert data["manager"] is None  # type: ignore[index]
    assert [m["name"] for m in data["members"]] == ["Alice"]  # type: ignore[attr-defined]
