"""The dashboard's login form as a browser fills it: its CSRF token, then the session cookie."""

from __future__ import annotations

import re

import httpx

__all__ = ["form_csrf", "sign_in"]


def form_csrf(html: str) -> str:
    """The CSRF token of the (first) form of a dashboard page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """The login form, filled in and posted; the answer is the gateway's (303 when signed in)."""
    form = await client.get("/login")
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form_csrf(form.text)},
    )
