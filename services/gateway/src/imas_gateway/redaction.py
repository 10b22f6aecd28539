"""Secrets taken out of what the audit log keeps, wherever they are: the values of fields
named like credentials at any depth, URLs (their user info, every query value, the path of
webhook URLs that are secrets themselves), query strings, and API tokens written anywhere in
text. Pure, and total: any JSON value comes out storable in PostgreSQL, never an exception.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

REDACTED = "[redacted]"
TOO_DEEP = "[nested too deep]"
# Deeper than the input guard lets any body be (GATEWAY_MAX_JSON_DEPTH): what is below is
# cut, so that walking a value never runs out of stack.
MAX_DEPTH = 100
# Field and parameter names whose values are credentials: never stored.
SECRET_NAME = re.compile(
    r"pass(word)?|secret|token|signature|authori[sz]ation|credential|api_?key|routing_key|"
    r"private|cookie|auth_token",
    re.IGNORECASE,
)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
# IMAS API tokens and Slack tokens, in any text.
_TOKEN = re.compile(r"\bimas_[A-Za-z0-9_-]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}")
# Hosts whose webhook URLs carry their secret in the path (Slack, Discord, Teams).
_SECRET_PATH_HOST = re.compile(
    r"^(hooks\.slack\.com|(.+\.)?discord(app)?\.com|.+\.webhook\.office\.com|"
    r"outlook\.office(365)?\.com)$",
    re.IGNORECASE,
)


def storable(text: str) -> str:
    """Text PostgreSQL can hold: NUL characters and lone surrogates (which no UTF-8 can
    carry) become U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def redact_url(url: str) -> str:
    """``url`` without its credentials: user info, every query value, the fragment, and the
    path of a webhook URL that is a secret itself."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    path = parts.path
    if _SECRET_PATH_HOST.match(host) and path.strip("/"):
        path = "/" + REDACTED
    query = "&".join(f"{k}={REDACTED}" for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def redact_text(text: str) -> str:
    """``text`` with the URLs in it redacted and any API token replaced (and storable)."""
    if "://" in text:
        text = _URL.sub(lambda found: redact_url(found.group(0)), text)
    if "imas_" in text or "xox" in text:
        text = _TOKEN.sub(REDACTED, text)
    return storable(text)


def redact(value: Any, depth: int = 0) -> Any:
    """``value`` (decoded JSON) with every credential-looking field's value replaced by
    ``[redacted]``, every text redacted (:func:`redact_text`), numbers JSON cannot hold as
    text, and anything deeper than :data:`MAX_DEPTH` cut."""
    if depth > MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return {
            redact_text(k): REDACTED if SECRET_NAME.search(k) else redact(v, depth + 1)
            for k, v in value.items()
            if isinstance(k, str)
        }
    if isinstance(value, list):
        return [redact(v, depth + 1) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def redact_query(query_string: bytes) -> str:
    """A request's query string as the audit log keeps it: values of parameters named like
    credentials replaced, the others redacted as text."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return storable(
        "&".join(
            f"{redact_text(k)}={REDACTED if SECRET_NAME.search(k) else redact_text(v)}"
            for k, v in pairs
        )
    )
