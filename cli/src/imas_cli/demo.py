"""The demo: what a newcomer needs to see IMAS at work. Three teams with their people (each
with an e-mail and a phone), managers and a CTO; services and impact scopes; two on-call
schedules (SRE Core's weekly rotation, Backend Payment's daily one with an override for the
coming days); an escalation policy per team; a month of past incidents, so that analytics
show something; and the ``log`` provider that prints every page (no vendor account needed).

Loading it again changes nothing: what exists already (by name, or by key for the past
incidents) is left as it is."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

from imas_contracts import Message, Request
from imas_contracts.catalog import CatalogEntries, CatalogKind, ListCatalog, PersonSpec
from imas_contracts.escalation import (
    Layer,
    ListPolicies,
    ListSchedules,
    Override,
    PolicyList,
    PolicySpec,
    PolicyStep,
    PolicyView,
    PutPolicy,
    PutSchedule,
    ScheduleList,
    ScheduleSpec,
    ScheduleView,
    ShiftKind,
    StepTarget,
    TargetKind,
)
from imas_contracts.incidents import (
    ApplyCatalog,
    CatalogApplied,
    PastIncident,
    PastIncidentsRecorded,
    RecordPastIncidents,
    ScopeSpec,
    ServiceSpec,
    Severity,
    TeamSpec,
)
from imas_contracts.notifier import (
    Channel,
    ListProviders,
    ProviderList,
    ProviderView,
    PutProvider,
)
from imas_runtime.bus import Bus, NatsAuth
from imas_runtime.errors import RequestFailed, Unavailable

# The catalog the tests share (tests/conftest.py): SRE Core staffed, the other teams empty.
DEMO_CATALOG = ApplyCatalog(
    # Addresses of their own (name.surname@), so that trying IMAS with alice@example.com
    # does not edit a demo person.
    people=[
        PersonSpec(name="Maud Leroy", email="maud.leroy@example.com", phone="+33600000010"),
        PersonSpec(name="Alice Martin", email="alice.martin@example.com", phone="+33600000011"),
        PersonSpec(name="Bruno Petit", email="bruno.petit@example.com", phone="+33600000012"),
        PersonSpec(
            name="Claire Dubois",
            email="claire.dubois@example.com",
            phone="+33600000013",
            roles=["cto"],
        ),
        PersonSpec(name="Chloé Garnier", email="ciso@example.com", roles=["ciso"]),
        PersonSpec(name="David Roux", email="dpo@example.com", roles=["dpo"]),
    ],
    teams=[
        TeamSpec(
            name="SRE Core",
            slack_channel="#sre-core",
            email="sre@example.com",
            manager="maud.leroy@example.com",
            members=["alice.martin@example.com", "bruno.petit@example.com"],
        ),
        TeamSpec(name="Backend Payment", slack_channel="#backend-payment"),
        TeamSpec(name="Platform"),
    ],
    services=[
        ServiceSpec(name="redis-prod", team="SRE Core", description="Production Redis cluster"),
        ServiceSpec(name="checkout-api", team="Backend Payment", description="Checkout API"),
        ServiceSpec(
            name="postgres-prod", team="SRE Core", description="Production PostgreSQL cluster"
        ),
        ServiceSpec(name="api-gateway", team="Platform", description="Public API gateway"),
        # Alerts naming a service the catalog does not know land here (INGEST_TRIAGE_SERVICE).
        ServiceSpec(name="triage", team="SRE Core", description="Alerts to sort out"),
    ],
    scopes=[
        ScopeSpec(name="Security", mandatory_emails=["ciso@example.com", "security@example.com"]),
        ScopeSpec(name="Legal", mandatory_emails=["dpo@example.com"]),
    ],
)
# The rest of the newcomer's demo, applied after DEMO_CATALOG: Backend Payment and Platform
# staffed, each with a manager.
DEMO_STAFF = ApplyCatalog(
    people=[
        PersonSpec(name="Inès Fournier", email="ines.fournier@example.com", phone="+33600000014"),
        PersonSpec(name="Emma Lefèvre", email="emma.lefevre@example.com", phone="+33600000015"),
        PersonSpec(name="Hugo Moreau", email="hugo.moreau@example.com", phone="+33600000016"),
        PersonSpec(name="Lucas Girard", email="lucas.girard@example.com", phone="+33600000017"),
        PersonSpec(name="Sarah Bernard", email="sarah.bernard@example.com", phone="+33600000018"),
    ],
    teams=[
        TeamSpec(
            name="Backend Payment",
            slack_channel="#backend-payment",
            manager="ines.fournier@example.com",
            members=["emma.lefevre@example.com", "hugo.moreau@example.com"],
        ),
        TeamSpec(
            name="Platform",
            manager="lucas.girard@example.com",
            members=["sarah.bernard@example.com"],
        ),
    ],
)


@dataclass(frozen=True)
class DemoSchedule:
    """A team's on-call rotation; ``override``: who covers it from the hour it is loaded,
    and for how long."""

    team: str
    name: str
    members: tuple[str, ...]  # e-mails, in turn
    shift: ShiftKind
    override: tuple[str, timedelta] | None = None


# SRE Core's members take turns, a week each; Backend Payment's a day each, and their manager
# covers the coming three days (an override, in effect as soon as the demo is loaded).
DEMO_ROTA_TEAM = "SRE Core"
DEMO_ROTA_NAME = "SRE Core primary"
DEMO_ROTA_MEMBERS = ("alice.martin@example.com", "bruno.petit@example.com")
DEMO_SCHEDULES = (
    DemoSchedule(DEMO_ROTA_TEAM, DEMO_ROTA_NAME, DEMO_ROTA_MEMBERS, "weekly"),
    DemoSchedule(
        "Backend Payment",
        "Backend Payment primary",
        ("emma.lefevre@example.com", "hugo.moreau@example.com"),
        "daily",
        override=("ines.fournier@example.com", timedelta(days=3)),
    ),
)
# Handoffs at 9:00, Paris time.
DEMO_HANDOFF = datetime(2026, 1, 5, 9, 0)
DEMO_TIME_ZONE = "Europe/Paris"


@dataclass(frozen=True)
class DemoStep:
    """``targets``: (kind, what) where what is a schedule's name, a role, or "" for the
    policy's team."""

    delay_minutes: float
    targets: tuple[tuple[TargetKind, str], ...]
    channels: tuple[Channel, ...]


