"""OpenTelemetry: one tracer provider per process, trace context carried in NATS headers.

Tracing is off (no SDK, nothing recorded, the hot paths skip span work) unless an exporter is
asked for: ``OTEL_TRACES_EXPORTER`` (``otlp``, ``console``, several comma-separated; ``none``
turns it off) or an OTLP endpoint (``OTEL_EXPORTER_OTLP_ENDPOINT`` or its ``_TRACES_`` form,
which mean ``otlp``); ``OTEL_SDK_DISABLED=true`` turns it off whatever else is set. Everything
else is read by the OpenTelemetry SDK's own configurator, as any OpenTelemetry program reads
it: ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES`` (``imas-<service>`` when neither
names the service), ``OTEL_EXPORTER_OTLP_PROTOCOL`` (``grpc``, ``http/protobuf``),
``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``_HEADERS`` / ``_TIMEOUT`` / ``_CERTIFICATE`` and their
``_TRACES_`` forms, ``OTEL_TRACES_SAMPLER`` / ``_ARG``, ``OTEL_BSP_*``.

With tracing on, asyncpg queries, Redis commands and httpx calls get spans of their own.
Tests install their own provider with an in-memory exporter (and call
:func:`instrument_libraries`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import SERVICE_NAME, OTELResourceDetector
from opentelemetry.sdk.trace import TracerProvider, sampling
from opentelemetry.trace import Link, Span, SpanKind, TraceState
from opentelemetry.util.types import Attributes

SERVICE_ATTRIBUTE = "imas.service"
# A span keeps this many links (the SDK's default limit is 128): a batch of 500 messages
# links to its first 128.
MAX_LINKS = 128
TRACEPARENT = "traceparent"


def tracing_requested(env: Mapping[str, str] | None = None) -> bool:
    """Whether the environment asks for traces to be exported (see the module)."""
    env = os.environ if env is None else env
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
        or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    )


def configure_tracing(service: str, env: Mapping[str, str] | None = None) -> bool:
    """Install the SDK as the environment asks (see the module); answers whether tracing is
    on. Does nothing when a provider is installed already (tests, or a second service in the
    same process)."""
    env = os.environ if env is None else env
    if not tracing_requested(env):
        return False
    if tracing_active():
        return True
    from opentelemetry.sdk._configuration import (
        _get_exporter_entry_point,
        _get_sampler,
        _import_sampler,
        _OTelSDKConfigurator,
    )

    # An endpoint alone means the default exporter, OTLP (whose protocol the SDK picks from
    # OTEL_EXPORTER_OTLP_PROTOCOL); OTEL_TRACES_EXPORTER, when set, is read by the SDK.
    implied = (
        [] if env.get("OTEL_TRACES_EXPORTER") else [_get_exporter_entry_point("otlp", "traces")]
    )
    _OTelSDKConfigurator().configure(  # type: ignore[no-untyped-call]  # not annotated
        trace_exporter_names=implied,
        resource_attributes=default_resource(service),
        # The sampler OTEL_TRACES_SAMPLER names (as the SDK reads it), minus orphan calls.
        sampler=WithoutOrphanCalls(_import_sampler(_get_sampler()) or DEFAULT_SAMPLER),
    )
    instrument_libraries()
    return True


DEFAULT_SAMPLER = sampling.ParentBased(sampling.ALWAYS_ON)


class WithoutOrphanCalls(sampling.Sampler):
    """Drops the spans of database, Redis and HTTP calls that belong to no trace, and asks
    ``delegate`` about every other span.

    Background loops poll (the outbox relay twice a second, schedulers, watchers): with the
    libraries instrumented, each of their queries would otherwise be a trace of its own, a
    flood that tells nothing. A call made for an alert, a request or a message is inside
    that work's span and is kept."""

    def __init__(self, delegate: sampling.Sampler) -> None:
        self.delegate = delegate

    def should_sample(
        self,
        parent_context: context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> sampling.SamplingResult:
        if (
            kind == SpanKind.CLIENT
            and not trace.get_current_span(parent_context).get_span_context().is_valid
        ):
            return sampling.SamplingResult(sampling.Decision.DROP)
        return self.delegate.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"WithoutOrphanCalls{{{self.delegate.get_description()}}}"


def default_resource(service: str) -> dict[str, str]:
    """What the resource says unless ``OTEL_SERVICE_NAME`` or ``OTEL_RESOURCE_ATTRIBUTES``
    says otherwise: the variables win (the SDK gives attributes passed in code the last word)."""
    given = OTELResourceDetector().detect().attributes
    defaults = {
        SERVICE_NAME: f"imas-{service}",
        "service.namespace": "imas",
        "service.version": imas_version(),
    }
    return {k: v for k, v in defaults.items() if k not in given}


def imas_version() -> str:
    try:
        return metadata.version("imas-runtime")
    except metadata.PackageNotFoundError:
        return "unknown"


def instrument_libraries() -> None:
    """Spans for asyncpg queries, Redis commands and httpx requests (idempotent). Only with
    tracing on: instrumented libraries pay for it on every call."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    asyncpg = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]  # not annotated
    for instrumentor in (asyncpg, RedisInstrumentor(), HTTPXClientInstrumentor()):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()


def inject_headers(headers: dict[str, str] | None = None) -> dict[str, str]:
    """The current trace context as NATS headers (``traceparent``, ``tracestate``)."""
    carrier: dict[str, str] = dict(headers or {})
    propagate.inject(carrier)
    return carrier


def tracing_active() -> bool:
    """Whether spans are recorded in this process (an SDK provider is installed).

    Asked on every hot path, so it reads the installed provider directly: the public
    ``get_tracer_provider()`` looks the environment up each time until one is installed,
    which cost more than the rest of a no-op span."""
    return isinstance(trace._TRACER_PROVIDER, TracerProvider)


@contextmanager
def span_from_headers(
    service: str, name: str, headers: Mapping[str, str] | None, kind: SpanKind
) -> Iterator[Span]:
    """A span that continues the trace whose context arrived in ``headers``.

    With tracing off and no trace to continue there is nothing to record or pass on, so the
    hot paths skip the context work entirely (it cost a tenth of the gateway's CPU per request).
    """
    if not tracing_active() and not (headers and TRACEPARENT in headers):
        yield trace.INVALID_SPAN
        return
    parent = propagate.extract(dict(headers or {}))
    token = context.attach(parent)
    try:
        with trace.get_tracer("imas").start_as_current_span(
            name, kind=kind, attributes={SERVICE_ATTRIBUTE: service}
        ) as span:
            yield span
    finally:
        context.detach(token)


def current_traceparent() -> str:
    """The current span's context as a ``traceparent`` value, to keep beside work that is done
    later (a count waiting in Redis, a page waiting in the database); empty when tracing is
    off or no span is current."""
    if not tracing_active():
        return ""
    return inject_headers().get(TRACEPARENT, "")


def links_to(carriers: Iterable[Mapping[str, str] | None]) -> list[Link]:
    """Links to the traces whose context each carrier (message headers, ``{"traceparent":
    ...}``) holds, each once, at most :data:`MAX_LINKS`."""
    links: list[Link] = []
    seen: set[tuple[int, int]] = set()
    for carrier in carriers:
        if not carrier or TRACEPARENT not in carrier:
            continue
        found = trace.get_current_span(propagate.extract(dict(carrier))).get_span_context()
        key = (found.trace_id, found.span_id)
        if found.is_valid and key not in seen:
            seen.add(key)
            links.append(Link(found))
            if len(links) >= MAX_LINKS:
                break
    return links


@contextmanager
def batch_span(
    service: str,
    name: str,
    carriers: Iterable[Mapping[str, str] | None],
    kind: SpanKind = SpanKind.CONSUMER,
) -> Iterator[Span]:
    """A span of its own trace for work done on many messages at once, linked to each
    message's trace (a batch has many parents, which only links can say). Nothing at all
    when tracing is off."""
    if not tracing_active():
        yield trace.INVALID_SPAN
        return
    with trace.get_tracer("imas").start_as_current_span(
        name,
        context=context.Context(),
        kind=kind,
        links=links_to(carriers),
        attributes={SERVICE_ATTRIBUTE: service},
    ) as current:
        yield current


@contextmanager
def span_in(
    service: str, name: str, traceparent: str, kind: SpanKind = SpanKind.INTERNAL
) -> Iterator[Span]:
    """A span in the trace of ``traceparent`` (see :func:`current_traceparent`): work done
    later for a message, in that message's trace; without one, a child of the current span.
    Nothing when tracing is off."""
    if not tracing_active():
        yield trace.INVALID_SPAN
        return
    if not traceparent:
        with span(service, name, kind) as current:
            yield current
        return
    with span_from_headers(service, name, {TRACEPARENT: traceparent}, kind) as current:
        yield current


@contextmanager
def span(service: str, name: str, kind: SpanKind = SpanKind.INTERNAL) -> Iterator[Span]:
    """A child span of the current one, tagged with the service that made it; nothing when
    tracing is off (a no-op span still costs some 15 µs of CPU)."""
    if not tracing_active():
        yield trace.INVALID_SPAN
        return
    with trace.get_tracer("imas").start_as_current_span(
        name, kind=kind, attributes={SERVICE_ATTRIBUTE: service}
    ) as current:
        yield current
