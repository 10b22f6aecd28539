"""``/api/v1/incidents/`` and everything under an incident, one module per part of the URL:

- ``incident``: the list, create, read, edit, acknowledge / mitigate / resolve / reopen, the
  timeline, comments and tags;
- ``lid``: the incident document (``/incidents/{id}/lid``, ``lid.md``, ``.../lid/``, export);
- ``runbook``: the incident's runbook and its steps;
- ``escalation``: the incident's escalation history, and escalating it by hand;
- ``war_room``: adding responders to its war room;
- ``roles``: its commander, scribe, communications... (configured roles);
- ``updates``: status updates to its stakeholders, and who they go to;
- ``deliveries``: the incident's pages and their outcome.
"""

from imas_gateway.api.incidents.deliveries import IncidentDeliveryController
from imas_gateway.api.incidents.escalation import IncidentEscalationController
from imas_gateway.api.incidents.incident import IncidentController
from imas_gateway.api.incidents.lid import DocumentController, IncidentDocumentController
from imas_gateway.api.incidents.roles import IncidentRolesController
from imas_gateway.api.incidents.runbook import IncidentRunbookController
from imas_gateway.api.incidents.updates import IncidentUpdatesController
from imas_gateway.api.incidents.war_room import IncidentWarRoomController

__all__ = [
    "DocumentController",
    "IncidentController",
    "IncidentDeliveryController",
    "IncidentDocumentController",
    "IncidentEscalationController",
    "IncidentRolesController",
    "IncidentRunbookController",
    "IncidentUpdatesController",
    "IncidentWarRoomController",
]
