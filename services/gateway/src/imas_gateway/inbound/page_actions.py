"""Answers to pages from where they arrived (docs/acknowledge-anywhere.md).

- ``POST /api/v1/inbound/twilio/sms``: Twilio's inbound SMS webhook (a reply such as
  ``ack 4821``), answered with Messaging TwiML the person receives as an SMS;
- ``POST /api/v1/inbound/twilio/voice?action=…``: the key pressed in a paging call (Twilio's
  ``<Gather>`` callback), answered with Voice TwiML the call says;
- ``GET /page-actions/{token}``: a signed link of an e-mail shows what it would do (a GET
  never acts: mail scanners open links), ``POST`` does it (the page's form, ntfy's buttons).

The notifier, which holds the vendors' secrets and the page actions, verifies the signature,
the code or the link and says for whom the page was; the gateway, which knows the users, checks
that the role of that person's IMAS user (the active user whose verified e-mail is the
person's) allows the verb, as the dashboard and chat commands would; the notifier then carries
it out once, attributed to that person. A request whose signature does not verify, or that is
not one the vendor sends, is a 4xx problem; what the person got wrong (an unknown or expired
code, a role that does not allow it) is told to them where they are: in an SMS, in the call, on
the page.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from imas_contracts import FieldError
from imas_contracts.notifier import (
    CheckPageAction,
    PageActionCheck,
    PageActionDone,
    PageActionVia,
    PerformPageAction,
)
from imas_gateway.auth.guard import PUBLIC, Role, role
from imas_gateway.auth.users import UserDirectory
from imas_gateway.domain import role_allows
from imas_gateway.http.problems import problem
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_gateway.ui.render import render

# The least role each verb needs, as on the dashboard and in chat.
VERB_ROLES = {"acknowledge": Role.OPERATOR, "resolve": Role.RESPONDER, "escalate": Role.OPERATOR}
VERB_LABELS = {"acknowledge": "Acknowledge", "resolve": "Resolve", "escalate": "Escalate"}
TWIML = "application/xml"
OPT = role(PUBLIC, audit=False, own_errors=True)


def public_url(request: Request) -> str:
    """The URL as the vendor called it (what Twilio signs): the public base URL IMAS is
    reached at, then the path and query received."""
    base = request.gateway.settings.public_url.rstrip("/")
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{base}{request.url.path}" + (f"?{query}" if query else "")


async def form_of(request: Request) -> dict[str, str]:
    """A vendor's form-encoded fields (Twilio sends each once)."""
    return {key: str(value) for key, value in (await request.form()).items()}


async def carry_out(
    users: UserDirectory, mesh: Upstream, check: PageActionCheck, via: PageActionVia
) -> tuple[int, str]:
    """(status, what to tell the person) once the notifier has checked the answer: refused
    when the role of the person paged does not allow the verb, else carried out once."""
    verb = check.verb or "acknowledge"
    found = await users.acting_as(check.person_email)
    if found is None:
        return 403, (
            f"This page went to {check.person_name}, who has no IMAS user with the verified "
            f"e-mail {check.person_email or '(none in the catalog)'}: IMAS cannot tell what "
            "they may do. Ask an admin to link them."
        )
    user_role, user_id = found
    if not role_allows(user_role, VERB_ROLES[verb]):
        return 403, (
            f"{check.person_name}'s IMAS role ({user_role}) does not allow to {verb}: it "
            f"needs {VERB_ROLES[verb]} or above."
        )
    done = await mesh.ask(
        PerformPageAction(
            action_id=check.action_id, verb=verb, via=via, actor_id=f"user:{user_id}"
        ),
        PageActionDone,
    )
    return done.status, done.message


def vendor_problem(check: PageActionCheck) -> Response[object] | None:
    """The problem answer of a request that is not one the vendor sent (unsigned, forged,
    missing its fields); None for one it did, whatever the person wrote."""
    if check.status not in (400, 403):
        return None
    return problem(
        check.status, check.message, [FieldError(field=check.field, message=check.message)]
    )


