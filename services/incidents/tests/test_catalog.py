from __future__ import annotations

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
from imas_incidents.models import outbox
from imas_incidents.usecases import IncidentUseCases
from imas_incidents.usecases_catalog import CatalogUseCases
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
