"""Tables of the escalation service (its own records arrive with its capabilities)."""

from __future__ import annotations

from sqlalchemy import MetaData

from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
