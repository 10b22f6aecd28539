"""Paging pages: routing rules (who hears of a new incident, over what), notification
providers (each kind with its own settings; secrets write-only; "Send test") and LID exporters
(where incident documents are exported; secrets write-only)."""

from __future__ import annotations

from typing import Any

from imas_contracts.incidents import SEVERITIES
from imas_gateway.ui.admin.catalog import CHANNELS
from imas_gateway.ui.admin.fields import Choice, Field
from imas_gateway.ui.admin.resource import (
    Action,
    Column,
    Item,
    Resource,
    Trial,
    joined,
    moment,
    text,
    yes_no,
)
from imas_gateway.ui.render import severity_label

GROUP = "Notifications"
TARGETS = (
    ("team", "the owner team's chat"),
    ("oncall", "whoever is on call"),
    ("scopes", "the impacted scopes' addresses"),
    ("ticket", "the outbound ticket"),
)
# A yes / no setting that may also be left to the provider's default.
FLAG = (("", "default"), ("true", "yes"), ("false", "no"))


def _rule_label(rule: Item) -> str:
    """``Whoever is on call — SRE Core, SEV1 critical``."""
    target = dict(TARGETS).get(str(rule.get("target")), str(rule.get("target", "")))
    match = [
        str(rule.get("team_name") or "any team"),
        severity_label(str(rule["severity"])) if rule.get("severity") else "",
        str(rule.get("scope_name") or ""),
    ]
    return f"{target.capitalize()} — {', '.join(m for m in match if m)}"


ROUTING_RULES = Resource(
    slug="routing-rules",
    title="Routing rules",
    noun="routing rule",
    api="/api/v1/routing-rules/",
    group=GROUP,
    blurb="Who hears of a new incident and over which channels. For each target the most "
    "specific matching rule wins; a rule with no channel silences its target.",
    label=_rule_label,
    fields=(
        Field("target", "Who", kind="select", choices=TARGETS),
        Field(
            "team_id",
            "For the team",
            kind="select",
            choices="teams",
            aliases=("team",),
            placeholder="any team",
        ),
        Field(
            "severity",
            "At the severity",
            kind="select",
            choices=(("", "any severity"), *((s, severity_label(s)) for s in SEVERITIES)),
        ),
        Field(
            "scope_id", "For the impact scope", kind="select", choices="scopes", placeholder="any"
        ),
        Field("channels", "Over", kind="checks", choices=tuple((c, c) for c in CHANNELS)),
        Field(
            "responder",
            "Fallback responder",
            kind="select",
            choices="people",
            placeholder="nobody",
            help="On-call rules: who is paged when escalation cannot say who is on call.",
        ),
    ),
    columns=(
        Column("Rule", lambda r, _: _rule_label(r)),
        Column("Over", lambda r, _: ", ".join(r.get("channels") or []) or "nothing (silenced)"),
        Column("Fallback responder", lambda r, _: r.get("responder_name") or "—"),
    ),
    locked=lambda r: (
        "Built in: add a rule with the same match to change it." if r.get("default") else ""
    ),
)


async def _send_test(trial: Trial) -> dict[str, Any]:
    """A test message through the saved provider, and what it answered."""
    answer = await trial.api.call(
        "POST",
        trial.resource.item_url(trial.ref) + "test/",
        {"recipient": trial.extra.get("recipient", "")},
    )
    return {"sent": answer}


def _config(*names: str | tuple[str, str]) -> tuple[Field, ...]:
    """Text settings of a kind: a name, or (name, label)."""
    return tuple(
        Field(f"config.{n}", n.replace("_", " ").capitalize())
        if isinstance(n, str)
        else Field(f"config.{n[0]}", n[1])
        for n in names
    )


def _secrets(*names: str, help: str = "") -> tuple[Field, ...]:
    return tuple(
        Field(
            f"secrets.{n}",
            n.replace("_", " ").capitalize(),
            kind="secret",
            help=help or "Write-only: empty keeps the one stored.",
        )
        for n in names
    )


