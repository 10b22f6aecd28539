"""Request/reply endpoints of the incidents service: decode, call a use case, reply."""

from __future__ import annotations

from imas_contracts.incidents import ApplyCatalog, GetIncident, OpenOrAttach
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.rpc import Endpoint


def endpoints(usecases: IncidentUseCases) -> list[Endpoint]:
    """``incidents.open_or_attach.v1`` is safe to retry only with a dedup key (it counts)."""
    return [
        Endpoint(OpenOrAttach, usecases.open_or_attach),
        Endpoint(GetIncident, usecases.get),
        Endpoint(ApplyCatalog, usecases.apply_catalog),
    ]