# A policy per team: whoever is on call (Platform, without a schedule: its members), then the
# manager (with Backend Payment's channel), then the CTO.
DEMO_POLICIES: dict[str, tuple[DemoStep, ...]] = {
    "SRE Core": (
        DemoStep(0, (("schedule", DEMO_ROTA_NAME),), ("slack", "sms")),
        DemoStep(10, (("manager", ""),), ("sms", "email")),
        DemoStep(30, (("role", "cto"),), ("sms", "email")),
    ),
    "Backend Payment": (
        DemoStep(0, (("schedule", "Backend Payment primary"),), ("slack", "sms")),
        DemoStep(10, (("manager", ""), ("team", "")), ("slack",)),
        DemoStep(30, (("role", "cto"),), ("sms", "email")),
    ),
    "Platform": (
        DemoStep(0, (("members", ""),), ("slack", "sms")),
        DemoStep(15, (("manager", ""),), ("sms", "email")),
        DemoStep(30, (("role", "cto"),), ("sms", "email")),
    ),
}


def policy_name(team: str) -> str:
    return f"{team} escalation"


@dataclass(frozen=True)
class DemoIncident:
    """A past incident: opened ``days_ago`` at ``at`` (UTC), detected ``mttd`` minutes
    before, acknowledged after ``mtta`` and resolved after ``mttr`` minutes (from opening)."""

    key: str
    title: str
    service: str
    severity: Severity
    days_ago: int
    at: time
    mttd: int
    mtta: int
    mttr: int
    acknowledged_by: str
    lead: str | None = None


