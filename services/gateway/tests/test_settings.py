from __future__ import annotations

from pathlib import Path

import pytest

from imas_gateway.settings import GatewaySettings, check_settings
from imas_runtime.settings import load_settings

pytestmark = pytest.mark.unit


def test_a_certificate_and_its_key_make_the_public_port_serve_https(tmp_path: Path) -> None:
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    cert.write_text("certificate")
    key.write_text("key")
    env = {"GATEWAY_TLS_CERT_FILE": str(cert), "IMAS_TLS_KEY_FILE": str(key)}
    settings = load_settings(GatewaySettings, service="gateway", env=env)
    check_settings(settings)
    assert settings.server_tls() == {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    assert load_settings(GatewaySettings, service="gateway", env={}).server_tls() == {}


def test_tls_settings_that_cannot_work_are_refused_at_start(tmp_path: Path) -> None:
    cert = tmp_path / "tls.crt"
    cert.write_text("certificate")
    with pytest.raises(ValueError, match="give both or neither"):
        check_settings(GatewaySettings(tls_cert_file=str(cert)))
    with pytest.raises(ValueError, match=r"GATEWAY_TLS_KEY_FILE: no file at .*missing\.key"):
        check_settings(
            GatewaySettings(tls_cert_file=str(cert), tls_key_file=str(tmp_path / "missing.key"))
        )
