"""Group commit of the sender's results: each is written as soon as it comes, many per
transaction while a write is in progress, so a result waits for at most one commit before
its own. This keeps short the gap between Meta accepting a message and the outbox knowing."""

import asyncio
import logging

from sqlalchemy import Engine

from channels.whatsapp.store import Outcome, record_outcomes

logger = logging.getLogger(__name__)

WRITE_TRIES = 3


class Recorder:
    """Collects outcomes from concurrent sends in one event loop and writes them in batches."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: list[Outcome] = []
        self._done: list[Outcome] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, outcome: Outcome) -> None:
        self._queue.append(outcome)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())

    async def close(self) -> list[Outcome]:
        """Wait for every outcome added so far to be written; all of them, in write order."""
        while self._task is not None and not self._task.done():
            await self._task
        return self._done

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            await self._write(batch)
            self._done.extend(batch)

    async def _write(self, batch: list[Outcome]) -> None:
        for attempt in range(1, WRITE_TRIES + 1):
            try:
                await asyncio.to_thread(record_outcomes, self._engine, batch)
                return
            except Exception as error:
                # The rows stay leased: once the lease runs out they are sent again (twice,
                # for those Meta accepted), which beats losing them. The exception text can
                # quote SQL parameters (message text), so it goes to DEBUG only.
                logger.error(
                    "recording %d outbox results failed (try %d of %d): %s",
                    len(batch),
                    attempt,
                    WRITE_TRIES,
                    type(error).__name__,
                )
                logger.debug("recording outbox results failed", exc_info=True)
                await asyncio.sleep(0.2 * attempt)
