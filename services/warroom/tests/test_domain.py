"""Pure rules of the warroom: room names, runbook matching, guided steps, signatures, the LID."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from imas_contracts.catalog import Ref
from imas_contracts.incidents import IncidentSnapshot
from imas_contracts.warroom import RunbookSpec, RunbookStep
from imas_runtime import markup
from imas_runtime.errors import Conflict, Invalid
from imas_testing import factories
from imas_testing.fake_google_docs import Document
from imas_warroom import domain, lid
from imas_warroom.chat.messages import Header, discord_message, slack_blocks
from imas_warroom.chat.signatures import discord_refusal, slack_refusal, slack_signature
from imas_warroom.export import docs_format
from imas_warroom.stakeholders.usecases import role_names

pytestmark = pytest.mark.unit

NOW = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)


def runbook(name: str, service: str = "", pattern: str = "", **kw: object) -> RunbookSpec:
    return RunbookSpec(
        name=name,
        service=service,
        alert_pattern=pattern,
        steps=[
            RunbookStep(title="Check nodes"),
            RunbookStep(title="Fail over", critical=True),
            RunbookStep(title="Tell support", requires_confirmation=True),
        ],
        **kw,  # type: ignore[arg-type]
    )


def test_channel_name_is_lower_case_and_chat_safe() -> None:
    assert domain.channel_name("1A2B3C4D", "Redis Prod/EU") == "inc-1a2b3c4d-redis-prod-eu"
    assert domain.channel_name("1A2B3C4D", "redis-prod", attempt=1) == "inc-1a2b3c4d-redis-prod-2"
    assert len(domain.channel_name("1A2B3C4D", "x" * 200, attempt=3)) <= 80


def test_runbook_of_the_service_matching_the_title_wins() -> None:
    generic = runbook("generic redis", service="redis-prod")
    precise = runbook("redis down", service="redis-prod", pattern=r"cluster\s+down")
    by_title = runbook("any timeout", pattern="timeout")
    other = runbook("checkout", service="checkout-api")
    found = domain.match_runbooks(
        [generic, precise, by_title, other], "redis-prod", "Redis Cluster Down", "SEV1_CRITICAL"
    )
    assert [r.name for r in found] == ["redis down", "generic redis"]
    found = domain.match_runbooks(
        [generic, by_title, other], "postgres-prod", "Connection timeout", "SEV2_HIGH"
    )
    assert [r.name for r in found] == ["any timeout"]


@pytest.mark.timeout(60)
def test_runbook_patterns_answer_on_catastrophic_titles_and_skip_refused_ones() -> None:
    hostile = runbook("hostile", pattern="(x+x+)+y")
    stored_before_checks = runbook("backreference", pattern="(disk)\\1")
    disk = runbook("disk", pattern="disk (is )?full")
    books = [hostile, stored_before_checks, disk]
    assert domain.match_runbooks(books, "redis-prod", "x" * 50_000, None) == []
    found = domain.match_runbooks(books, "redis-prod", "DISK FULL on diskdisk", None)
    assert [r.name for r in found] == ["disk"]
    assert [p.ref for p in domain.stored_patterns(books)] == ["hostile", "backreference", "disk"]


def test_runbook_severity_filter_excludes_other_severities() -> None:
    sev1_only = runbook("sev1", service="redis-prod", severities=["SEV1_CRITICAL"])
    assert domain.match_runbooks([sev1_only], "redis-prod", "x", "SEV3_MEDIUM") == []


def test_invalid_runbook_names_the_field() -> None:
    with pytest.raises(Invalid) as bad:
        domain.validate_runbook(runbook("x", service="redis-prod", pattern="("))
    assert bad.value.errors[0].field == "alert_pattern"
    with pytest.raises(Invalid) as imported:
        domain.validate_runbook(runbook("x", pattern="disk(?= full)"), "runbooks[2].")
    assert imported.value.errors[0].field == "runbooks[2].alert_pattern"
    assert "lookaheads are not supported" in imported.value.errors[0].message
    with pytest.raises(Invalid) as none:
        domain.validate_runbook(RunbookSpec(name="x", service="redis-prod"))
    assert none.value.errors[0].field == "steps"


def test_critical_step_needs_confirmation_and_done_twice_is_a_conflict() -> None:
    book = runbook("r", service="s")
    with pytest.raises(Invalid) as unconfirmed:
        domain.apply_step(book, {}, 2, "done", actor="a", note="", confirm=False, now=NOW)
    assert unconfirmed.value.errors[0].field == "confirm"
    done = domain.apply_step(book, {}, 2, "done", actor="a", note="ok", confirm=True, now=NOW)
    assert done.status == "done"
    with pytest.raises(Conflict):
        domain.apply_step(book, {2: done}, 2, "skip", actor="a", note="", confirm=False, now=NOW)
    with pytest.raises(Invalid):
        domain.apply_step(book, {}, 9, "start", actor="a", note="", confirm=False, now=NOW)
    states = domain.step_states(book, {2: done})
    assert domain.next_step(states) == 1


def test_slash_command_text_is_parsed() -> None:
    cmd = domain.parse_incident_command("resolve inc-1a2b3c4d failover done")
    assert (cmd.verb, cmd.ref, cmd.note) == ("resolve", "INC-1A2B3C4D", "failover done")
    assert domain.parse_incident_command("  ").verb == "help"
    assert domain.parse_incident_command("ack").ref is None


def test_slack_signature_checks_secret_and_replay_window() -> None:
    body, ts = "command=%2Fincident&text=help", "1770000000"
    good = slack_signature("s3cret", ts, body)
    assert slack_refusal("s3cret", ts, good, body, now=1770000100, window=300) is None
    assert slack_refusal("s3cret", ts, good, body + "x", now=1770000100, window=300)
    assert slack_refusal("other", ts, good, body, now=1770000100, window=300)
    assert "replay" in (slack_refusal("s3cret", ts, good, body, now=1770000301, window=300) or "")


def test_discord_ed25519_signature_is_verified() -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    body, ts = '{"type":1}', "1770000000"
    signature = key.sign((ts + body).encode()).hex()
    assert discord_refusal(public, ts, signature, body, now=1770000001, window=300) is None
    assert discord_refusal(public, ts, signature, '{"type":2}', now=1770000001, window=300)
    assert discord_refusal(public, ts, "00" * 64, body, now=1770000001, window=300)


def test_lid_renders_title_kpis_sections_and_escapes_html() -> None:
    incident = IncidentSnapshot(
        id="00000000-0000-0000-0000-000000000001",
        short_id="00000000",
        title="Redis <script>alert(1)</script> down",
        service=Ref(id="s", name="redis-prod"),
        severity="SEV1_CRITICAL",
        status="RESOLVED",
        detected_at=NOW,
        created_at=NOW,
        mtta_seconds=125.0,
        mttr_seconds=3725.0,
    )
    facts = lid.Facts(
        incident=incident,
        links={"incident": "http://i", "lid": "http://l", "runbook": None, "war_room": None},
        timeline=[domain.Item(key="k", at=NOW, kind="NOTE", message="a | b", actor="Alice")],
        severity_history=[("SEV1_CRITICAL", NOW)],
        root_cause="Disk full",
    )
    text = lid.render(lid.DEFAULT_TEMPLATE, facts)
    assert text.startswith("# INC-00000000 - Redis")
    assert "2m 05s" in text and "1h 02m" in text
    assert "Disk full" in text and "Alice" in text and "a \\| b" in text
    html = lid.to_html(text, "t")
    assert "<script>" not in html and "<table>" in html


def test_broken_template_is_refused_naming_body() -> None:
    with pytest.raises(Invalid) as bad:
        lid.check_template("{{ incident.nope.deeper }}", lid.SAMPLE)
    assert bad.value.errors[0].field == "body"
    with pytest.raises(Invalid):
        lid.check_template("{% for %}", lid.SAMPLE)
    with pytest.raises(Invalid):
        # The sandbox refuses reaching into Python internals.
        lid.check_template("{{ ''.__class__.__mro__[1].__subclasses__() }}", lid.SAMPLE)


def test_chat_commands_need_the_role_their_api_route_needs() -> None:
    assert not domain.role_allows("viewer", "ack") and domain.role_allows("viewer", "status")
    assert domain.role_allows("operator", "ack") and domain.role_allows("operator", "escalate")
    assert not domain.role_allows("operator", "resolve")
    assert domain.role_allows("responder", "create") and domain.role_allows("admin", "resolve")
    assert not domain.role_allows("integration", "status") and not domain.role_allows("", "list")


def test_create_takes_severity_and_service_words_anywhere() -> None:
    assert domain.parse_new_incident("SEV2 db is slow") == domain.NewIncident(
        title="db is slow", severity="SEV2_HIGH"
    )
    assert domain.parse_new_incident("db slow service:postgres-prod sev1_critical") == (
        domain.NewIncident(title="db slow", severity="SEV1_CRITICAL", service="postgres-prod")
    )
    # Only the first severity word is one; "sev9" is a title word.
    assert domain.parse_new_incident("sev3 sev4 sev9 up").title == "sev4 sev9 up"
    assert domain.parse_new_incident("  ").title == ""


def test_escalation_goes_to_the_level_after_the_last_one_paged() -> None:
    assert domain.next_escalation_level([0, 1, 2], []) == 0
    assert domain.next_escalation_level([0, 1, 2], [0, 0]) == 1
    assert domain.next_escalation_level([0, 1, 2], [0, 2]) is None
    assert domain.next_escalation_level([], []) is None


def test_exporter_settings_name_what_is_wrong() -> None:
    ok = {"base_url": "https://acme.atlassian.net", "space_key": "OPS", "email": "b@x"}
    domain.check_exporter("Wiki", "confluence", ok, {"api_token"})
    domain.check_exporter("Docs", "google_docs", {"folder_id": "F1"}, {"service_account"})
    cases = [
        (("", "confluence", ok, {"api_token"}), "name"),
        (("W", "notion", ok, set()), "kind"),
        (("W", "confluence", {**ok, "space": "x"}, {"api_token"}), "config.space"),
        (("W", "confluence", {**ok, "email": " "}, {"api_token"}), "config.email"),
        (("W", "confluence", {**ok, "base_url": "acme"}, {"api_token"}), "config.base_url"),
        (("W", "confluence", ok, set()), "secrets.api_token"),
        (("W", "google_docs", {}, {"service_account", "password"}), "secrets.password"),
        # An access token dies within the hour: the service account's key is required.
        (("W", "google_docs", {}, {"token"}), "secrets.service_account"),
    ]
    for args, field in cases:
        with pytest.raises(Invalid) as refused:
            domain.check_exporter(*args)  # type: ignore[arg-type]
        assert refused.value.errors[0].field == field


def test_an_unchanged_runbook_has_no_changed_field() -> None:
    stored = runbook("Redis", "redis-prod")
    assert domain.changed_runbook_fields(stored, runbook("Redis", "redis-prod")) == []
    assert domain.changed_runbook_fields(stored, runbook("Redis", "redis")) == ["service"]
    assert domain.changed_runbook_fields(None, stored) == list(domain.RUNBOOK_FIELDS)


def test_room_headers_escape_mentions_and_links_from_alert_text() -> None:
    hostile = "<!channel> @everyone <@U1> <http://evil.example|LID> [LID](http://evil.example)"
    snapshot = IncidentSnapshot(
        id="i-1",
        short_id="ABC",
        title=hostile,
        service=Ref(id="s", name="api"),
        severity="SEV1_CRITICAL",
        status="TRIGGERED",
        lead="@here",
        detected_at=datetime.now(UTC),
        created_at=datetime.now(UTC),
    )
    header = Header(snapshot, "https://imas.example.com/incidents/1", "https://imas.example.com/l")
    section = slack_blocks(header)[1]["text"]["text"]
    slack_text = header.text(markup.slack_text)
    for text in (section, slack_text):
        assert "<!channel>" not in text and "<@U1>" not in text and "<http://evil" not in text
    assert "&lt;!channel&gt;" in slack_text
    message = discord_message(header)
    assert message["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in message["content"] and "@here" not in message["content"]
    assert "[LID](http" not in message["content"]
    assert "Incident: https://imas.example.com/incidents/1" in message["content"]


def test_a_lid_with_emoji_and_pipes_lands_in_google_docs_at_the_right_indexes() -> None:
    """Docs counts indexes in UTF-16 code units: a character outside the BMP takes two, and
    every later heading, cell and link must still land where it belongs."""
    markdown = (
        "# INC-1 - Disk 🔥 full\n\n| | |\n|---|---|\n| **Status** | 🚨 TRIGGERED |\n"
        "| **Note** | a \\| b |\n\n## Timeline 🕒\n\n- first 👍\n- [link](https://x.test/😀)\n"
        "\n1. one\n2. two\n\n`kubectl get pods`\n"
    )
    document = Document(id="d", title="t")
    for request in docs_format.requests(docs_format.blocks(markdown)):
        document.apply(request)
    assert document.outline() == [
        ("HEADING_1", None, "INC-1 - Disk 🔥 full"),
        ("TABLE", None, [["", ""], ["Status", "🚨 TRIGGERED"], ["Note", "a | b"]]),
        ("HEADING_2", None, "Timeline 🕒"),
        ("NORMAL_TEXT", "BULLET_DISC_CIRCLE_SQUARE", "first 👍"),
        ("NORMAL_TEXT", "BULLET_DISC_CIRCLE_SQUARE", "link"),
        ("NORMAL_TEXT", "NUMBERED_DECIMAL_ALPHA_ROMAN", "one"),
        ("NORMAL_TEXT", "NUMBERED_DECIMAL_ALPHA_ROMAN", "two"),
        ("NORMAL_TEXT", None, "kubectl get pods"),
    ]
    assert document.styled("bold") == [("Status", True), ("Note", True)]
    assert document.styled("link") == [("link", {"url": "https://x.test/%F0%9F%98%80"})]
    assert [run for run, _ in document.styled("weightedFontFamily")] == ["kubectl get pods"]
    assert document.styled("italic") == []  # nothing inherited a neighbour's style


def test_an_edit_reads_as_words_and_links_found_by_the_mesh_are_left_out() -> None:
    inc = factories.incident(
        severity="SEV2_HIGH", lead="Alice Martin", impacted_scopes=[Ref(id="s1", name="Security")]
    )
    assert domain.update_message(inc, ["severity", "lead"]) == (
        "Severity set to SEV2 high; lead set to Alice Martin"
    )
    assert domain.update_message(inc, ["impacted_scopes"]) == "Impacted scopes set to Security"
    assert domain.update_message(inc, ["lid_link"]) == ""
    assert domain.update_message(inc, ["war_room_link", "tags"]) == ""


def test_role_commands_take_mentions_names_and_nobody() -> None:
    assert domain.parse_role_command("scribe <@U0ALICE|alice>") == ("scribe", "U0ALICE", "")
    assert domain.parse_role_command("Commander <@!1234>") == ("commander", "1234", "")
    assert domain.parse_role_command("scribe @alice") == ("scribe", "", "alice")
    assert domain.parse_role_command("scribe Alice Martin") == ("scribe", "", "Alice Martin")
    assert domain.parse_role_command("scribe none") == ("scribe", "", "none")
    assert domain.parse_role_command("scribe") == ("scribe", "", "")
    assert domain.role_allows("responder", "role") and not domain.role_allows("operator", "role")
    assert domain.role_allows("responder", "update") and not domain.role_allows("viewer", "update")


def test_incident_roles_are_configured_in_order_once() -> None:
    assert role_names("Commander, scribe ,,communications,scribe") == (
        "commander",
        "scribe",
        "communications",
    )
    assert role_names("") == ("commander", "scribe", "communications")


def test_incident_roles_are_single_words_each_once_in_lower_case() -> None:
    given = [(" Commander ", " Runs it "), ("scribe", ""), ("legal-team", "")]
    assert domain.role_definitions(given) == [
        ("commander", "Runs it"),
        ("scribe", ""),
        ("legal-team", ""),
    ]
    for roles, field in [
        ([("two words", "")], "roles[0].name"),
        ([("scribe", ""), ("Scribe", "")], "roles[1].name"),
        ([("", "")], "roles[0].name"),
        ([(f"r{i}", "") for i in range(21)], "roles"),
    ]:
        with pytest.raises(Invalid) as refused:
            domain.role_definitions(roles)
        assert [e.field for e in refused.value.errors] == [field]