def _kinds(choices: tuple[Choice, ...]) -> tuple[Field, ...]:
    """What providers and exporters share: a name, a kind (chosen once, sent again with each
    change: their settings depend on it) and whether they are enabled."""
    return (
        Field("name", "Name"),
        Field(
            "kind",
            "Kind",
            kind="select",
            choices=choices,
            create_only=True,
            resent=True,
            initial=choices[0][0],
        ),
        Field("enabled", "Enabled", kind="bool", initial=True),
    )


def _kind_columns(noun: str) -> tuple[Column, ...]:
    return (
        text("name", noun),
        text("kind", "Kind"),
        yes_no("enabled", "Enabled"),
        joined("secrets", "Secrets set"),
    )


PROVIDER_KINDS: dict[str, tuple[Field, ...]] = {
    "slack": (
        *_config(("default_channel", "Default channel"), ("base_url", "API URL")),
        *_secrets("bot_token"),
    ),
    "discord": (
        *_config(
            ("guild_id", "Guild id"),
            ("default_channel", "Default channel"),
            ("base_url", "API URL"),
        ),
        *_secrets("bot_token", "webhook_url"),
    ),
    "teams": _secrets("webhook_url", help="A Workflows webhook. Write-only: empty keeps it."),
    "ovh": (
        *_config("application_key", "service_name", "sender", ("endpoint", "API URL")),
        *_secrets("application_secret", "consumer_key"),
    ),
    "twilio": (
        *_config(("account_sid", "Account SID"), ("from", "From"), ("base_url", "API URL")),
        *_secrets("auth_token"),
    ),
    "smtp": (
        *_config("host"),
        Field("config.port", "Port", kind="int", placeholder="587"),
        Field("config.use_tls", "STARTTLS required", kind="select", choices=FLAG),
        Field("config.use_ssl", "Implicit TLS", kind="select", choices=FLAG),
        Field("config.start_tls", "STARTTLS when offered", kind="select", choices=FLAG),
        *_config("username", ("from", "From"), ("to", "Default recipient")),
        Field("config.ca_pem", "Private CA (PEM)", kind="textarea"),
        *_config(("ca_file", "Private CA file")),
        *_secrets("password"),
    ),
    "ntfy": (*_config("topic", ("base_url", "Server URL")), *_secrets("token")),
    "webhook": (
        *_config(("url", "URL")),
        *_secrets("signing_secrets", help="Comma-separated, newest first. Write-only."),
    ),
    "log": (),
}

PROVIDERS = Resource(
    slug="providers",
    title="Notification providers",
    noun="notification provider",
    api="/api/v1/notification-providers/",
    group=GROUP,
    blurb="How pages reach people. Secrets are write-only: only their names are listed.",
    fields=_kinds(tuple((k, k) for k in PROVIDER_KINDS)),
    variant="kind",
    variants=PROVIDER_KINDS,
    columns=(*_kind_columns("Provider"), moment("updated_at", "Updated")),
    actions=(
        Action(
            name="test",
            label="Send test",
            title="Send a test message",
            blurb="Through the saved provider, now.",
            run=_send_test,
            template="admin/_sent.html",
            saved_only=True,
            fields=(Field("recipient", "Recipient (optional)", placeholder="its default"),),
        ),
    ),
)

EXPORTERS = Resource(
    slug="lid-exporters",
    title="LID exporters",
    noun="LID exporter",
    api="/api/v1/lid-exporters/",
    group="Incident documents",
    blurb="Where incident documents (LIDs) are exported when an incident opens. Secrets are "
    "write-only.",
    fields=_kinds((("confluence", "Confluence"), ("google_docs", "Google Docs"))),
    variant="kind",
    variants={
        "confluence": (
            *_config(
                ("base_url", "Site URL"),
                ("space_key", "Space key"),
                "email",
                ("parent_id", "Parent page id"),
            ),
            *_secrets("api_token"),
        ),
        "google_docs": (
            *_config(
                ("folder_id", "Folder id"),
                ("subject", "Acting for (domain-wide delegation)"),
                ("base_url", "Docs API URL"),
                ("drive_url", "Drive API URL"),
            ),
            Field(
                "secrets.service_account",
                "Service account key (JSON)",
                kind="secret",
                help="Write-only: empty keeps the one stored.",
            ),
        ),
    },
    columns=_kind_columns("Exporter"),
)

RESOURCES = (ROUTING_RULES, PROVIDERS, EXPORTERS)
