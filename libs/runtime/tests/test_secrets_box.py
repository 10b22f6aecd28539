"""Secrets at rest: refused keys in production, a salted KDF for passphrases, rotation."""

from __future__ import annotations

import base64
import hashlib
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from imas_runtime.secrets_box import DEFAULT_SECRET_KEY, SALTED, SecretBox
from imas_runtime.service import ServiceRuntime
from imas_runtime.settings import RuntimeSettings, UnsafeSettings

pytestmark = pytest.mark.unit

PASSPHRASE = "correct horse battery staple, and then some more words"
SERVICES = ["gateway", "ingest", "incidents", "notifier", "escalation", "warroom"]


def _legacy_seal(passphrase: str, data: bytes) -> bytes:
    """How a value was sealed under a passphrase before salts: the bare SHA-256 as the key."""
    key = base64.urlsafe_b64encode(hashlib.sha256(passphrase.encode()).digest())
    return Fernet(key).encrypt(data)


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "short-but-not-empty", ""])
def test_production_refuses_the_public_default_key_and_short_keys(key: str) -> None:
    settings = RuntimeSettings(env="production", secret_key=key)
    with pytest.raises(UnsafeSettings, match="IMAS_SECRET_KEY"):
        ServiceRuntime(settings, migrations_dir=Path("."))


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_refuses_to_start_in_production_with_the_default_key(service: str) -> None:
    settings_module = importlib.import_module(f"imas_{service}.settings")
    app_module = importlib.import_module(f"imas_{service}.app")
    load = settings_module.from_env
    env = {"IMAS_ENV": "production"}
    saved = {k: os.environ.pop(k, None) for k in ("IMAS_SECRET_KEY", *env)}
    os.environ.update(env)
    try:
        settings = load()
        with pytest.raises(UnsafeSettings, match="built-in development key"):
            app_module.create_app(settings)
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None)
            if v is not None:
                os.environ[k] = v


def test_a_production_process_with_the_default_key_exits_saying_why() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAS_")}
    env["IMAS_ENV"] = "production"
    done = subprocess.run(
        [sys.executable, "-m", "imas_incidents"], env=env, capture_output=True, timeout=120
    )
    assert done.returncode != 0
    assert b"IMAS_SECRET_KEY is the built-in development key" in done.stderr


def test_production_accepts_a_fernet_key_and_a_long_passphrase() -> None:
    for key in (Fernet.generate_key().decode(), PASSPHRASE):
        ServiceRuntime(RuntimeSettings(env="production", secret_key=key), migrations_dir=Path("."))


def test_a_passphrase_is_stretched_with_a_salt_not_a_bare_hash() -> None:
    one, two = SecretBox(PASSPHRASE), SecretBox(PASSPHRASE)
    sealed = one.encrypt(b"xoxb-token")
    assert sealed.startswith(SALTED)
    assert b"xoxb-token" not in sealed
    # Each box salts its own way, and any box with the passphrase opens the other's values.
    assert one.encrypt(b"x").split(b"$")[1] != two.encrypt(b"x").split(b"$")[1]
    assert two.decrypt(sealed) == b"xoxb-token"
    # The unsalted derivation of old (a bare SHA-256 of the passphrase) cannot open it.
    legacy_key = base64.urlsafe_b64encode(hashlib.sha256(PASSPHRASE.encode()).digest())
    with pytest.raises(InvalidToken):
        Fernet(legacy_key).decrypt(sealed.split(b"$", 2)[2])
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SecretBox("another passphrase of sufficient length!!").decrypt(sealed)


def test_a_fernet_key_is_used_as_it_is() -> None:
    key = Fernet.generate_key()
    sealed = SecretBox(key.decode()).encrypt(b"secret")
    assert Fernet(key).decrypt(sealed) == b"secret"


def test_values_sealed_before_salts_still_open_and_are_marked_for_resealing() -> None:
    old = _legacy_seal(DEFAULT_SECRET_KEY, b'{"bot_token": "xoxb-1"}')
    box = SecretBox(DEFAULT_SECRET_KEY)
    assert box.open(old) == {"bot_token": "xoxb-1"}
    assert box.stale(old)
    fresh = box.reseal(old)
    assert fresh.startswith(SALTED)
    assert not box.stale(fresh)
    assert box.open(fresh) == {"bot_token": "xoxb-1"}


def test_a_rotation_opens_old_values_and_reseals_them_under_the_new_key() -> None:
    new_key = Fernet.generate_key().decode()
    under_old = SecretBox(PASSPHRASE).seal({"api_token": "t-1"})
    legacy = _legacy_seal(PASSPHRASE, b'{"api_token": "t-0"}')
    rotating = SecretBox(new_key, [PASSPHRASE])
    assert rotating.open(under_old) == {"api_token": "t-1"}
    assert rotating.open(legacy) == {"api_token": "t-0"}
    assert rotating.stale(under_old) and rotating.stale(legacy)
    resealed = [rotating.reseal(under_old), rotating.reseal(legacy)]
    # Once resealed, the old key is no longer needed, and no longer enough.
    after = SecretBox(new_key)
    assert [after.open(v) for v in resealed] == [{"api_token": "t-1"}, {"api_token": "t-0"}]
    assert not any(after.stale(v) for v in resealed)
    with pytest.raises(ValueError):
        SecretBox(PASSPHRASE).open(resealed[0])
