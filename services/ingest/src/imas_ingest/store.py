"""The only module of the ingest service that writes SQL."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from imas_ingest.models import alerts


async def record_alert(conn: AsyncConnection, values: dict[str, Any]) -> uuid.UUID:
    alert_id = uuid.uuid4()
    await conn.execute(alerts.insert().values(id=alert_id, **values))
    return alert_id
