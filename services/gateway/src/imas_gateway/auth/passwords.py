"""Password hashing with a memory ceiling.

argon2id is slow and memory-hard on purpose: each hash (or check) holds ``memory_kib`` of
memory for its whole run. Run in the default thread pool, a few dozen wrong passwords sent at
once held a few dozen of them: over the gateway's memory limit, taking webhook intake down
with it. Here at most ``concurrency`` run at once, in threads of their own; a few more wait
their turn, and beyond ``waiting`` the gateway answers 503 at once (like any overload) rather
than queueing without end.

The defaults (19 MiB, 2 passes, 1 lane: OWASP's first argon2id configuration; 2 at once) keep
the gateway near 40 MiB above its idle size however many sign-ins arrive (see
docs/security.md). Hashes made with other parameters (older IMAS: 64 MiB) still verify, and
are made again with the current ones at the next successful sign-in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from imas_runtime.errors import Unavailable

T = TypeVar("T")


class Busy(Unavailable):
    """Too many sign-ins wait already (503, ``Retry-After``)."""


class Passwords:
    """argon2id hashes and checks, at most ``concurrency`` at once and ``waiting`` more in
    line (see the module)."""

    def __init__(
        self,
        *,
        concurrency: int = 2,
        waiting: int = 64,
        memory_kib: int = 19 * 1024,
        time_cost: int = 2,
        parallelism: int = 1,
    ) -> None:
        self.hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self.concurrency = concurrency
        self.waiting = waiting
        self._slots = asyncio.Semaphore(concurrency)
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="argon2")
        self._queued = 0
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await self._run(self.hasher.hash, password)

    async def matches(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` is the one of ``password_hash`` (False for a broken hash)."""

        def check() -> bool:
            try:
                return self.hasher.verify(password_hash, password)
            except (VerificationError, InvalidHashError):
                return False

        return await self._run(check)

    async def no_one_matches(self, password: str) -> None:
        """Spend as long as a check, for a username that does not exist: a wrong username
        takes as long to refuse as a wrong password."""
        if self._dummy is None:
            self._dummy = await self.hash("not a password of anyone")
        await self.matches(self._dummy, password)

    def outdated(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        if self._queued >= self.concurrency + self.waiting:
            raise Busy("too many sign-ins at once: try again in a moment")
        self._queued += 1
        try:
            async with self._slots:
                return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)
        finally:
            self._queued -= 1