# Four weeks of incidents (the last two in both halves of the home page's 7-day comparison),
# every service and severity, at all hours: what analytics and their heatmap are about.
DEMO_HISTORY = (
    DemoIncident("redis-failover", "Redis primary failed over, writes refused for 40 s",
                 "redis-prod", "SEV2_HIGH", 26, time(3, 12), 2, 4, 38, "Alice Martin",
                 "Maud Leroy"),
    DemoIncident("checkout-502", "Checkout API answering 502 after a deploy", "checkout-api",
                 "SEV1_CRITICAL", 23, time(14, 5), 1, 2, 47, "Emma Lefèvre", "Inès Fournier"),
    DemoIncident("pg-replica-lag", "PostgreSQL replica 20 minutes behind", "postgres-prod",
                 "SEV3_MEDIUM", 20, time(9, 40), 3, 12, 95, "Bruno Petit"),
    DemoIncident("gateway-certificate", "Gateway certificate expires in 7 days", "api-gateway",
                 "SEV4_LOW", 18, time(8, 0), 0, 45, 300, "Sarah Bernard"),
    DemoIncident("checkout-latency", "Checkout p99 latency above 2 s", "checkout-api",
                 "SEV2_HIGH", 15, time(19, 30), 4, 6, 64, "Hugo Moreau", "Hugo Moreau"),
    DemoIncident("redis-memory", "Redis memory at 92%", "redis-prod", "SEV3_MEDIUM", 12,
                 time(2, 15), 2, 9, 52, "Bruno Petit"),
    DemoIncident("gateway-rate-limit", "Gateway rate-limiting partners' legitimate traffic",
                 "api-gateway", "SEV2_HIGH", 9, time(10, 20), 5, 5, 41, "Lucas Girard",
                 "Lucas Girard"),
    DemoIncident("pg-disk", "PostgreSQL data disk 85% full", "postgres-prod", "SEV3_MEDIUM",
                 6, time(16, 45), 1, 8, 120, "Alice Martin"),
    DemoIncident("card-processor", "Payments refused by the card processor", "checkout-api",
                 "SEV1_CRITICAL", 4, time(11, 10), 1, 1, 33, "Emma Lefèvre", "Inès Fournier"),
    DemoIncident("redis-evictions", "Redis evicting keys under load", "redis-prod", "SEV4_LOW",
                 2, time(7, 55), 3, 20, 90, "Alice Martin"),
)  # fmt: skip


def past_incidents(now: datetime) -> RecordPastIncidents:
    """The demo's history, placed in the weeks before ``now``."""
    today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
    found = []
    for i in DEMO_HISTORY:
        opened = (
            today - timedelta(days=i.days_ago) + timedelta(hours=i.at.hour, minutes=i.at.minute)
        )
        found.append(
            PastIncident(
                key=f"demo:{i.key}",
                title=i.title,
                service_name=i.service,
                severity=i.severity,
                detected_at=opened - timedelta(minutes=i.mttd),
                created_at=opened,
                acknowledged_at=opened + timedelta(minutes=i.mtta),
                resolved_at=opened + timedelta(minutes=i.mttr),
                lead=i.lead,
                acknowledged_by=i.acknowledged_by,
                resolved_by=i.lead or i.acknowledged_by,
            )
        )
    return RecordPastIncidents(incidents=found)


# The provider the demo pages through: it prints each page in the notifier's log. Configured
# like any other, so it shows in /api/v1/notification-providers/ and can be deleted there.
DEMO_PROVIDER = PutProvider(name="log", kind="log")

R = TypeVar("R", bound=Message)

# Refusals worth retrying: the incidents service is up but not ready to answer yet.
_RETRYABLE_CODES = frozenset({"unavailable"})


@dataclass(frozen=True)
class DemoLoaded:
    """What the demo holds, once loaded."""

    teams: int
    people: int
    services: int
    scopes: int
    schedules: int
    policies: int
    past_incidents: int


async def load_demo(nats_url: str, *, deadline: float = 60.0) -> DemoLoaded:
    """Apply the demo catalog and its staff (see :func:`send_catalog`), then configure the
    demo's paging (:func:`configure_demo_paging`) and record its past incidents. Safe to
    repeat: what exists already is left as it is."""
    for catalog in (DEMO_CATALOG, DEMO_STAFF):
        await send_catalog(nats_url, catalog, deadline=deadline)
    await configure_demo_paging(nats_url, deadline=deadline)
    history = past_incidents(datetime.now(UTC))
    await send(
        nats_url,
        history,
        PastIncidentsRecorded,
        deadline=deadline,
        service="incidents",
        what="the demo's past incidents",
    )
    return DemoLoaded(
        teams=len(DEMO_CATALOG.teams),
        people=len(DEMO_CATALOG.people) + len(DEMO_STAFF.people),
        services=len(DEMO_CATALOG.services),
        scopes=len(DEMO_CATALOG.scopes),
        schedules=len(DEMO_SCHEDULES),
        policies=len(DEMO_POLICIES),
        past_incidents=len(history.incidents),
    )


def loaded_line(loaded: DemoLoaded) -> str:
    """What `imas run` and `imas demo` say once the demo is loaded."""
    return (
        f"demo loaded ({loaded.teams} teams, {loaded.people} people, {loaded.services} "
        f"services, {loaded.scopes} impact scopes, {loaded.schedules} on-call schedules, "
        f"{loaded.policies} escalation policies, {loaded.past_incidents} past incidents); "
        f"pages go to the '{DEMO_PROVIDER.name}' provider, which prints them in the notifier's "
        "output (see /api/v1/notification-providers/)"
    )


