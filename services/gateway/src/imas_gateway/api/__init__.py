"""The public HTTP API, one module per first segment of the URL (``/api/v1/<segment>/``):
``/api/v1/escalation-policies/`` is ``escalation_policies``, ``/api/v1/incidents/{id}/...`` is
the ``incidents`` package. ``catalog`` holds what teams, services, scopes and people share;
``tokens`` serves ``/api/v1/tokens/`` and ``/api/token/``; ``docs`` the documentation
(``/api/docs/``, ``/api/redoc/``, ``/api/static/``).

What other platforms call is in ``imas_gateway.inbound`` (alert webhooks, chat callbacks), the
dashboard in ``imas_gateway.ui``; ``create_app`` wires them all.
"""
