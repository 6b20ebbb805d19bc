"""The periodic cadence tick of `serve` (embedded) and `worker`: every few minutes, plan the
day (at most once an hour per process; planning again is harmless, just work) and carry out
the steps that are due. Any number of processes may tick on one database."""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from cadence.runner import CadenceRun, run_cadence
from channels.whatsapp.window import purposes_from
from quita import clock
from quita.policy import Policy, load_policy
from quita.settings import Settings

logger = logging.getLogger(__name__)

REPLAN_EVERY = timedelta(hours=1)


class CadenceTicker:
    """Plans when the day changed or an hour passed since this process last planned, and
    dispatches what is due on every tick. `now` defaults to the process clock (QUITA_TODAY
    pins its date)."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        policy: Policy | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._engine = engine
        self._policy = policy or load_policy(settings.policy_file)
        self._mandatory = purposes_from(settings.whatsapp_mandatory_purposes)
        self._now = now or (lambda: clock.now(settings.today))
        self._planned_at: datetime | None = None

    def tick(self) -> CadenceRun:
        now = self._now()
        run = run_cadence(
            self._engine,
            self._policy,
            now=now,
            mandatory_purposes=self._mandatory,
            plan=self._plan_due(now),
        )
        if run.plan is not None:
            self._planned_at = now
        return run

    def run_forever(self, stop: threading.Event, interval: float) -> None:
        """Tick every `interval` seconds (the first after one interval) until `stop`."""
        while not stop.wait(interval):
            try:
                run = self.tick()
            except Exception:  # an outage must not end the loop; the next tick retries
                logger.exception("cadence tick failed; retrying at the next tick")
                continue
            sent = run.dispatch.sent if run.dispatch else 0
            logger.info("cadence tick", extra={"day": run.day.isoformat(), "sent": sent})

    def _plan_due(self, now: datetime) -> bool:
        last = self._planned_at
        if last is None or last.date() != now.date():
            return True
        return now - last >= REPLAN_EVERY


def run_cadence_loop(
    engine: Engine, settings: Settings, stop: threading.Event, policy: Policy | None = None
) -> None:
    """What `quita.runtime.Services` runs in its cadence thread: tick every
    QUITA_CADENCE_TICK_SECONDS until `stop`; returns at once when that is 0 (disabled)."""
    interval = settings.cadence_tick_seconds
    if interval <= 0:
        logger.info("cadence tick disabled (QUITA_CADENCE_TICK_SECONDS=0)")
        return
    CadenceTicker(engine, settings, policy).run_forever(stop, interval)
