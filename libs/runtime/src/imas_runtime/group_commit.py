"""Group commit: many concurrent callers, one transaction for all those waiting.

Each caller submits its item and waits until a flush holding it has committed (or failed, the
error raised to every caller of that flush, unless the flush answers an outcome per item).
While one flush runs, new items queue up and go in the next one; under load a flush carries
many items, alone a caller waits for one flush.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


# What a flush may answer: nothing (all committed), or each item's error (None: committed).
Outcomes = list[Exception | None] | None


class GroupCommit(Generic[T]):
    def __init__(self, flush: Callable[[list[T]], Awaitable[Outcomes]]) -> None:
        self._flush = flush
        self._queue: list[tuple[T, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> None:
        """Return once ``item`` is committed; raise what its flush raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._drain(), name="group commit")
        await done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    outcomes = await self._flush([item for item, _ in batch])
                except Exception as exc:
                    outcomes = [exc] * len(batch)
                for (_, done), error in zip(batch, outcomes or [None] * len(batch), strict=True):
                    if done.done():
                        continue
                    if error is None:
                        done.set_result(None)
                    else:
                        done.set_exception(error)
        finally:
            self._flusher = None
