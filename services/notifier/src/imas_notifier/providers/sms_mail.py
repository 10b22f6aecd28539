"""SMS and e-mail providers: OVH SMS (signed API calls), Twilio (Messages API) and SMTP."""

from __future__ import annotations

import asyncio
import hashlib
import json
import ssl
import time
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from html import escape
from typing import Any

import aiosmtplib
import httpx

from imas_notifier.page_actions.domain import call_twiml
from imas_notifier.providers.base import HttpProvider, Outgoing, ProviderError, call, post
from imas_runtime.outbound import Refused


def ovh_signature(
    application_secret: str, consumer_key: str, method: str, url: str, body: str, timestamp: int
) -> str:
    """OVH's documented request signature: ``$1$`` + SHA1 of the secret, consumer key,
    method, full URL, body and timestamp joined by ``+``."""
    raw = "+".join([application_secret, consumer_key, method, url, body, str(timestamp)])
    return "$1$" + hashlib.sha1(raw.encode()).hexdigest()


class OvhSmsProvider(HttpProvider):
    """``POST /sms/{service_name}/jobs`` on the OVH API (``endpoint``), signed per request.

    With ``replies`` (the default), pages go out as SMS the person can answer
    (``senderForResponse``: OVH sends them from a number that takes replies, not from
    ``sender``); the replies wait in the account's incoming messages
    (``GET /sms/{service_name}/incoming``) until IMAS reads, answers and deletes them."""

    kind = "ovh"

    clock: Callable[[], float] = staticmethod(time.time)

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.endpoint = str(config.get("endpoint") or "https://eu.api.ovh.com/1.0").rstrip("/")
        self.service_name = str(config.get("service_name") or "")
        self.sender = str(config.get("sender") or "")
        self.replies = bool(config.get("replies", True))
        self.application_key = str(config.get("application_key") or "")
        self.application_secret = secrets.get("application_secret", "")
        self.consumer_key = secrets.get("consumer_key", "")

    async def send(self, page: Outgoing) -> str:
        return await self.text(page.address, page.message)

    async def text(self, to: str, message: str) -> str:
        """Send ``message`` to the number ``to``; OVH's ids of the SMS sent."""
        body = json.dumps(
            {
                "message": message[:1600],
                "receivers": [to],
                "sender": self.sender,
                "noStopClause": True,
                "priority": "high",
                "senderForResponse": self.replies,
            }
        )
        answer = (await self._signed("POST", "jobs", body)).json()
        if answer.get("invalidReceivers"):
            raise ProviderError(
                f"ovh: invalid receivers {answer['invalidReceivers']}", retryable=False
            )
        return ",".join(str(i) for i in answer.get("ids", []))

    async def incoming(self, limit: int) -> list[dict[str, Any]]:
        """The replies waiting in the account, oldest first, at most ``limit``: each
        ``{"id", "sender", "message"}`` as OVH's ``sms.Incoming``."""
        if not self.replies:
            return []
        ids = sorted(int(i) for i in (await self._signed("GET", "incoming")).json())
        return [(await self._signed("GET", f"incoming/{i}")).json() for i in ids[:limit]]

    async def delete_incoming(self, reply_id: str) -> None:
        await self._signed("DELETE", f"incoming/{int(reply_id)}")

    async def _signed(self, method: str, path: str, body: str = "") -> httpx.Response:
        """A call to ``/sms/{service_name}/<path>`` with OVH's per-request signature."""
        url = f"{self.endpoint}/sms/{self.service_name}/{path}"
        now = int(self.clock())
        headers = {
            "X-Ovh-Application": self.application_key,
            "X-Ovh-Consumer": self.consumer_key,
            "X-Ovh-Timestamp": str(now),
            "X-Ovh-Signature": ovh_signature(
                self.application_secret, self.consumer_key, method, url, body, now
            ),
        }
        if body:
            headers["Content-Type"] = "application/json"
        return await call(self.client, method, url, content=body.encode(), headers=headers)


