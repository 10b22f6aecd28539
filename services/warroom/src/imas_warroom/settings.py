"""Settings of the warroom service (``WARROOM_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class WarroomSettings(RuntimeSettings, kw_only=True):
    port: int = 8105


def from_env() -> WarroomSettings:
    return load_settings(WarroomSettings, service="warroom")
