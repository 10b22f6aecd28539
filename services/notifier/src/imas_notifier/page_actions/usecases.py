"""Use cases of page actions: a page to a person gets one when it is recorded, shows it when it
is sent (an SMS code, signed links, ntfy buttons, a call's key press), and the answer that
comes back is checked, then carried out once (see :mod:`imas_notifier.page_actions.domain`)."""

from __future__ import annotations

import dataclasses
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts.escalation import EscalatedNow, EscalateNow
from imas_contracts.incidents import IncidentView, Source, TransitionIncident
from imas_contracts.notifier import (
    AnswerSmsReply,
    CheckPageAction,
    PageActionCheck,
    PageActionDone,
    PageActionVia,
    PerformPageAction,
    SmsReplies,
    SmsReply,
    SmsReplyAnswered,
    TakeSmsReplies,
)
from imas_notifier import domain
from imas_notifier.config.cache import ConfigCache
from imas_notifier.page_actions import domain as rules
from imas_notifier.page_actions import store as store_actions
from imas_notifier.providers.base import Outgoing, ProviderError
from imas_notifier.providers.cache import ProviderCache
from imas_notifier.providers.sms_mail import OvhSmsProvider
from imas_runtime.bus import Bus
from imas_runtime.errors import NotFound, RequestFailed, ServiceError, Unavailable
from imas_runtime.logs import get_logger
from imas_runtime.secrets_box import SecretBox

log = get_logger(__name__)

LINK_KEY = "links"
# Where each way in is recorded as coming from, in the incident's timeline.
SOURCES: dict[str, Source] = {"twilio_sms": "sms", "ovh_sms": "sms", "twilio_voice": "voice"}
# What the timeline says the person did it with.
WITH = {"sms": "an SMS reply", "voice": "a phone call", "email": "an e-mail link",
        "ntfy": "an ntfy button"}  # fmt: skip