class TwilioSmsProvider(HttpProvider):
    """Twilio, form-encoded with basic auth: SMS through the Messages API (``To``, ``From``,
    ``Body``), phone calls (the ``voice`` channel) through the Calls API with the TwiML the
    call plays (``Twiml``): the incident read aloud, and a key press (1 acknowledge, 2
    escalate) posted to the page's gather URL. ``voice_from`` is the number calls come from
    (``from`` when not set)."""

    kind = "twilio"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.base_url = str(config.get("base_url") or "https://api.twilio.com").rstrip("/")
        self.account_sid = str(config.get("account_sid") or "")
        self.sender = str(config.get("from") or config.get("sender") or "")
        self.voice_sender = str(config.get("voice_from") or self.sender)
        self.auth_token = secrets.get("auth_token", "")

    async def send(self, page: Outgoing) -> str:
        if page.channel == "voice":
            return await self.call(page)
        response = await post(
            self.client,
            f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json",
            data={"To": page.address, "From": self.sender, "Body": page.message[:1600]},
            auth=(self.account_sid, self.auth_token),
        )
        return str(response.json().get("sid", ""))

    async def call(self, page: Outgoing) -> str:
        """Place the call; Twilio answers with the call's SID once it is queued."""
        twiml = call_twiml(page.content, page.message, str(page.content.get("gather_url", "")))
        response = await post(
            self.client,
            f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Calls.json",
            data={"To": page.address, "From": self.voice_sender, "Twiml": twiml},
            auth=(self.account_sid, self.auth_token),
        )
        return str(response.json().get("sid", ""))


def email_message(page: Outgoing, sender: str) -> EmailMessage:
    """A text and HTML e-mail of the page."""
    content = page.content
    message = EmailMessage()
    message["From"] = sender
    message["To"] = page.address
    message["Subject"] = str(content.get("title") or page.message.splitlines()[0])[:200]
    message["X-IMAS-Delivery"] = page.delivery_id
    message.set_content(page.message)
    rows = "".join(
        f"<tr><th align='left'>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
        for k, v in (content.get("fields") or {}).items()
    )
    links = "".join(
        f"<li><a href='{escape(url)}'>{escape(name)}</a></li>"
        for name, url in (content.get("links") or {}).items()
    )
    title = escape(str(content.get("title", "")))
    body = escape(page.message).replace("\n", "<br>") if not rows else ""
    message.add_alternative(
        f"<html><body><h2>{title}</h2>{body}<table>{rows}</table><ul>{links}</ul></body></html>",
        subtype="html",
    )
    return message


def tls_context(ca_pem: str, ca_file: str) -> ssl.SSLContext:
    """Certificates checked against the CA(s) given (PEM text or a file), instead of the
    system's; the system's when neither is given. Host names are always checked."""
    if ca_pem or ca_file:
        return ssl.create_default_context(cadata=ca_pem or None, cafile=ca_file or None)
    return ssl.create_default_context()


