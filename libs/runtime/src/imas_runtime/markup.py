"""Text that came from outside (alert titles, service names, comments) made inert in chat.

A monitoring tool, or anyone who can send an alert, chooses an incident's title. Put verbatim
into a chat message it could ping a whole workspace (``<!channel>``, ``@everyone``), mention
someone (``<@U123>``, ``<@&role>``), or hide a link behind harmless words
(``<http://evil|Runbook>``, ``[Runbook](http://evil)``). These functions escape such text for
the markup of each platform; what IMAS itself writes around it (its own links, bold labels)
stays markup.
"""

from __future__ import annotations

import re

_SLACK = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Every character Markdown (Discord's, Teams') gives a meaning to, escaped with a backslash.
_MARKDOWN = re.compile(r"([\\*_~`|<>\[\]()])")
# Headings and list items: only at the start of a line.
_LINE_START = re.compile(r"^(\s*)([#\-])", re.MULTILINE)
_DISCORD_MENTION = re.compile(r"@(?=everyone|here|[!&]?\d)", re.IGNORECASE)
_ZERO_WIDTH_SPACE = "\u200b"


def slack_text(text: str) -> str:
    """``text`` for a Slack ``mrkdwn`` field or a message's ``text``: ``&``, ``<`` and ``>``
    escaped as Slack documents, so no ``<!channel>``, ``<@U…>`` or ``<url|label>`` link can
    come from it. (``plain_text`` fields need no escaping: Slack shows them as they are.)"""
    return text.translate(_SLACK)


def markdown_text(text: str) -> str:
    """``text`` for Markdown (Microsoft Teams cards): every character with a meaning escaped
    with a backslash, so no masked link (``[Runbook](http://evil)``), heading or list."""
    return _LINE_START.sub(r"\1\\\2", _MARKDOWN.sub(r"\\\1", text))


def discord_text(text: str) -> str:
    """``text`` for Discord markdown (message content, embed descriptions and field values):
    markdown characters escaped (no masked link, heading or formatting), and ``@everyone``,
    ``@here`` and ``@<id>`` broken by a zero-width space. Messages also carry
    ``allowed_mentions: {"parse": []}``, so that nothing pings even if text slips through."""
    return _DISCORD_MENTION.sub("@" + _ZERO_WIDTH_SPACE, markdown_text(text))


DISCORD_NO_MENTIONS: dict[str, list[str]] = {"parse": []}
"""Discord's ``allowed_mentions`` that lets no message ping anyone."""
