"""What keeps a run cheap when hundreds of short conversations go through the real pipeline.

Measured on the offline brain (bench/eval_bench.py): without these, a two-turn scenario
spent about half its time building TLS contexts and recompiling SQL:

- every `httpx` client loads the whole CA bundle (~60-110 ms), and the pipeline builds
  several per turn (the Graph media fetcher once per turn, the sender's pool of clients once
  per drain) although every URL here is plain http on 127.0.0.1;
- SQLAlchemy caches compiled statements per engine, so a new engine per run compiles every
  query of the worker, the agent's tools and the sender again.

`shared_tls_context` makes httpx reuse one default context (same CA bundle, same settings)
for the duration of an eval; `RunEngines` keeps one engine per worker thread and points its
connections at each run's own SQLite file, so isolation is unchanged but the cache stays warm.
"""

import sqlite3
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx._transports.default as httpx_transports
from sqlalchemy import Engine, create_engine, event

# Limitation: this replaces a private httpx function while an eval runs. The lasting fix is
# in the product (one context per process in channels.whatsapp.client and
# conversations.media); until then an eval process pays nothing for it.


@contextmanager
def shared_tls_context() -> Iterator[None]:
    """Within the block, httpx clients built with default TLS settings share one context."""
    original = httpx_transports.create_ssl_context  # type: ignore[attr-defined]
    shared: dict[str, ssl.SSLContext] = {}
    # One lock per block: in nested blocks (an eval run by an eval's tests) the inner
    # `original` is the outer block's `create`, which takes the outer lock.
    lock = threading.Lock()

    def create(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return original(verify=verify, cert=cert, trust_env=trust_env)
        with lock:
            if "default" not in shared:
                shared["default"] = original(verify=True, cert=None, trust_env=trust_env)
            return shared["default"]

    httpx_transports.create_ssl_context = create  # type: ignore[attr-defined]
    try:
        yield
    finally:
        httpx_transports.create_ssl_context = original  # type: ignore[attr-defined]


class RunEngines:
    """One SQLAlchemy engine per thread, re-aimed at a new SQLite file for every run."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[Engine] = []
        self._lock = threading.Lock()

    def engine_for(self, database: Path) -> Engine:
        """This thread's engine, its pool emptied and its connections now opening `database`
        (the previous run's connections are closed first)."""
        if getattr(self._local, "engine", None) is None:
            self._local.target = {}
            self._local.engine = self._create(self._local.target)
        engine: Engine = self._local.engine
        engine.dispose()
        # Read by whichever thread connects: the web app's and the worker's alike.
        self._local.target["database"] = database
        return engine

    def release(self) -> None:
        """Close this thread's connections (the run is over)."""
        engine = getattr(self._local, "engine", None)
        if engine is not None:
            engine.dispose()

    def close(self) -> None:
        with self._lock:
            for engine in self._all:
                engine.dispose()
            self._all.clear()

    def _create(self, target: dict[str, Path]) -> Engine:
        def connect() -> sqlite3.Connection:
            return sqlite3.connect(target["database"], check_same_thread=False, timeout=30)

        # A file URL (not ":memory:") so SQLAlchemy pools connections as for any SQLite file.
        engine = create_engine("sqlite:///eval-run.db", creator=connect)
        event.listen(engine, "connect", _configure)
        with self._lock:
            self._all.append(engine)
        return engine


def _configure(connection: sqlite3.Connection, _record: Any) -> None:
    # The same pragmas quita.db.make_engine sets on every SQLite connection.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
