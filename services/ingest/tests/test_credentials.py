"""Signature known-answer tests: valid, one byte changed, stale timestamp; secrets at rest."""

from __future__ import annotations

import pytest

from imas_ingest import credentials
from imas_ingest.credentials import BadCredentials
from imas_runtime.secrets_box import SecretBox

pytestmark = pytest.mark.unit

SENTRY_KEY = "sentry-client-secret"
SENTRY_BODY = b'{"action":"triggered"}'
SENTRY_SIGNATURE = "2a8a14366488082beadb8f28d6ce93e74ac35a27ab3f272b667e232c6239d38d"
CUSTOM_KEY = "custom-key"
CUSTOM_BODY = b'{"title":"x"}'
CUSTOM_HEADER = "t=1770316200,v1=9346488fb2e7ccce96cf0ac1bf56dc16101744fbb91aa22dd9715fe9ca4115fd"
NOW = 1770316200.0


def test_sentry_known_answer_is_accepted() -> None:
    # Refusals raise BadCredentials; the known answer must pass through silently.
    assert (
        credentials.verify_sentry(SENTRY_KEY, SENTRY_BODY, SENTRY_SIGNATURE, "1770316200", NOW + 10)
        is None
    )


def test_sentry_one_byte_changed_is_refused() -> None:
    with pytest.raises(BadCredentials, match="does not match"):
        credentials.verify_sentry(
            SENTRY_KEY, SENTRY_BODY.replace(b"t", b"T", 1), SENTRY_SIGNATURE, "1770316200", NOW
        )
    with pytest.raises(BadCredentials, match="does not match"):
        credentials.verify_sentry(
            SENTRY_KEY, SENTRY_BODY, "3" + SENTRY_SIGNATURE[1:], "1770316200", NOW
        )


def test_sentry_stale_timestamp_is_refused() -> None:
    with pytest.raises(BadCredentials, match="stale"):
        credentials.verify_sentry(
            SENTRY_KEY, SENTRY_BODY, SENTRY_SIGNATURE, "1770316200", NOW + 301
        )


def test_custom_known_answer_and_signing_agree() -> None:
    assert credentials.sign_custom(CUSTOM_KEY, CUSTOM_BODY, 1770316200) == CUSTOM_HEADER
    credentials.verify_custom(CUSTOM_KEY, CUSTOM_BODY, CUSTOM_HEADER, NOW)


def test_custom_one_byte_changed_or_stale_is_refused() -> None:
    with pytest.raises(BadCredentials, match="does not match"):
        credentials.verify_custom(CUSTOM_KEY, b'{"title":"y"}', CUSTOM_HEADER, NOW)
    with pytest.raises(BadCredentials, match="stale"):
        credentials.verify_custom(CUSTOM_KEY, CUSTOM_BODY, CUSTOM_HEADER, NOW - 3600)
    # Re-stamping a captured request breaks the signature: the timestamp is signed.
    forged = CUSTOM_HEADER.replace("t=1770316200", "t=1770319800")
    with pytest.raises(BadCredentials, match="does not match"):
        credentials.verify_custom(CUSTOM_KEY, CUSTOM_BODY, forged, NOW + 3600)


def test_secrets_are_encrypted_at_rest_and_need_the_key() -> None:
    box = SecretBox("imas-development-secret-key-change-me")
    secret = credentials.new_secret()
    stored = credentials.encrypt(box, secret)
    assert secret.encode() not in stored
    assert credentials.decrypt(box, stored) == secret
    with pytest.raises(BadCredentials):
        credentials.decrypt(SecretBox("another key"), stored)
    assert len(secret) == 32


def test_a_rotated_key_still_reads_secrets_sealed_under_the_previous_one() -> None:
    secret = credentials.new_secret()
    stored = credentials.encrypt(SecretBox("old key"), secret)
    rotated = SecretBox("new key", ["old key"])
    assert credentials.decrypt(rotated, stored) == secret
    # New secrets are sealed under the new key only: the old key alone cannot read them.
    fresh = credentials.encrypt(rotated, secret)
    assert credentials.decrypt(SecretBox("new key"), fresh) == secret
    with pytest.raises(BadCredentials):
        credentials.decrypt(SecretBox("old key"), fresh)
