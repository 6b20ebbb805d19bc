"""The FastAPI application factory."""

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import Engine, text

from console import api as staff_api
from console.simulator import graph_url, mount_simulator
from conversations.inbox import WamidCache
from quita import db, metrics
from quita.coordination import redis_client
from quita.policy import load_policy
from quita.settings import DEFAULT_GRAPH_URL, Settings
from webhooks import pix as pix_webhook
from webhooks import whatsapp as whatsapp_webhook


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    background: bool = False,
    self_url: str | None = None,
) -> FastAPI:
    """Build the web app; it refuses to start on a database that is not migrated.

    With `background`, the app also runs the inbox worker (the agent) and the sender while it
    serves (embedded mode). In development mode it serves the WhatsApp simulator and, when no
    real Graph API is configured, sends through the simulator's stand-in at `self_url`.
    """
    engine = engine or db.make_engine(settings.resolved_database_url)
    redis = redis_client(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db.ensure_migrated(engine)
        with ExitStack() as stack:
            if background:
                _run_background(app, stack, _sender_settings(settings, self_url), engine)
            yield
        if redis is not None:
            redis.close()

    app = FastAPI(title="Quita", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.policy = load_policy(settings.policy_file)
    app.state.redis = redis
    # The WhatsApp webhook calls `app.state.wake_worker(wa_ids)` when something sets it.
    app.state.wamid_cache = WamidCache(redis)
    app.include_router(pix_webhook.router)
    app.include_router(whatsapp_webhook.router)
    app.include_router(staff_api.router)
    if settings.mode == "development":
        mount_simulator(app, settings)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return _health(engine)

    @app.get("/metrics")
    def prometheus() -> PlainTextResponse:
        return PlainTextResponse(metrics.render(engine), media_type=metrics.CONTENT_TYPE)

    return app


def _sender_settings(settings: Settings, self_url: str | None) -> Settings:
    """In development with no Graph API configured, send to the simulator's stand-in."""
    if settings.mode != "development" or settings.whatsapp_graph_url != DEFAULT_GRAPH_URL:
        return settings
    if self_url is None:
        return settings
    return settings.model_copy(
        update={"whatsapp_graph_url": graph_url(self_url), "whatsapp_recipient_gap": 0.0}
    )


def _run_background(app: FastAPI, stack: ExitStack, settings: Settings, engine: Engine) -> None:
    from quita.runtime import open_services

    services = stack.enter_context(open_services(settings, engine))
    services.start()
    app.state.agent = services.agent
    app.state.wake_worker = services.wake_worker


def _health(engine: Engine) -> JSONResponse:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = db.current_revision(engine)
    except Exception as error:  # any failure here means "not healthy", whatever raised it
        return JSONResponse({"status": "error", "database": type(error).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "revision": revision})
