"""``make bench``: run every benchmark in turn (each prints its table and writes its JSON), then
fail when a ratio to Alertmanager fell more than 20% below the one recorded.

uv run python -m bench            # all of them
uv run python -m bench memory     # only those named

The recorded ratios are those of the committed ``bench/results/*.json`` (the files as they
were before the run when there is no commit to read them from).
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HELPERS = {"common", "load"}
HERE = Path(__file__).parent
RESULTS = HERE / "results"
# How far below its recorded value a ratio may fall before the run fails.
TOLERANCE = 0.2


def benchmarks() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(HERE)])
        if not m.name.startswith("_") and m.name not in HELPERS
    )


def regressions(
    recorded: dict[str, float], measured: dict[str, float], tolerance: float = TOLERANCE
) -> list[str]:
    """The ratios measured more than ``tolerance`` below their recorded value, one sentence
    each. A ratio not measured this time, or never recorded, is none."""
    return [
        f"{name}: {measured[name]:.3f}, more than {tolerance:.0%} below the recorded {was:.3f}"
        for name, was in sorted(recorded.items())
        if name in measured and measured[name] < was * (1 - tolerance)
    ]


def ratios_of(result: dict[str, Any]) -> dict[str, float]:
    """``<benchmark>:<measure>`` → ratio, of a result that has ratios."""
    name = result.get("benchmark", "")
    return {f"{name}:{k}": float(v) for k, v in result.get("ratios", {}).items()}


def committed_ratios() -> dict[str, float]:
    found: dict[str, float] = {}
    for path in sorted(RESULTS.glob("*.json")):
        shown = subprocess.run(
            ["git", "show", f"HEAD:./{path.name}"],
            cwd=RESULTS,
            capture_output=True,
            text=True,
            check=False,
        )
        text = shown.stdout if shown.returncode == 0 else path.read_text()
        found.update(ratios_of(json.loads(text)))
    return found


def measured_ratios() -> dict[str, float]:
    found: dict[str, float] = {}
    for path in sorted(RESULTS.glob("*.json")):
        found.update(ratios_of(json.loads(path.read_text())))
    return found


def main(names: list[str]) -> int:
    chosen = names or benchmarks()
    unknown = sorted(set(chosen) - set(benchmarks()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benchmarks())}")
        return 2
    recorded = committed_ratios()
    failed = []
    for name in chosen:
        print(f"\n=== {name}", flush=True)
        if subprocess.call([sys.executable, "-m", f"bench.{name}"]) != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    fallen = regressions(recorded, measured_ratios())
    for line in fallen:
        print(f"regression: {line}")
    return 1 if failed or fallen else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