def _untrusted(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate refusal somewhere in ``exc``'s chain, if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


IMPLICIT_TLS_PORT = 465


def smtp_tls(port: int, config: Mapping[str, Any]) -> tuple[bool, bool | None]:
    """(implicit TLS, STARTTLS) for a server on ``port``, as Django's ``EMAIL_USE_TLS`` /
    ``EMAIL_USE_SSL`` mean them: ``use_ssl`` or port 465 is implicit TLS; otherwise
    ``use_tls`` (or ``start_tls``) true requires STARTTLS, ``start_tls`` false forbids it and
    None uses it when the server offers it. ``use_tls`` with ``use_ssl`` is refused."""
    use_tls, use_ssl = _flag(config, "use_tls"), _flag(config, "use_ssl")
    if use_tls and use_ssl:
        raise ValueError(
            "use_tls (STARTTLS) and use_ssl (implicit TLS) exclude each other: give one"
        )
    if use_ssl or (port == IMPLICIT_TLS_PORT and use_ssl is None):
        return True, False
    start_tls = _flag(config, "start_tls")
    if use_tls:
        return False, True
    return False, start_tls


def _flag(config: Mapping[str, Any], key: str) -> bool | None:
    """A true/false setting; None when absent. JSON booleans, or the words an operator may
    type in a form ("true", "false", "1", "0")."""
    value = config.get(key)
    if value is None or isinstance(value, bool):
        return value
    words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    found = words.get(str(value).strip().lower())
    if found is None:
        raise ValueError(f"{key} must be true or false, not {value!r}")
    return found


class SmtpProvider(HttpProvider):
    """E-mail over SMTP, its TLS settings read as Django reads them: ``use_tls`` is STARTTLS
    (required; the submission port 587), implicit TLS is ``use_ssl`` or port 465 (where
    ``use_tls`` means implicit TLS too); ``start_tls`` false never upgrades, and with none of
    them STARTTLS is used when the server offers it. Optional login (``username`` and the
    ``password`` secret); the sender is ``from``, else the username when it is an address.
    The server's certificate is checked against the system's CAs, or the ``ca_pem`` (PEM
    text) / ``ca_file`` given; a certificate that is not trusted fails the page for good
    (trying again cannot help).

    The server is reached through the outbound guard (a checked address, pinned; the
    certificate is checked for the host name) and the whole exchange ends within
    ``timeout`` seconds."""

    kind = "smtp"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.host = str(config.get("host") or "localhost")
        self.port = int(str(config.get("port") or 587))
        self.config_error = ""
        self.implicit_tls, self.start_tls = smtp_tls(self.port, config)
        self.username = str(config.get("username") or "") or None
        sender = config.get("from") or config.get("sender")
        if not sender and self.username and "@" in self.username:
            sender = self.username
        self.sender = str(sender or "imas@localhost")
        self.default_to = str(config.get("to") or "")
        self.timeout = float(str(config.get("timeout") or 10))
        self.password = secrets.get("password") or None
        try:
            self.tls_context: ssl.SSLContext | None = tls_context(
                str(config.get("ca_pem") or ""), str(config.get("ca_file") or "")
            )
        except OSError as exc:  # an unreadable CA file or PEM (ssl.SSLError is an OSError)
            self.tls_context, self.config_error = None, f"smtp: unusable CA certificate: {exc}"

    async def send(self, page: Outgoing) -> str:
        if self.config_error:
            raise ProviderError(self.config_error, retryable=False)
        if not page.address and self.default_to:
            page = Outgoing(**{**page.__dict__, "address": self.default_to})
        try:
            async with asyncio.timeout(self.timeout):
                sock = await self.guard.connect(self.host, self.port, self.timeout)
                try:
                    # The connection's transport owns the socket (and closes it) from here.
                    _, answer = await aiosmtplib.send(
                        email_message(page, self.sender),
                        hostname=self.host,
                        sock=sock,
                        use_tls=self.implicit_tls,
                        start_tls=self.start_tls,
                        username=self.username,
                        password=self.password,
                        timeout=self.timeout,
                        tls_context=self.tls_context,
                    )
                except ValueError as exc:
                    if not isinstance(exc, OSError):  # settings refused: no transport took it
                        sock.close()
                    raise
        except Refused as exc:
            raise ProviderError(f"smtp: {exc}", retryable=False) from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise ProviderError(f"smtp: recipients refused {exc}", retryable=False) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise ProviderError(
                f"smtp: {exc.code} {exc.message}", retryable=exc.code >= 400 and exc.code < 500
            ) from exc
        except aiosmtplib.SMTPConnectTimeoutError as exc:
            raise ProviderError(f"smtp: {exc!r}") from exc
        except aiosmtplib.SMTPTimeoutError as exc:
            # Connected, then no answer in time: the message may have been taken.
            raise ProviderError(f"smtp: {exc!r}", unanswered=True) from exc
        except TimeoutError as exc:
            # The whole exchange's deadline: the message may have been taken.
            raise ProviderError(
                f"smtp: no complete exchange within {self.timeout:g}s", unanswered=True
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            refusal = _untrusted(exc)
            if refusal is not None:
                raise ProviderError(
                    f"smtp: the server's TLS certificate is not trusted "
                    f"({refusal.verify_message}); give its CA in ca_pem or ca_file",
                    retryable=False,
                ) from exc
            raise ProviderError(f"smtp: {exc!r}") from exc
        except ValueError as exc:
            raise ProviderError(f"smtp: {exc}", retryable=False) from exc
        return answer[:200]
