"""Access pages: users (who signs in, and their role) and API tokens (shown once, revoked at
once). Admins only, as in the API."""

from __future__ import annotations

from imas_gateway.auth.users import USER_ROLES
from imas_gateway.domain import ROLES
from imas_gateway.ui.admin.fields import Field
from imas_gateway.ui.admin.resource import Column, Resource, lines, moment, text, yes_no

GROUP = "Access"
DEFAULT_TOKEN_DAYS = "90"

USERS = Resource(
    slug="users",
    title="Users",
    noun="user",
    api="/api/v1/users/",
    group=GROUP,
    blurb="Who signs in to the dashboard, and what their role lets them do: viewers read, "
    "operators acknowledge, responders run incidents, managers configure, admins do it all.",
    update="PATCH",
    label=lambda u: str(u.get("username", "")),
    fields=(
        Field("username", "Username", create_only=True),
        Field(
            "password",
            "Password",
            kind="password",
            help="At least 8 characters; when changing a user, empty keeps theirs.",
        ),
        Field(
            "role",
            "Role",
            kind="select",
            choices=tuple((r, r) for r in USER_ROLES),
            initial="viewer",
        ),
        Field("full_name", "Full name", blank=""),
        Field("email", "E-mail", kind="email", blank=""),
        Field("active", "Active", kind="bool", initial=True, help="Inactive users cannot sign in."),
    ),
    columns=(
        text("username", "Username"),
        Column("Name", lambda u, _: lines(u.get("full_name") or "—", u.get("email") or "")),
        text("role", "Role"),
        yes_no("active", "Active"),
        moment("last_login_at", "Last sign-in"),
    ),
)

TOKENS = Resource(
    slug="tokens",
    title="API tokens",
    noun="API token",
    api="/api/v1/tokens/",
    group=GROUP,
    blurb="For scripts, CI jobs and monitoring tools. A token is shown once, when it is "
    "created; revoking it stops it at once.",
    update="",
    delete="Revoke",
    fields=(
        Field("name", "Name"),
        Field(
            "role", "Role", kind="select", choices=tuple((r, r) for r in ROLES), initial="viewer"
        ),
        Field("expires_in_days", "Expires in (days)", kind="int", initial=DEFAULT_TOKEN_DAYS),
        Field(
            "scopes",
            "Limited to",
            kind="lines",
            help="Route tags, one per line (incidents, alerts…); none: all its role allows.",
        ),
        Field(
            "rate_limit", "Rate limit (requests per window)", kind="int", help="Empty: the default."
        ),
        Field("rate_window", "Window (seconds)", kind="number"),
    ),
    columns=(
        text("name", "Token"),
        text("role", "Role"),
        Column("Starts with", lambda t, _: f"{t.get('prefix', '')}…"),
        Column(
            "Created",
            lambda t, _: lines(
                moment("created_at", "").show(t, _), f"by {t.get('created_by') or '—'}"
            ),
        ),
        moment("expires_at", "Expires", empty="never"),
        moment("last_used_at", "Last used"),
    ),
    shown_once=(("token", "Token"),),
)

RESOURCES = (USERS, TOKENS)