class PageActions:
    """Page actions of pages to people over SMS, voice, e-mail and ntfy."""

    def __init__(
        self,
        engine: AsyncEngine,
        providers: ProviderCache,
        config: ConfigCache,
        box: SecretBox,
        *,
        public_url: str,
        ttl_seconds: float,
        bus: Bus | None = None,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.providers = providers
        self.config = config
        self.box = box
        self.public_url = public_url
        self.ttl_seconds = ttl_seconds
        self.bus = bus
        self.timeout = timeout
        self.clock = clock
        self._key: bytes | None = None

    async def load_key(self) -> None:
        """The key that signs links: made by the first replica that starts, sealed under
        ``IMAS_SECRET_KEY`` like every secret, read by the others."""
        async with self.engine.begin() as conn:
            sealed = await store_actions.signing_key(
                conn, LINK_KEY, self.box.encrypt(secrets.token_bytes(32))
            )
        self._key = self.box.decrypt(sealed)

    @property
    def key(self) -> bytes:
        if self._key is None:
            raise RuntimeError("the link key is read at start (PageActions.load_key)")
        return self._key

    # -- when pages are recorded ----------------------------------------------------------------

    async def attach(
        self, conn: AsyncConnection, rows: Sequence[tuple[str, domain.Page]]
    ) -> list[tuple[str, domain.Page]]:
        """Each page to a person over an answerable channel, with the page action it will
        carry in its content (``action``: id, SMS code, expiry); the others as they are."""
        wanted = [i for i, (_, page) in enumerate(rows) if _answerable(page)]
        if not wanted:
            return list(rows)
        phones = [
            rules.phone_key(rows[i][1].address) for i in wanted if rows[i][1].channel == "sms"
        ]
        taken = await store_actions.live_codes(conn, phones)
        expires = int(self.clock() + self.ttl_seconds)
        attached = list(rows)
        for i in wanted:
            incident_id, page = rows[i]
            code = ""
            if page.channel == "sms":
                phone = rules.phone_key(page.address)
                code = rules.new_code(taken.setdefault(phone, set()))
                taken[phone].add(code)
            action = {"id": str(uuid.uuid4()), "code": code, "expires": expires}
            attached[i] = (incident_id, dataclasses.replace(
                page, content={**page.content, "action": action}
            ))  # fmt: skip
        return attached

    async def record(self, conn: AsyncConnection, recorded: Sequence[Any]) -> None:
        """The page actions of the rows recorded (a page already in the ledger keeps its own)."""
        rows = []
        for row in recorded:
            action = (row.content or {}).get("action")
            if not action or row.kind != "page":
                continue
            person_id = domain.person_of(row.recipient) or ""
            rows.append(
                {
                    "id": uuid.UUID(action["id"]),
                    "delivery_id": row.id,
                    "incident_id": row.incident_id,
                    "person_id": person_id,
                    "person_name": row.recipient.rsplit(" (person:", 1)[0],
                    "label": _label(row.content, row.message),
                    "channel": row.channel,
                    "address": rules.phone_key(row.address)
                    if row.channel in ("sms", "voice")
                    else row.address,
                    "code": action.get("code", ""),
                    "expires_at": datetime.fromtimestamp(int(action["expires"]), UTC),
                }
            )
        await store_actions.add_actions(conn, rows)

    # -- when a page is sent --------------------------------------------------------------------

    def dress(self, page: Outgoing, rows: Sequence[Any]) -> Outgoing:
        """The page as its provider sends it, with what answers it: an SMS ends with its
        reply code (each page of a bundle with its own), an e-mail carries signed links, an
        ntfy push signed buttons, a call the URL its key press is posted to."""
        actions = [(r.content or {}).get("action") for r in rows]
        if not any(actions):
            return page
        if page.channel == "sms":
            codes = [a["code"] for a in actions if a and a.get("code")]
            if len(rows) == 1 and codes:
                return dataclasses.replace(
                    page, message=f"{page.message}\n{rules.sms_hint(codes[0])}"
                )
            lines = [
                (r.message.splitlines() or [""])[0]
                + (f" [{a['code']}]" if a and a.get("code") else "")
                for r, a in zip(rows, actions, strict=True)
            ]
            text = f"{len(rows)} pages:\n" + "\n".join(lines) + "\n" + rules.bundle_hint(codes)
            return dataclasses.replace(page, message=text)
        action = actions[0]
        if action is None:
            return page
        if page.channel == "voice":
            gather = rules.gather_url(self.public_url, action["id"])
            return dataclasses.replace(page, content={**page.content, "gather_url": gather})
        links = {
            "Acknowledge": self._link(action, "acknowledge"),
            "Resolve": self._link(action, "resolve"),
        }
        content = {
            **page.content,
            "links": {**(page.content.get("links") or {}), **links},
            "actions": [{"label": k, "url": v} for k, v in links.items()],
        }
        text = "\n".join(f"{name}: {url}" for name, url in links.items())
        return dataclasses.replace(page, content=content, message=f"{page.message}\n{text}")

    def _link(self, action: dict[str, Any], verb: rules.Verb) -> str:
        token = rules.link_token(self.key, action["id"], verb, int(action["expires"]))
        return rules.link_url(self.public_url, token)

    # -- the answers ----------------------------------------------------------------------------

    async def check(self, request: CheckPageAction) -> PageActionCheck:
        """What an answer to a page asks, once verified (see :class:`CheckPageAction`). Safe
        to repeat; a wrong SMS code is counted against its number."""
        if request.via == "link":
            return await self._check_link(request.token)
        if request.via == "twilio_sms":
            return await self._check_twilio_sms(request)
        if request.via == "twilio_voice":
            return await self._check_twilio_voice(request)
        return _refused(400, "this way of answering a page is not served", "via")

    async def _check_link(self, token: str) -> PageActionCheck:
        link = rules.read_link(self.key, token)
        if link is None:
            return _refused(403, "This link is not one IMAS made, or it was cut short.", "token")
        return await self._found(link.action_id, link.verb)

    async def _twilio_signed(self, request: CheckPageAction) -> bool:
        account = request.params.get("AccountSid", "")
        async with self.engine.connect() as conn:
            accounts = await self.providers.of_kind(conn, "twilio")
        return any(
            rules.twilio_signed(
                str(getattr(p, "auth_token", "")), request.url, request.params, request.signature
            )
            for p in accounts
            if not account or getattr(p, "account_sid", "") == account
        )

    async def _check_twilio_sms(self, request: CheckPageAction) -> PageActionCheck:
        for name in ("From", "Body"):
            if name not in request.params:
                return _refused(400, f"{name} is missing: not an SMS Twilio sent", name)
        if not await self._twilio_signed(request):
            return _refused(403, "X-Twilio-Signature does not verify", "X-Twilio-Signature")
        return await self._check_sms(request.params["From"], request.params["Body"])

    async def _check_sms(self, sender: str, body: str) -> PageActionCheck:
        """An SMS ``body`` from the number ``sender`` as an answer to one of its pages. A
        refusal to a number IMAS never paged says nothing (``message`` ""): answering every
        number that writes in would make IMAS an SMS relay for whoever finds its number."""
        check = await self._check_sms_of_person(sender, body)
        if check.status == 200 or not check.message:
            return check
        async with self.engine.connect() as conn:
            if await store_actions.ever_paged(conn, rules.phone_key(sender)):
                return check
        return msgspec.structs.replace(check, message="")

    async def _check_sms_of_person(self, sender: str, body: str) -> PageActionCheck:
        reply = rules.read_reply(body)
        if reply is None:
            return _refused(
                422,
                "IMAS did not understand this reply. Answer ACK <code> to acknowledge or "
                "RES <code> to resolve, with the code of the page.",
                "Body",
            )
        phone = rules.phone_key(sender)
        since = datetime.fromtimestamp(self.clock() - rules.WRONG_CODES_WINDOW_SECONDS, UTC)
        async with self.engine.begin() as conn:
            if await store_actions.wrong_codes_since(conn, phone, since) >= rules.MAX_WRONG_CODES:
                return _refused(
                    429,
                    "Too many wrong codes from this number: IMAS takes no reply from it for "
                    f"{rules.WRONG_CODES_WINDOW_SECONDS // 60} minutes. Use the dashboard.",
                    "Body",
                )
            found = await store_actions.action_by_code(conn, phone, reply.code)
            if found is None:
                await store_actions.add_wrong_code(conn, phone)
        if found is None:
            return _refused(404, f"No page to this number has the code {reply.code}.", "Body")
        return await self._found(str(found.id), reply.verb)

    # -- SMS replies kept at the provider (OVH) ---------------------------------------------------

    async def take_sms_replies(self, request: TakeSmsReplies) -> SmsReplies:
        """The replies waiting at each OVH provider, each checked as an answer; a provider that
        cannot be read is named in ``failed`` and the others are read all the same."""
        async with self.engine.connect() as conn:
            accounts = await self.providers.of_kind(conn, "ovh")
        limit = min(max(request.limit, 1), 100)
        replies: list[SmsReply] = []
        failed: dict[str, str] = {}
        for provider in accounts:
            if not isinstance(provider, OvhSmsProvider):
                continue
            name = provider.name
            try:
                waiting = await provider.incoming(limit - len(replies))
            except ProviderError as exc:
                failed[name] = str(exc)  # logged by the gateway that asked
                continue
            for found in waiting:
                sender, message = str(found.get("sender", "")), str(found.get("message", ""))
                replies.append(
                    SmsReply(
                        provider=name,
                        id=str(found.get("id", "")),
                        sender=sender,
                        message=message,
                        check=await self._check_sms(sender, message),
                    )
                )
            if len(replies) >= limit:
                break
        return SmsReplies(replies=replies, failed=failed)

    async def answer_sms_reply(self, request: AnswerSmsReply) -> SmsReplyAnswered:
        """Delete the reply at the provider, then text the answer back to whoever sent it.
        The reply is deleted even when the answer could not be sent: what it asked was done
        (or refused), and reading it again would do nothing more. Unavailable when it could
        not be deleted, and nobody is texted: read again at the next pass, the reply would be
        answered again, a text to the person every pass for as long as deleting fails."""
        async with self.engine.connect() as conn:
            await self.providers.refresh(conn)
        provider = self.providers.named(request.provider)
        if not isinstance(provider, OvhSmsProvider):
            raise NotFound(f"no OVH provider named {request.provider!r}")
        try:
            await provider.delete_incoming(request.id)
        except ProviderError as exc:
            raise Unavailable(f"{request.provider}: the reply is not deleted: {exc}") from None
        if not request.answer:
            return SmsReplyAnswered(sent=False, deleted=True)
        sent = True
        try:
            await provider.text(request.to, request.answer)
        except ProviderError as exc:
            sent = False
            log.warning(
                "answer to an SMS reply not sent", provider=request.provider, error=str(exc)
            )
        return SmsReplyAnswered(sent=sent, deleted=True)

    async def _check_twilio_voice(self, request: CheckPageAction) -> PageActionCheck:
        if not await self._twilio_signed(request):
            return _refused(403, "X-Twilio-Signature does not verify", "X-Twilio-Signature")
        action_id = (parse_qs(urlsplit(request.url).query).get("action") or [""])[0]
        verb = rules.KEYS.get(request.params.get("Digits", ""))
        if verb is None:
            return _refused(422, "That key does nothing. The incident is still open.", "Digits")
        return await self._found(action_id, verb)

    async def _found(self, action_id: str, verb: rules.Verb) -> PageActionCheck:
        """The page action ``action_id`` as the answer to ``verb``: 404 unknown (or forgotten
        long after it expired), 410 expired."""
        try:
            key = uuid.UUID(action_id)
        except ValueError:
            return _refused(404, "No such page.", "action")
        async with self.engine.connect() as conn:
            row = await store_actions.action(conn, key)
            if row is None:
                return _refused(404, "No such page (it may have expired long ago).", "action")
            used = await store_actions.uses(conn, key)
            config = await self.config.current(conn)
        person = config.directory.person(row.person_id)
        check = PageActionCheck(
            status=200,
            action_id=action_id,
            verb=verb,
            channel=row.channel,
            incident_id=str(row.incident_id),
            incident_label=row.label,
            person_id=row.person_id,
            person_name=person.name if person else row.person_name,
            person_email=str(person.data.get("email") or "") if person else "",
            expires_at=row.expires_at,
            used=used,
        )
        if row.expires_at.timestamp() <= self.clock():
            return msgspec.structs.replace(check, status=410, message="This page has expired.")
        return check

    async def perform(self, request: PerformPageAction) -> PageActionDone:
        """Carry out a checked page action, once per (page action, verb); see
        :class:`PerformPageAction`. A second call answers 409 and changes nothing; when the
        owning service did not answer, nothing is kept and the person may try again."""
        found = await self._found(request.action_id, request.verb)
        if found.status != 200:
            return PageActionDone(status=found.status, message=found.message)
        key = uuid.UUID(request.action_id)
        async with self.engine.begin() as conn:
            claimed = await store_actions.claim_use(conn, key, request.verb, request.via)
        if not claimed:
            done = rules.VERB_WORDS[request.verb]
            return PageActionDone(
                status=409,
                message=f"Already {done} from this page: nothing more was done.",
                incident_id=found.incident_id,
            )
        try:
            outcome = await self._carry_out(found, request, _source(request.via, found.channel))
        except ServiceError as exc:
            async with self.engine.begin() as conn:
                await store_actions.release_use(conn, key, request.verb)
            log.warning("page action not carried out", verb=request.verb, error=str(exc))
            return PageActionDone(
                status=502,
                message="IMAS could not reach the service that does this; nothing was done. "
                "Try again in a moment.",
                incident_id=found.incident_id,
            )
        async with self.engine.begin() as conn:
            await store_actions.record_outcome(conn, key, request.verb, outcome.message)
        return outcome

    async def _carry_out(
        self, found: PageActionCheck, request: PerformPageAction, source: Source
    ) -> PageActionDone:
        """Acknowledge or resolve the incident as the person paged, or fire its next
        escalation step; a refusal of the owning service (already resolved, nothing left to
        escalate) is a 409 that keeps the use. ServiceError when the owner did not answer."""
        if self.bus is None:
            raise Unavailable("the notifier has no bus to reach other services")
        incident_id, name = found.incident_id, found.person_name
        try:
            if request.verb == "escalate":
                fired = await self.bus.request(
                    EscalateNow(incident_id=incident_id, actor=f"{name} ({WITH[source]})"),
                    EscalatedNow,
                    timeout=self.timeout,
                )
                return PageActionDone(
                    status=200,
                    message=f"Escalated: step {fired.step + 1} is being paged now.",
                    incident_id=incident_id,
                )
            view = await self.bus.request(
                TransitionIncident(
                    id=incident_id,
                    action=request.verb,
                    actor=name,
                    actor_id=request.actor_id,
                    source=source,
                    note=f"{rules.VERB_WORDS[request.verb].capitalize()} with {WITH[source]}",
                ),
                IncidentView,
                timeout=self.timeout,
            )
        except RequestFailed as exc:
            if exc.code in ("conflict", "not_found", "invalid"):
                return PageActionDone(status=409, message=exc.message, incident_id=incident_id)
            raise
        incident = view.incident
        return PageActionDone(
            status=200,
            message=f"INC-{incident.short_id} is now {incident.status} (by {name}).",
            incident_id=incident_id,
            incident_status=incident.status,
        )

    async def forget_expired(self, older_than: timedelta = timedelta(days=7)) -> int:
        """Drop page actions expired for ``older_than``: their links and codes answer 404."""
        before = datetime.fromtimestamp(self.clock(), UTC) - older_than
        async with self.engine.begin() as conn:
            return await store_actions.forget_expired(conn, before)


def _source(via: PageActionVia, channel: str) -> Source:
    """The timeline source of an answer that came ``via`` to a page over ``channel``: the
    SMS or call it came by, else the channel of the link (e-mail, ntfy)."""
    if via in SOURCES:
        return SOURCES[via]
    return "ntfy" if channel == "ntfy" else "email"


def _answerable(page: domain.Page) -> bool:
    return (
        page.target == "person"
        and page.channel in rules.ANSWERABLE
        and page.kind == "page"
        and not page.undeliverable
        and domain.person_of(page.recipient) is not None
    )


def _label(content: Any, message: str) -> str:
    title = (content or {}).get("title") or (message.splitlines()[0] if message else "")
    return str(title)[:300]


def _refused(status: int, message: str, field: str = "") -> PageActionCheck:
    return PageActionCheck(status=status, message=message, field=field)
