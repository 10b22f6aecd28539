from __future__ import annotations

import msgspec
import pytest

from imas_runtime.settings import RuntimeSettings, load_settings

pytestmark = pytest.mark.unit


class NotifierLike(RuntimeSettings, kw_only=True):
    port: int = 8103
    retry_interval: float = 2.0


def test_service_variable_wins_over_shared_one() -> None:
    env = {"IMAS_NATS_URL": "nats://shared:4222", "NOTIFIER_NATS_URL": "nats://own:4222"}
    settings = load_settings(NotifierLike, service="notifier", env=env)
    assert settings.nats_url == "nats://own:4222"


def test_values_are_converted_from_strings() -> None:
    env = {"NOTIFIER_PORT": "9103", "IMAS_RETRY_INTERVAL": "0.5"}
    settings = load_settings(NotifierLike, service="notifier", env=env)
    assert settings.port == 9103
    assert settings.retry_interval == 0.5


def test_shared_port_does_not_move_every_service() -> None:
    settings = load_settings(NotifierLike, service="notifier", env={"IMAS_PORT": "9000"})
    assert settings.port == 8103


def test_each_service_gets_its_own_database_by_default() -> None:
    settings = load_settings(NotifierLike, service="notifier", env={})
    assert settings.database_name == "imas_notifier"
    named = load_settings(NotifierLike, service="notifier", env={"NOTIFIER_DATABASE": "x"})
    assert named.database_name == "x"


def test_bad_value_names_the_field() -> None:
    with pytest.raises(msgspec.ValidationError, match="port"):
        load_settings(NotifierLike, service="notifier", env={"NOTIFIER_PORT": "eighty"})
