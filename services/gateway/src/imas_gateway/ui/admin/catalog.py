"""The catalog's pages: teams (manager and members), services, impact scopes and people
(contact methods, notification rules). Writing needs the manager role, as in the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from imas_gateway.ui.admin.fields import Field, Group
from imas_gateway.ui.admin.resource import (
    Action,
    Column,
    Item,
    Resource,
    Section,
    Shown,
    Trial,
    joined,
    lines,
    named,
    text,
    yes_no,
)
from imas_gateway.ui.render import when

GROUP = "Catalog"
CONTACT_TYPES = ("email", "sms", "phone", "slack", "discord", "teams", "ntfy")
CHANNELS = ("slack", "discord", "teams", "sms", "email", "ntfy", "webhook", "log")


def _members(item: Item, _: Shown) -> str:
    return ", ".join(m["name"] for m in item.get("members") or []) or "—"


TEAMS = Resource(
    slug="teams",
    title="Teams",
    noun="team",
    api="/api/v1/teams/",
    group=GROUP,
    blurb="Who owns services: their channel, their manager and their members.",
    fields=(
        Field("name", "Name"),
        Field("slug", "Slug", help="Unique and URL-safe; made from the name when empty."),
        Field("email", "E-mail", kind="email"),
        Field("chat_channel", "Chat channel", placeholder="#sre-core"),
        Field("manager", "Manager", kind="select", choices="people", placeholder="nobody"),
        Field("members", "Members", kind="checks", choices="people"),
    ),
    columns=(
        text("name", "Team"),
        text("email", "E-mail"),
        text("chat_channel", "Chat channel"),
        named("manager", "Manager", "people"),
        Column("Members", _members),
    ),
    links=lambda t: [
        ("Incidents", f"/incidents?team={t['name']}"),
        ("Schedules", f"/oncall/schedules?team={t['id']}"),
    ],
)


def maintenance_line(service: Item) -> str:
    """ "In maintenance until …" for a service in maintenance ("Maintenance planned from …
    until …" for one that begins later), "" otherwise."""
    until = service.get("maintenance_until")
    if not until:
        return ""
    reason = service.get("maintenance_reason") or ""
    since = service.get("maintenance_since")
    if since and datetime.fromisoformat(str(since)) > datetime.now(UTC):
        line = f"Maintenance planned from {when(since)} until {when(until)}"
    else:
        line = f"In maintenance until {when(until)}"
    return line + (f": {reason}" if reason else "")


def _maintenance_status(service: Item) -> str:
    return maintenance_line(service) or "Not in maintenance."


async def _start_maintenance(trial: Trial) -> dict[str, Any]:
    url = trial.resource.item_url(trial.ref) + "maintenance/"
    service = await trial.api.call("PUT", url, trial.extra)
    return {"service": service, "line": _maintenance_status(service)}


async def _end_maintenance(trial: Trial) -> dict[str, Any]:
    url = trial.resource.item_url(trial.ref) + "maintenance/"
    service = await trial.api.call("DELETE", url)
    return {"service": service, "line": _maintenance_status(service)}


SERVICES = Resource(
    slug="services",
    title="Services",
    noun="service",
    api="/api/v1/services/",
    group=GROUP,
    blurb="What can break: each service has an owner team and a tier (1 is the most critical).",
    fields=(
        Field("name", "Name"),
        Field("description", "Description", kind="textarea"),
        Field("team", "Owner team", kind="select", choices="teams", placeholder="none"),
        Field(
            "criticality_tier",
            "Criticality tier",
            kind="select",
            choices=(("1", "1 — most critical"), ("2", "2"), ("3", "3"), ("4", "4 — least")),
            initial="3",
            numbers=True,
        ),
        Field("runbook_url", "Runbook URL", kind="url"),
        Field("repository_url", "Repository URL", kind="url"),
        Field("monitoring_url", "Monitoring URL", kind="url"),
        Field(
            "active",
            "Active",
            kind="bool",
            initial=True,
            help="An inactive service keeps its incidents but no longer takes new alerts.",
        ),
    ),
    columns=(
        text("name", "Service"),
        Column("Description", lambda s, _: s.get("description") or "—"),
        named("team", "Team", "teams"),
        text("criticality_tier", "Tier"),
        yes_no("active", "Active"),
        Column("Maintenance", lambda s, _: maintenance_line(s).removeprefix("In ") or "—"),
    ),
    links=lambda s: [("Incidents", f"/incidents?service={s['name']}")],
    actions=(
        Action(
            name="maintenance",
            label="Put in maintenance",
            title="Maintenance",
            blurb="Until then its alerts are recorded as suppressed, and the pages and "
            "escalation steps of its open incidents wait; they go on at the end if the "
            "incident is still open.",
            run=_start_maintenance,
            template="admin/_maintenance.html",
            saved_only=True,
            status=_maintenance_status,
            fields=(
                Field(
                    "starts_at",
                    "From (UTC)",
                    kind="instant",
                    help="Empty: now. A later time plans it: alerts and pages go through "
                    "until then.",
                ),
                Field("until", "Until (UTC)", kind="instant"),
                Field("reason", "Why", placeholder="Redis 8 upgrade"),
            ),
        ),
        Action(
            name="end_maintenance",
            label="End maintenance now",
            run=_end_maintenance,
            template="admin/_maintenance.html",
            saved_only=True,
        ),
    ),
)

SCOPES = Resource(
    slug="scopes",
    title="Impact scopes",
    noun="impact scope",
    api="/api/v1/scopes/",
    group=GROUP,
    blurb="Impacts that concern people beyond the owner team (security, legal, PR): they hear "
    "of every incident that touches them.",
    fields=(
        Field("name", "Name"),
        Field(
            "mandatory_emails",
            "Addresses told of every incident",
            kind="lines",
            help="One e-mail address per line.",
        ),
    ),
    columns=(text("name", "Scope"), joined("mandatory_emails", "Addresses told")),
)


def _reach(person: Item, _: Shown) -> str | Markup:
    methods = [f"{m['type']}: {m['address']}" for m in person.get("contact_methods") or []]
    return lines(*methods) if methods else "—"


PEOPLE = Resource(
    slug="people",
    title="People",
    noun="person",
    api="/api/v1/people/",
    group=GROUP,
    blurb="Who can be paged, how to reach them, and the roles steps may target (cto, ciso…).",
    # A change of the person keeps their contact methods, saved apart below.
    update="PATCH",
    fields=(
        Field("name", "Name"),
        Field("email", "E-mail", kind="email"),
        Field("phone", "Phone", help="E.164: +33612345678.", blank=None),
        Field("time_zone", "Time zone", placeholder="Europe/Paris", initial="UTC"),
        Field(
            "roles",
            "Roles",
            kind="lines",
            help="One per line (cto, ciso, dpo…): escalation steps and scopes can target them.",
        ),
        Field(
            "chat_user_ids",
            "Chat user ids",
            kind="pairs",
            help="One platform=id per line (slack=U0123ABCD).",
        ),
    ),
    columns=(
        text("name", "Name"),
        text("email", "E-mail"),
        Column("Contact methods", _reach),
        joined("roles", "Roles"),
        text("time_zone", "Time zone"),
    ),
    sections=(
        Section(
            slug="contact-methods",
            title="Contact methods",
            api="contact-methods/",
            blurb="How pages reach this person, channel by channel.",
            fields=(
                Group(
                    "contact_methods",
                    "Contact method",
                    (
                        Field(
                            "type",
                            "Type",
                            kind="select",
                            choices=tuple((t, t) for t in CONTACT_TYPES),
                        ),
                        Field("address", "Address", placeholder="+33612345678, alice@example.com"),
                    ),
                ),
            ),
        ),
        Section(
            slug="notification-rules",
            title="Notification rules",
            api="notification-rules/",
            blurb="When and over what this person is paged, counted from the incident's "
            "opening (until it is acknowledged). Without rules, the routing rules' channels apply.",
            clear="Use the routing rules' channels",
            fields=(
                Group(
                    "rules",
                    "Rule",
                    (
                        Field(
                            "channel",
                            "Channel",
                            kind="select",
                            choices=tuple((c, c) for c in CHANNELS),
                        ),
                        Field("delay_minutes", "After (minutes)", kind="number"),
                    ),
                ),
            ),
        ),
    ),
)

RESOURCES = (TEAMS, SERVICES, SCOPES, PEOPLE)
