"""``make bench``: run every benchmark in turn (each prints its table and writes its JSON).

uv run python -m bench            # all of them
uv run python -m bench memory     # only those named
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

HELPERS = {"common", "load", "rawhttp"}


def benchmarks() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if not m.name.startswith("_") and m.name not in HELPERS
    )


def main(names: list[str]) -> int:
    chosen = names or benchmarks()
    unknown = sorted(set(chosen) - set(benchmarks()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benchmarks())}")
        return 2
    failed = []
    for name in chosen:
        print(f"\n=== {name}", flush=True)
        if subprocess.call([sys.executable, "-m", f"bench.{name}"]) != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
