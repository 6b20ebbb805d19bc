"""The web app of one eval worker thread, served once and re-pointed at every run.

`quita.pipeline.local_pipeline` starts and stops a web server per conversation, which costs
about 0.3 s (uvicorn polls its start and its shutdown). An eval runs hundreds of short
conversations, so each worker thread keeps one app on one loopback port and, for every run,
points it at the run's settings and policy, clears the Graph stand-in's record, and opens
fresh background services (agent, worker, sender) on the run's own database. Everything the
app's routes read per request comes from `app.state` (settings, engine, policy, agent), and
the engine is the thread's one engine, re-aimed at each run's SQLite file
(evals.speedups.RunEngines), so no state crosses from one run to the next.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
from sqlalchemy import Engine

from agent.brains.base import Brain
from console.simulator import graph_url
from quita.app import create_app
from quita.pipeline import LocalPipeline, _serving
from quita.policy import load_policy
from quita.runtime import open_services
from quita.settings import Settings

HTTP_TIMEOUT_SECONDS = 30


class ServedApp:
    """One app served on 127.0.0.1 for the life of an eval worker thread."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self._stack = ExitStack()
        self.app = create_app(settings.model_copy(update={"mode": "development"}), engine)
        # Limitation: reuses quita.pipeline's private server helper, so a change there
        # reaches the evals too (which is the point: the same server code path).
        self.base_url = self._stack.enter_context(_serving(self.app))

    @contextmanager
    def pipeline(
        self, settings: Settings, engine: Engine, *, knowledge: Any, brain: Brain | None = None
    ) -> Iterator[LocalPipeline]:
        """What `local_pipeline` gives, for one run, on the already running server."""
        local = settings.model_copy(update={"mode": "development"})
        # Replies to the stand-in need no pacing per recipient: nobody's phone rings.
        sending = local.model_copy(
            update={"whatsapp_graph_url": graph_url(self.base_url), "whatsapp_recipient_gap": 0.0}
        )
        state = self.app.state
        state.settings = local
        state.policy = load_policy(local.policy_file)
        state.graph_standin.reset()
        with (
            open_services(sending, engine, brain=brain, knowledge=knowledge) as services,
            httpx.Client(base_url=self.base_url, timeout=HTTP_TIMEOUT_SECONDS) as http,
        ):
            state.agent = services.agent
            try:
                yield LocalPipeline(sending, self.base_url, state.graph_standin, services, http)
            finally:
                state.agent = None

    def close(self) -> None:
        self._stack.close()
