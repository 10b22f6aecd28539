"""Reading the secrets a configuration file references (``{from_env: NAME}``,
``{from_file: PATH}``): the only place their values exist on the applying side. They go into
request bodies and nowhere else: never printed, never exported."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from imas_cli.config.kind import SecretRef


def where(ref: SecretRef) -> str:
    """How a reference is named in messages: ``$NAME`` or ``file PATH``."""
    return f"${ref.from_env}" if ref.from_env else f"file {ref.from_file}"


def resolve(ref: SecretRef, base: Path, env: Mapping[str, str]) -> str | None:
    """The secret's value; None when the variable is unset or empty, or the file unreadable
    or empty. A relative file path starts at ``base`` (the folder of the YAML file)."""
    if ref.from_env:
        return env.get(ref.from_env) or None
    path = Path(ref.from_file).expanduser()
    try:
        value = (path if path.is_absolute() else base / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return value.rstrip("\r\n") or None
