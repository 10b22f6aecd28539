"""Profile the mesh with py-spy while wrk sends a storm (one repeated problem) to IMAS's
Alertmanager webhook: raw collapsed stacks of the gateway and ingest in ``--out``.

    uv run python -m bench._profile_storm [--seconds 20] [--out /tmp/profile]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import uuid
from pathlib import Path

from bench._ingest import create_integration
from bench.alertmanager_compare import IMAS_WEBHOOK_BODY, run_wrk
from bench.common import running_mesh

PROFILED = ("gateway", "ingest")


async def main(seconds: float, out: Path) -> None:
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    spy = shutil.which("py-spy") or "py-spy"
    async with running_mesh(("incidents", "ingest", "notifier", "gateway")) as mesh:
        integration = await create_integration(
            mesh, "alertmanager", "redis-prod", rate_limit=1_000_000, rate_burst=10_000_000
        )
        query = integration["webhook_url"].split("?", 1)[1]
        url = f"{mesh.gateway}/api/v1/webhooks/alertmanager/?{query}"
        spies = [
            await asyncio.create_subprocess_exec(
                spy,
                "record",
                "--nonblocking",
                "-r",
                "200",
                "-f",
                "raw",
                "-d",
                f"{seconds - 4:g}",
                "-p",
                str(mesh.processes[name].pid),
                "-o",
                str(out / f"{name}.txt"),
            )
            for name in PROFILED
        ]
        result = await run_wrk(url, {}, IMAS_WEBHOOK_BODY, 0, uuid.uuid4().hex[:8], seconds)
        print(result)
        for proc in spies:
            await proc.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--out", type=Path, default=Path("/tmp/imas-profile"))
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.out))
