"""Request/reply endpoints of the ingest service."""

from __future__ import annotations

from imas_contracts.ingest import SubmitAlert
from imas_ingest.usecases import IngestUseCases
from imas_runtime.rpc import Endpoint


def endpoints(usecases: IngestUseCases) -> list[Endpoint]:
    """``ingest.submit.v1``: each call counts one occurrence, so callers do not blindly retry."""
    return [Endpoint(SubmitAlert, usecases.submit)]
