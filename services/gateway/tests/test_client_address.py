"""Who is calling, behind proxies: the address the sign-in throttle counts failures for."""

from __future__ import annotations

import pytest

from imas_gateway.auth.throttle import client_address, networks

pytestmark = pytest.mark.unit

TRUSTED = networks("127.0.0.0/8,10.0.0.0/8")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # Straight from the client: the peer, whatever the client wrote in the header.
        ("203.0.113.9", "192.0.2.1", "203.0.113.9"),
        # Behind the proxy: who the proxy says called it.
        ("10.1.2.3", "203.0.113.9", "203.0.113.9"),
        # The client's own entries (left) prove nothing: the nearest untrusted hop counts.
        ("10.1.2.3", "192.0.2.1, 198.51.100.4, 10.0.0.8", "198.51.100.4"),
        # Nothing but proxies: the first of them.
        ("127.0.0.1", "10.0.0.8", "10.0.0.8"),
        ("127.0.0.1", "", "127.0.0.1"),
        # A header that is no address is counted as what it says, cut short.
        ("10.1.2.3", "unknown", "unknown"),
        ("10.1.2.3", " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_is_the_nearest_address_that_is_not_a_trusted_proxy(
    peer: str, forwarded: str, expected: str
) -> None:
    assert client_address(peer, forwarded, TRUSTED) == expected


def test_a_trusted_proxy_that_is_no_cidr_is_named() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is no CIDR"):
        networks("127.0.0.0/8, 10.0.0.0/33")