async def configure_demo_paging(nats_url: str, *, deadline: float = 60.0) -> None:
    """The ``log`` provider unless a provider of that name exists; each schedule of
    :data:`DEMO_SCHEDULES` and each policy of :data:`DEMO_POLICIES` unless its team has one
    of that name."""

    async def ask(request: Request, reply_type: type[R], service: str) -> R:
        what = f"the demo's {type(request).__name__}"
        return await send(
            nats_url, request, reply_type, deadline=deadline, service=service, what=what
        )

    async def catalog(kind: CatalogKind, name: str) -> CatalogEntries:
        return await ask(ListCatalog(kind=kind, id=name), CatalogEntries, "incidents")

    providers = await ask(ListProviders(), ProviderList, "notifier")
    if not any(p.name == DEMO_PROVIDER.name for p in providers.providers):
        await ask(DEMO_PROVIDER, ProviderView, "notifier")
    now = datetime.now(UTC)
    schedule_ids: dict[str, str] = {}
    for demo in DEMO_SCHEDULES:
        team_id = (await catalog("team", demo.team)).teams[0].id
        existing = await ask(ListSchedules(team_id=team_id), ScheduleList, "escalation")
        found = [s.id for s in existing.schedules if s.name == demo.name]
        if found:
            schedule_ids[demo.name] = found[0]
            continue
        members = [(await catalog("person", email)).people[0].id for email in demo.members]
        overrides = []
        if demo.override is not None:
            email, length = demo.override
            start = now.replace(minute=0, second=0, microsecond=0)
            person = (await catalog("person", email)).people[0].id
            overrides.append(Override(person_id=person, start=start, end=start + length))
        spec = ScheduleSpec(
            team_id=team_id,
            name=demo.name,
            time_zone=DEMO_TIME_ZONE,
            layers=[Layer(name=demo.shift, members=members, shift=demo.shift, start=DEMO_HANDOFF)],
            overrides=overrides,
        )
        saved = await ask(PutSchedule(schedule=spec), ScheduleView, "escalation")
        schedule_ids[demo.name] = saved.schedule.id
    for team, steps in DEMO_POLICIES.items():
        team_id = (await catalog("team", team)).teams[0].id
        existing_policies = await ask(ListPolicies(team_id=team_id), PolicyList, "escalation")
        if any(p.name == policy_name(team) for p in existing_policies.policies):
            continue
        policy = PolicySpec(
            team_id=team_id,
            name=policy_name(team),
            steps=[
                PolicyStep(
                    delay_minutes=step.delay_minutes,
                    targets=[
                        StepTarget(kind=kind, id=schedule_ids[what] if kind == "schedule" else what)
                        for kind, what in step.targets
                    ],
                    channels=list(step.channels),
                )
                for step in steps
            ],
        )
        await ask(PutPolicy(policy=policy), PolicyView, "escalation")


async def send_catalog(
    nats_url: str, catalog: ApplyCatalog, *, deadline: float = 60.0
) -> CatalogApplied:
    """Apply ``catalog`` through the incidents service, retrying until it answers.

    Applying is idempotent: entities are matched by name, so loading twice changes nothing.
    Raises :class:`TimeoutError` when the service has not answered within ``deadline`` seconds,
    and :class:`RequestFailed` when it refuses the catalog.
    """
    return await send(
        nats_url,
        catalog,
        CatalogApplied,
        deadline=deadline,
        service="incidents",
        what="the catalog",
    )


async def send(
    nats_url: str,
    request: Request,
    reply_type: type[R],
    *,
    deadline: float,
    service: str,
    what: str,
) -> R:
    """Send ``request`` over NATS request/reply, retrying until ``service`` answers (see
    :func:`send_catalog`); ``what`` names the request in the timeout message."""
    loop = asyncio.get_running_loop()
    until = loop.time() + deadline
    bus = Bus("cli", nats_url, NatsAuth.from_env())
    try:
        # The client retries an unreachable server forever: bound the whole connection attempt.
        await asyncio.wait_for(bus.connect(connect_timeout=deadline), deadline)
    except (TimeoutError, OSError) as exc:
        raise TimeoutError(f"NATS at {nats_url} did not answer within {deadline:.0f}s") from exc
    try:
        last_error = "no answer"
        while True:
            remaining = until - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"the {service} service did not accept {what} within {deadline:.0f}s "
                    f"({last_error})"
                )
            try:
                return await bus.request(request, reply_type, timeout=min(5.0, remaining))
            except Unavailable as exc:
                last_error = exc.message
            except RequestFailed as exc:
                if exc.code not in _RETRYABLE_CODES:
                    raise
                last_error = exc.message
            await asyncio.sleep(min(1.0, max(0.0, until - loop.time())))
    finally:
        await bus.close()
