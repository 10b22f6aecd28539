"""The public API against its own OpenAPI schema, and malformed bodies.

Schemathesis generates requests for every ``/api/v1`` operation from the schema the gateway
serves (valid ones and ones that break it), sends them with an admin token through the whole
mesh, and checks each answer: never a server error, schema-breaking input refused with a 4xx,
and only statuses, content types and bodies the schema documents. Hypothesis then throws
malformed bodies at the main create routes: each gets a 400 problem naming the field.

Bounded in time: a few examples per operation, derandomized so a run is reproducible.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import httpx
import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from imas_escalation.app import create_runtime as create_escalation
from imas_escalation.settings import EscalationSettings
from imas_warroom.app import create_runtime as create_warroom
from imas_warroom.settings import WarroomSettings
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

T = TypeVar("T")

EXAMPLES = 6
# The event stream never ends (test_events_stream reads it); regenerate revokes the very token
# the run calls with (test_gateway_auth covers it).
SKIPPED = ("/api/v1/events/stream", "/api/token/regenerate")
CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
QUIET = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
async def whole_mesh(
    mesh: Mesh,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[Mesh]:
    """The mesh with escalation and the war room too, so that every route has its service."""
    common = {"nats_url": mesh.nats_url, "database_url": postgres_url, "redis_url": redis_url}
    escalation = create_escalation(
        EscalationSettings(service="escalation", database=await fresh_database("esc"), **common)
    )
    warroom = create_warroom(
        WarroomSettings(service="warroom", database=await fresh_database("wr"), **common)
    )
    async with contextlib.AsyncExitStack() as stack:
        for runtime in (escalation, warroom):
            await runtime.start()
            stack.push_async_callback(runtime.stop)
        yield mesh


class Driver:
    """Runs hypothesis (synchronous) in a worker thread while this event loop serves the
    mesh: each request is handed back to the loop and awaited there."""

    def __init__(self, mesh: Mesh) -> None:
        self.mesh = mesh
        self.loop = asyncio.get_running_loop()

    def wait(self, call: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(call, self.loop).result(timeout=30)

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.mesh.auth, **kwargs.pop("headers", {})}
        return self.wait(self.mesh.client.request(method, url, headers=headers, **kwargs))


def _sent(case: Any) -> dict[str, Any]:
    """What schemathesis would send for ``case``, as httpx arguments."""
    kwargs = case.as_transport_kwargs(base_url="http://imas")
    wanted = ("method", "url", "headers", "params", "json", "data", "content")
    sent = {k: v for k, v in kwargs.items() if k in wanted}
    if isinstance(sent.get("data"), (bytes, str)):
        sent["content"] = sent.pop("data")
    return sent


# Every operation of the API, a few cases each: minutes on a loaded machine, and more as the
# API grows. A deadline, not a speed.
@pytest.mark.timeout(600)
async def test_every_api_operation_conforms_to_the_schema_and_never_fails(
    whole_mesh: Mesh,
) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    driver = Driver(whole_mesh)
    schema = schemathesis.openapi.from_dict((await whole_mesh.client.get("/api/schema/")).json())
    failures: list[str] = []
    sent: dict[str, int] = {}

    def check(operation: Any) -> None:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @settings(QUIET, max_examples=EXAMPLES)
        @given(case=cases)
        def run(case: Any) -> None:
            response = driver.send(**_sent(case))
            sent[operation.label] = sent.get(operation.label, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as exc:
                failures.append(f"{operation.label}: {exc}")

        run()

    def check_all() -> None:
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path.startswith(("/api/v1/", "/api/token/", "/v2/")) and (
                not operation.path.startswith(SKIPPED)
            ):
                check(operation)

    await asyncio.to_thread(check_all)
    assert [f.split(":")[0] for f in failures] == [], "\n\n".join(failures)
    # Every operation was exercised: the run cannot pass by sending nothing.
    assert len(sent) > 120 and min(sent.values()) >= 1


# -- documented answers and query parameters ------------------------------------------------

# Operations whose success answers must have a documented shape (not a free-form object),
# called on real data: (method, path template, path parameters, query).
MAIN_ANSWERS = [
    ("GET", "/api/v1/incidents", {}, {"status": "ACKNOWLEDGED,TRIGGERED", "page_size": "1"}),
    ("GET", "/api/v1/incidents/{ref}", {"ref": "incident"}, {}),
    ("GET", "/api/v1/incidents/{ref}/timeline", {"ref": "incident"}, {}),
    ("GET", "/api/v1/incidents/{ref}/comments", {"ref": "incident"}, {}),
    ("GET", "/api/v1/teams", {}, {}),
    ("GET", "/api/v1/teams/{entry_id}", {"entry_id": "sre-core"}, {}),
    ("GET", "/api/v1/services", {}, {"page_size": "2"}),
    ("GET", "/api/v1/scopes", {}, {}),
    ("GET", "/api/v1/people", {}, {}),
    ("GET", "/api/v1/metrics", {}, {"window": "7d", "severity": "SEV2_HIGH"}),
    ("GET", "/api/v1/metrics/by-service", {}, {}),
    ("GET", "/api/v1/metrics/trend", {}, {"bucket": "week"}),
    ("GET", "/api/v1/metrics/heatmap", {}, {}),
    ("GET", "/api/v1/metrics/top-offenders", {}, {"limit": "3"}),
    ("GET", "/api/v1/tokens", {}, {}),
    ("GET", "/api/v1/integrations", {}, {}),
    ("GET", "/api/v1/schedules", {}, {}),
    ("GET", "/api/v1/escalation-policies", {}, {}),
    ("GET", "/api/v1/runbooks", {}, {"service": "redis-prod"}),
    ("GET", "/api/v1/runbooks/{runbook_id}", {"runbook_id": "runbook"}, {}),
    ("GET", "/api/v1/notification-providers", {}, {}),
    ("GET", "/api/v1/audit", {}, {"method": "POST"}),
]


async def test_main_answers_have_their_documented_shape(whole_mesh: Mesh) -> None:
    """Real answers (an incident with a timeline and a comment, the demo catalog, a token, a
    runbook) against the shapes the schema documents for them."""
    mesh = whole_mesh
    document = (await mesh.client.get("/api/schema/")).json()
    schema = schemathesis.openapi.from_dict(document)
    created = await mesh.client.post("/api/v1/incidents/", json=VALID_INCIDENT, headers=mesh.auth)
    incident = created.json()["id"]
    await mesh.client.post(f"/api/v1/incidents/{incident}/acknowledge/", headers=mesh.auth)
    await mesh.client.post(
        f"/api/v1/incidents/{incident}/comments/", json={"body": "on it"}, headers=mesh.auth
    )
    await mesh.client.post(
        "/api/v1/tokens/", json={"name": "ci", "role": "viewer"}, headers=mesh.auth
    )
    runbook = await mesh.client.post(
        "/api/v1/runbooks/",
        json={"name": "Disk full", "service": "redis-prod", "steps": [{"title": "df -h"}]},
        headers=mesh.auth,
    )
    assert created.status_code == 201 and runbook.status_code == 201
    real = {"incident": incident, "runbook": runbook.json()["id"]}
    wrong: list[str] = []
    for method, path, path_parameters, query in MAIN_ANSWERS:
        operation = schema[path][method]
        documented = document["paths"][path][method.lower()]["responses"]["200"]
        assert "$ref" in str(documented), f"{method} {path} documents no shape"
        ids = {k: real.get(v, v) for k, v in path_parameters.items()}
        case = operation.Case(path_parameters=ids, query=query)
        response = await mesh.client.request(
            method, path.format(**ids) + "/", params=query, headers=mesh.auth
        )
        try:
            case.validate_response(
                response, checks=[status_code_conformance, response_schema_conformance]
            )
        except FailureGroup as exc:
            wrong.append(f"{method} {path}: {exc}")
        if response.status_code != 200:
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
    assert wrong == [], "\n".join(wrong)


# Bad query parameters, each answered 400 naming the parameter.
BAD_QUERIES = [
    ("/api/v1/incidents/?page=0", "page"),
    ("/api/v1/incidents/?page_size=many", "page_size"),
    ("/api/v1/incidents/?status=OPEN", "status"),
    ("/api/v1/incidents/?created_after=yesterday", "created_after"),
    ("/api/v1/incidents/?created_before=0001-01-01", "created_before"),
    ("/api/v1/teams/?page_size=501", "page_size"),
    ("/api/v1/metrics/?window=forever", "window"),
    ("/api/v1/metrics/?from=soon", "from"),
    ("/api/v1/metrics/?from=2026-03-02&to=2026-03-01", "to"),
    ("/api/v1/metrics/?severity=SEV9", "severity"),
    ("/api/v1/metrics/trend/?bucket=month", "bucket"),
    ("/api/v1/metrics/top-offenders/?limit=0", "limit"),
    ("/api/v1/teams/sre-core/oncall/?at=noon", "at"),
    ("/api/v1/schedules/x/shifts/?count=1000", "count"),
    ("/api/v1/runbooks/match/", "service"),
    ("/api/v1/runbooks/match/?service=redis-prod&severity=LOW", "severity"),
    ("/api/v1/audit/?status=9999", "status"),
    ("/api/v1/deliveries/?limit=-1", "limit"),
    ("/api/v1/silences/?include_expired=perhaps", "include_expired"),
]


async def test_every_query_parameter_is_documented_and_a_bad_one_is_a_400(mesh: Mesh) -> None:
    document = (await mesh.client.get("/api/schema/")).json()
    listed = {
        p["name"]: p["schema"] for p in document["paths"]["/api/v1/incidents"]["get"]["parameters"]
    }
    assert listed["status"]["items"]["enum"] == [
        "TRIGGERED",
        "ACKNOWLEDGED",
        "MITIGATED",
        "RESOLVED",
    ]
    assert "-created_at" in listed["ordering"]["enum"] and listed["page_size"]["maximum"] == 500
    assert {"q", "service", "team", "tag", "created_after", "created_before", "page"} <= set(listed)
    metrics = document["paths"]["/api/v1/metrics"]["get"]["parameters"]
    assert {p["name"] for p in metrics} == {"window", "from", "to", "service", "team", "severity"}
    wrong = []
    for url, field in BAD_QUERIES:
        response = await mesh.client.get(url, headers=mesh.auth)
        named = [e["field"] for e in response.json().get("errors", [])]
        if (
            response.status_code != 400
            or not response.headers["content-type"].startswith("application/problem+json")
            or named != [field]
        ):
            wrong.append(f"{url} -> {response.status_code} {named} {response.text[:160]}")
    assert wrong == []


# -- malformed bodies ---------------------------------------------------------------------------

VALID_INCIDENT = {"title": "Disk full", "service_name": "redis-prod", "severity": "SEV3_MEDIUM"}
# The main create routes, with a field that must be text.
CREATE_ROUTES = {
    "/api/v1/incidents/": ("title", VALID_INCIDENT),
    "/api/v1/teams/": ("name", {"name": "Storage"}),
    "/api/v1/services/": ("name", {"name": "blob-store"}),
    "/api/v1/integrations/": ("name", {"name": "am", "type": "alertmanager"}),
    "/api/v1/tokens/": ("name", {"name": "ci", "role": "viewer"}),
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
not_text = json_values.filter(lambda v: not isinstance(v, str))


def _not_json(raw: bytes) -> bool:
    try:
        msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return True
    return False


malformed = st.one_of(
    # Not JSON at all.
    st.binary(min_size=1, max_size=64).filter(_not_json).map(lambda raw: (raw, "body")),
    # JSON, but not an object.
    json_values.filter(lambda v: not isinstance(v, dict)).map(
        lambda v: (msgspec.json.encode(v), "body")
    ),
)


async def test_malformed_bodies_on_create_routes_are_400_naming_the_field(mesh: Mesh) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    driver = Driver(mesh)
    wrong: list[str] = []

    def expect_400(path: str, body: bytes, field: str) -> None:
        response = driver.send(
            "POST", path, content=body, headers={"content-type": "application/json"}
        )
        problem = response.json() if response.status_code == 400 else {}
        fields = [e["field"] for e in problem.get("errors", [])]
        if (
            response.status_code != 400
            or not response.headers["content-type"].startswith("application/problem+json")
            or field not in fields
        ):
            wrong.append(f"POST {path} {body[:80]!r} -> {response.status_code} {fields}")

    @settings(QUIET, max_examples=40)
    @given(route=st.sampled_from(sorted(CREATE_ROUTES)), bad=malformed)
    def bodies_that_are_no_object(route: str, bad: tuple[bytes, str]) -> None:
        expect_400(route, *bad)

    @settings(QUIET, max_examples=40)
    @given(route=st.sampled_from(sorted(CREATE_ROUTES)), value=not_text)
    def a_text_field_of_another_type(route: str, value: Any) -> None:
        field, valid = CREATE_ROUTES[route]
        expect_400(route, msgspec.json.encode({**valid, field: value}), field)

    @settings(QUIET, max_examples=20)
    @given(route=st.sampled_from(sorted(CREATE_ROUTES)), text=st.text(min_size=1, max_size=8))
    def a_nul_character_in_text(route: str, text: str) -> None:
        field, valid = CREATE_ROUTES[route]
        expect_400(route, msgspec.json.encode({**valid, field: text + "\x00"}), field)

    for run in (bodies_that_are_no_object, a_text_field_of_another_type, a_nul_character_in_text):
        await asyncio.to_thread(run)
    assert wrong == []
