"""The FastAPI application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from quita import db
from quita.policy import load_policy
from quita.settings import Settings
from webhooks import pix as pix_webhook


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the web app; it refuses to start on a database that is not migrated."""
    engine = engine or db.make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        db.ensure_migrated(engine)
        yield

    app = FastAPI(title="Quita", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.policy = load_policy(settings.policy_file)
    app.include_router(pix_webhook.router)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return _health(engine)

    return app


def _health(engine: Engine) -> JSONResponse:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = db.current_revision(engine)
    except Exception as error:  # any failure here means "not healthy", whatever raised it
        return JSONResponse({"status": "error", "database": type(error).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "revision": revision})
