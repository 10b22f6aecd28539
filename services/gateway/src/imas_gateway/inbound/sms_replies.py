"""SMS replies to pages that the SMS provider keeps until they are read (OVH's incoming
messages; Twilio instead calls ``POST /api/v1/inbound/twilio/sms``).

Every ``sms_replies_poll_seconds``, one gateway replica at a time (a lease in Redis) asks the
notifier, which holds the vendor's credentials, for the replies waiting, each already checked
as an answer to a page. Each is then carried out as a Twilio reply would be (the role of the
person paged decides, see :mod:`imas_gateway.inbound.page_actions`), and the notifier texts the
outcome back to the person and deletes the reply at the vendor. A replica that stops midway
leaves the reply at the vendor: the next pass reads it again, and carrying it out again does
nothing more (a page action is used once).
"""

from __future__ import annotations

import asyncio
import uuid

from redis.asyncio import Redis
from redis.exceptions import RedisError

from imas_contracts.notifier import AnswerSmsReply, SmsReplies, SmsReplyAnswered, TakeSmsReplies
from imas_gateway.auth.users import UserDirectory
from imas_gateway.http.upstream import Upstream
from imas_gateway.inbound.page_actions import carry_out
from imas_runtime.errors import ServiceError, Unavailable
from imas_runtime.logs import get_logger
from imas_runtime.loops import run_woken

log = get_logger(__name__)


class SmsRepliesPoller:
    """Reads, carries out and answers the SMS replies the notifier finds at the vendors."""

    def __init__(
        self, mesh: Upstream, users: UserDirectory, redis: Redis, *, interval: float, namespace: str
    ) -> None:
        self.mesh = mesh
        self.users = users
        self.redis = redis
        self.interval = interval
        self.lease_key = f"imas:{namespace}:sms-replies-reader"
        self.holder = uuid.uuid4().hex

    async def run(self, stopping: asyncio.Event) -> None:
        await run_woken(self.one_pass, asyncio.Event(), stopping, self.interval, what="SMS replies")

    async def one_pass(self) -> int:
        """Handle the replies waiting now; how many were handled (0 when another replica
        reads them, or no notifier answers)."""
        if not await self._leading():
            return 0
        try:
            taken = await self.mesh.ask(TakeSmsReplies(), SmsReplies)
        except Unavailable:
            return 0  # no notifier yet: the replies wait at the vendor
        for provider, why in taken.failed.items():
            log.warning("SMS replies not read", provider=provider, error=why)
        for reply in taken.replies:
            answer = reply.check.message
            if reply.check.status == 200:
                _, answer = await carry_out(self.users, self.mesh, reply.check, "ovh_sms")
            try:
                await self.mesh.ask(
                    AnswerSmsReply(
                        provider=reply.provider, id=reply.id, to=reply.sender, answer=answer
                    ),
                    SmsReplyAnswered,
                )
            except ServiceError as exc:  # left at the vendor: the next pass tries again
                log.warning("SMS reply not answered", provider=reply.provider, error=str(exc))
        return len(taken.replies)

    async def _leading(self) -> bool:
        """Whether this replica reads the replies for the next two intervals. Without Redis,
        every replica reads: a reply carried out twice does nothing the second time."""
        ttl = int(self.interval * 2000)
        try:
            if await self.redis.set(self.lease_key, self.holder, nx=True, px=ttl):
                return True
            if await self.redis.get(self.lease_key) == self.holder.encode():
                await self.redis.pexpire(self.lease_key, ttl)
                return True
            return False
        except RedisError:
            return True