async def twilio_answer(
    request: Request, mesh: Upstream, via: PageActionVia, verb_tag: str
) -> Response[object]:
    """Check and carry out what Twilio brought (an SMS, a key press); the answer is TwiML
    whose ``verb_tag`` (``Message`` for an SMS, ``Say`` in a call) tells the person."""
    check = await mesh.ask(
        CheckPageAction(
            via=via,
            url=public_url(request),
            params=await form_of(request),
            signature=request.headers.get("x-twilio-signature", ""),
        ),
        PageActionCheck,
    )
    refused = vendor_problem(check)
    if refused is not None:
        return refused
    text = check.message
    if check.status == 200:
        text = (await carry_out(request.gateway.users, mesh, check, via))[1]
    # Nothing to say (a number IMAS never paged): an empty answer, no SMS back.
    said = f"<{verb_tag}>{escape(text)}</{verb_tag}>" if text else ""
    ending = "<Hangup/>" if verb_tag == "Say" else ""
    return Response(f"<Response>{said}{ending}</Response>", media_type=TWIML)


@post(
    "/api/v1/inbound/twilio/sms",
    summary="Twilio's inbound SMS webhook: a reply to a page (ack 4821, resolve 4821)",
    tags=["inbound"],
    opt=OPT,
    status_code=200,
)
async def twilio_sms(request: Request, mesh: NamedDependency[Upstream]) -> Response[object]:
    """200 with TwiML (``<Message>``) telling the person what was done or why not; 403 when
    ``X-Twilio-Signature`` does not verify; 400 without ``From`` and ``Body``."""
    return await twilio_answer(request, mesh, "twilio_sms", "Message")


@post(
    "/api/v1/inbound/twilio/voice",
    summary="The key pressed in a paging call (Twilio's Gather callback)",
    tags=["inbound"],
    opt=OPT,
    status_code=200,
)
async def twilio_voice(request: Request, mesh: NamedDependency[Upstream]) -> Response[object]:
    """200 with TwiML the call says (``<Say>``, then hangs up); 403 when
    ``X-Twilio-Signature`` does not verify."""
    return await twilio_answer(request, mesh, "twilio_voice", "Say")


async def _link_check(mesh: Upstream, token: str) -> PageActionCheck:
    return await mesh.ask(CheckPageAction(via="link", token=token), PageActionCheck)


@get(
    "/page-actions/{token:str}",
    summary="A signed link of a page: what it would do, to confirm",
    tags=["inbound"],
    opt=OPT,
    include_in_schema=False,
)
async def confirm_page_action(
    request: Request, mesh: NamedDependency[Upstream], token: FromPath[str]
) -> Response[str]:
    """The confirmation page (200), or why the link does nothing (403 not a link IMAS made,
    404 unknown, 410 expired). Changes nothing."""
    check = await _link_check(mesh, token)
    if check.status != 200:
        return render(request, "error.html", status_code=check.status, status=check.status,
                      message=check.message)  # fmt: skip
    verb = check.verb or "acknowledge"
    return render(
        request,
        "page_action.html",
        check=check,
        verb=verb,
        label=VERB_LABELS[verb],
        done=verb in check.used,
        token=token,
    )


@post(
    "/page-actions/{token:str}",
    summary="A signed link of a page, carried out (once)",
    tags=["inbound"],
    opt=OPT,
    status_code=200,
    include_in_schema=False,
)
async def do_page_action(
    request: Request, mesh: NamedDependency[Upstream], token: FromPath[str]
) -> Response[Any]:
    """Acknowledge or resolve as the person paged: 200 done; 403 a link IMAS did not make, or
    a role that does not allow it; 404 unknown; 409 already done with this page; 410 expired.
    A browser gets a page, anything else (ntfy's buttons) JSON ``{status, message}``."""
    check = await _link_check(mesh, token)
    status, message = check.status, check.message
    if status == 200:
        status, message = await carry_out(request.gateway.users, mesh, check, "link")
    if "text/html" not in request.headers.get("accept", ""):
        return Response({"status": status, "message": message}, status_code=status)
    if status != 200:
        return render(request, "error.html", status_code=status, status=status, message=message)
    return render(request, "page_action_done.html", check=check, message=message)
