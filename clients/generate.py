"""Writes the API's OpenAPI document and the Python client generated from it, or checks that
the committed ones are what the code makes (``--check``, as the tests and CI do).

    python clients/generate.py           # rewrite docs/api/openapi.json and clients/python
    python clients/generate.py --check   # exit 1, naming what drifted, when they are stale

The document comes from the gateway's own app (the one ``/api/schema/`` serves), without any
server; the client from ``openapi-python-client`` (pinned in the dev dependencies) and this
repository's pinned ``ruff``, so both are the same bytes on every machine.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = REPO / "docs" / "api" / "openapi.json"
CLIENT = REPO / "clients" / "python"
PACKAGE = CLIENT / "imas_client"
CONFIG = REPO / "clients" / "openapi-python-client.yaml"


def openapi_document() -> str:
    """The gateway's OpenAPI document as committed: keys sorted, two-space indents."""
    from imas_gateway.api.docs import openapi_document as served
    from imas_gateway.app import create_app
    from imas_gateway.settings import GatewaySettings

    schema = served(create_app(GatewaySettings(service="gateway")))
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _run(*args: str | Path) -> None:
    done = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stdout}{done.stderr}")


def generate_client(document: Path, package: Path) -> None:
    """The client package of ``document``, written (anew) at ``package``."""
    if package.exists():
        shutil.rmtree(package)
    _run(
        "-m", "openapi_python_client", "generate",
        "--path", document,
        "--output-path", package,
        "--config", CONFIG,
        "--meta", "none",
    )  # fmt: skip
    _run(
        "-m",
        "ruff",
        "check",
        "--fix-only",
        "--quiet",
        "--config",
        CLIENT / "pyproject.toml",
        package,
    )
    _run("-m", "ruff", "format", "--quiet", "--config", CLIENT / "pyproject.toml", package)


def _differences(left: Path, right: Path) -> list[str]:
    compared = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [f"{p} only in the committed client" for p in compared.left_only]
    found += [f"{p} only in the generated client" for p in compared.right_only]
    found += [f"{p} differs" for p in compared.diff_files + compared.funny_files]
    for name, sub in compared.subdirs.items():
        found += [f"{name}/{d}" for d in _differences(Path(sub.left), Path(sub.right))]
    return found


def check() -> list[str]:
    """What drifted: the document from the app, the client from the document."""
    stale = []
    if not DOCUMENT.exists() or DOCUMENT.read_text() != openapi_document():
        stale.append(f"{DOCUMENT.relative_to(REPO)} is not what the gateway serves")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "imas_client"
        generate_client(DOCUMENT, fresh)
        stale += [
            f"{PACKAGE.relative_to(REPO)}/{d}"
            for d in (_differences(PACKAGE, fresh) if PACKAGE.exists() else ["(missing)"])
        ]
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; change nothing")
    args = parser.parse_args(argv)
    if args.check:
        stale = check()
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print("run `make openapi` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    DOCUMENT.write_text(openapi_document())
    generate_client(DOCUMENT, PACKAGE)
    print(f"wrote {DOCUMENT.relative_to(REPO)} and {PACKAGE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
