"""A bare escalation scheduler replica for the two-replica test: ``python replica_worker.py
<database url> <replica name>``. It fires due timers until killed."""

from __future__ import annotations

import asyncio
import sys

from imas_escalation.timers.firing import Firer
from imas_escalation.timers.scheduler import Scheduler
from imas_runtime.db import make_engine


async def main(url: str, replica: str) -> None:
    engine = make_engine(url)
    scheduler = Scheduler(
        engine, Firer(engine, public_url="http://imas.test"), poll=0.05, batch=100, replica=replica
    )
    print("ready", flush=True)
    await scheduler.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
