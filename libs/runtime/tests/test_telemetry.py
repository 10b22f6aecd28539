"""Tracing is configured by the standard ``OTEL_*`` variables, as any OpenTelemetry program.

Each case runs a process as a service starts (``configure_tracing``), which makes one span
and exits; spans are received by real OTLP receivers (gRPC and HTTP) or printed by the console
exporter, and a process whose environment asks for no exporter records nothing.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

pytestmark = pytest.mark.unit

PROGRAM = textwrap.dedent(
    """
    import sys
    from opentelemetry import trace
    from imas_runtime.telemetry import configure_tracing, span, tracing_active
    on = configure_tracing("ingest")
    with span("ingest", "handle alerts"):
        pass
    provider = trace.get_tracer_provider()
    if on:
        provider.shutdown()  # exports what is pending, as at a process's exit
    print("TRACING", on, tracing_active(), file=sys.stderr)
    """
)
OTEL_VARIABLES = [k for k in os.environ if k.startswith("OTEL_")]


def _run(**env: str) -> tuple[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in OTEL_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def _resource(span: Any) -> dict[str, str]:
    return {a.key: a.value.string_value for a in span.resource.attributes}


class _Collector(trace_service_pb2_grpc.TraceServiceServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.requests: list[tuple[Any, dict[str, str]]] = []

    def Export(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC names it)
        self.requests.append((request, dict(context.invocation_metadata())))
        return trace_service_pb2.ExportTraceServiceResponse()


@pytest.fixture
def grpc_collector() -> Iterator[tuple[int, _Collector]]:
    collector = _Collector()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port, collector
    server.stop(None)


@pytest.fixture
def http_collector() -> Iterator[tuple[int, list[tuple[str, dict[str, str], bytes]]]]:
    received: list[tuple[str, dict[str, str], bytes]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()
            self.wfile.write(trace_service_pb2.ExportTraceServiceResponse().SerializeToString())

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()


def test_no_exporter_asked_for_means_no_tracing_at_all() -> None:
    _, err = _run()
    assert "TRACING False False" in err
    _, err = _run(OTEL_TRACES_EXPORTER="none", OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:1")
    assert "TRACING False False" in err
    _, err = _run(OTEL_SDK_DISABLED="true", OTEL_TRACES_EXPORTER="console")
    assert "TRACING False False" in err


def test_console_exporter_prints_spans_under_the_service_name_given() -> None:
    out, err = _run(
        OTEL_TRACES_EXPORTER="console",
        OTEL_SERVICE_NAME="alert-intake",
        OTEL_RESOURCE_ATTRIBUTES="deployment.environment=staging,service.namespace=acme",
    )
    assert "TRACING True True" in err
    printed = json.loads(out)
    assert printed["name"] == "handle alerts"
    resource = printed["resource"]["attributes"]
    assert resource["service.name"] == "alert-intake"
    assert resource["deployment.environment"] == "staging"
    assert resource["service.namespace"] == "acme"


def test_service_name_defaults_to_imas_and_the_service() -> None:
    out, _ = _run(OTEL_TRACES_EXPORTER="console")
    resource = json.loads(out)["resource"]["attributes"]
    assert resource["service.name"] == "imas-ingest"
    assert resource["service.namespace"] == "imas"
    out, _ = _run(OTEL_TRACES_EXPORTER="console", OTEL_RESOURCE_ATTRIBUTES="service.name=x")
    assert json.loads(out)["resource"]["attributes"]["service.name"] == "x"


def test_sampler_variables_are_honoured() -> None:
    out, err = _run(OTEL_TRACES_EXPORTER="console", OTEL_TRACES_SAMPLER="always_off")
    assert "TRACING True True" in err
    assert out == ""
    out, _ = _run(
        OTEL_TRACES_EXPORTER="console",
        OTEL_TRACES_SAMPLER="traceidratio",
        OTEL_TRACES_SAMPLER_ARG="0",
    )
    assert out == ""


def test_otlp_over_grpc_with_headers(grpc_collector: tuple[int, _Collector]) -> None:
    port, collector = grpc_collector
    _run(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{port}",
        OTEL_EXPORTER_OTLP_PROTOCOL="grpc",
        OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer t0ken",
        OTEL_SERVICE_NAME="imas-ingest-eu",
    )
    assert len(collector.requests) == 1
    request, metadata = collector.requests[0]
    assert metadata["authorization"] == "Bearer t0ken"
    (resource_spans,) = request.resource_spans
    assert _resource(resource_spans)["service.name"] == "imas-ingest-eu"
    assert [s.name for s in resource_spans.scope_spans[0].spans] == ["handle alerts"]


def test_otlp_over_http_protobuf(
    http_collector: tuple[int, list[tuple[str, dict[str, str], bytes]]],
) -> None:
    port, received = http_collector
    _run(
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{port}",
        OTEL_EXPORTER_OTLP_HEADERS="x-tenant=ops",
    )
    assert len(received) == 1
    path, headers, body = received[0]
    assert path == "/v1/traces"
    assert headers["x-tenant"] == "ops"
    request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
    (resource_spans,) = request.resource_spans
    assert _resource(resource_spans)["service.name"] == "imas-ingest"
    assert [s.name for s in resource_spans.scope_spans[0].spans] == ["handle alerts"]


LIBRARIES = textwrap.dedent(
    """
    import asyncio, sys
    import asyncpg, httpx, redis.asyncio as aioredis
    from opentelemetry import trace
    from imas_runtime.telemetry import configure_tracing, span
    configure_tracing("notifier")

    async def main(database_url, redis_url, http_url):
        with span("notifier", "send page"):
            conn = await asyncpg.connect(database_url)
            await conn.fetchval("SELECT 1")
            await conn.close()
            client = aioredis.from_url(redis_url)
            await client.ping()
            await client.aclose()
            async with httpx.AsyncClient() as http:
                await http.post(http_url, json={"text": "page"})

    asyncio.run(main(*sys.argv[1:]))
    trace.get_tracer_provider().shutdown()
    """
)


@pytest.mark.integration
def test_asyncpg_redis_and_httpx_calls_make_spans_in_the_current_trace(
    postgres_url: str,
    redis_url: str,
    http_collector: tuple[int, list[tuple[str, dict[str, str], bytes]]],
) -> None:
    port, received = http_collector
    clean = {k: v for k, v in os.environ.items() if k not in OTEL_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", LIBRARIES, postgres_url, redis_url, f"http://127.0.0.1:{port}/x"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "OTEL_TRACES_EXPORTER": "console"},
    )
    assert done.returncode == 0, done.stderr
    spans = [json.loads(chunk) for chunk in _json_objects(done.stdout)]
    page = next(s for s in spans if s["name"] == "send page")
    trace_id = page["context"]["trace_id"]
    inside = [s for s in spans if s["context"]["trace_id"] == trace_id and s["parent_id"]]
    kinds = {
        s["attributes"].get("db.system") or s["attributes"].get("db.system.name") for s in inside
    }
    assert {"postgresql", "redis"} <= kinds, [s["name"] for s in inside]
    assert any(s["name"] == "POST" and s["kind"] == "SpanKind.CLIENT" for s in inside)
    # The receiver was told which trace the call belongs to.
    assert received[0][1]["traceparent"].split("-")[1] == trace_id.removeprefix("0x")


def _json_objects(text: str) -> list[str]:
    """The console exporter prints one indented JSON object per span."""
    objects, current = [], []
    for line in text.splitlines():
        current.append(line)
        if line == "}":
            objects.append("\n".join(current))
            current = []
    return objects


def test_calls_outside_any_trace_are_dropped_the_others_kept() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import SpanKind

    from imas_runtime.telemetry import DEFAULT_SAMPLER, WithoutOrphanCalls

    tracer = TracerProvider(sampler=WithoutOrphanCalls(DEFAULT_SAMPLER)).get_tracer("t")
    # A background loop's poll: a query that belongs to no alert, request or message.
    with tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT) as orphan:
        assert not orphan.is_recording()
    consume = tracer.start_as_current_span("consume", kind=SpanKind.CONSUMER)
    with consume, tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT) as call:
        assert call.is_recording()
    with tracer.start_as_current_span("storm flush") as root:
        assert root.is_recording()
