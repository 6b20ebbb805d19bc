"""`quita serve`: the web app (and, in embedded mode, the background loops)."""

from typing import Annotated

import typer
import uvicorn

from quita.cli.common import open_engine, out, settings

HostOption = Annotated[str, typer.Option(help="Interface to listen on.")]
PortOption = Annotated[int, typer.Option(help="TCP port to listen on.", min=1, max=65535)]


def serve(host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Serve the HTTP app. Refuses to start on a database that is not migrated."""
    run_server(host, port)


def run_server(host: str, port: int) -> None:
    from quita.app import create_app  # heavy: only when serving

    engine = open_engine()
    app = create_app(settings(), engine, background=True, self_url=f"http://{host}:{port}")
    out.print(f"Quita listening on http://{host}:{port} (health: /healthz)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
