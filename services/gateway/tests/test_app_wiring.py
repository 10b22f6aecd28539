"""The gateway is built the way the Litestar release it runs on asks: a parameter or a
dependency declared in a style Litestar deprecates fails here, before it breaks on an upgrade."""

from __future__ import annotations

import warnings

import pytest

from imas_gateway.app import create_app
from imas_gateway.settings import GatewaySettings

pytestmark = pytest.mark.unit


def test_every_route_declares_its_parameters_the_current_way() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = create_app(GatewaySettings(service="gateway"))

    # LitestarDeprecationWarning is one of them.
    deprecated = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert deprecated == []
    assert app.route_handler_method_map, "the gateway serves no route"
