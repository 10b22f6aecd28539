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
    assert failures == []
    # Every operation was exercised: the run cannot pass by sending nothing.
    assert len(sent) > 120 and min(sent.values()) >= 1


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
