"""`quita chat`: talk to the agent as a debtor through the webhook → inbox → worker → outbox
→ sender path, on a local stand-in of the Graph API; and `quita worker`."""

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from billing.errors import InvalidValue
from billing.phones import normalize_phone, wa_id_of
from quita.cli.common import CliError, business_day, database, out, settings
from quita.policy import load_policy

QUIT_WORDS = frozenset({"/sair", "/quit", "/exit"})


def chat(
    phone: Annotated[str, typer.Option(help="The debtor's phone, E.164 (+5511987654321).")],
    script: Annotated[
        Path | None, typer.Option(help="A file with one debtor message per line.", exists=True)
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per outbound message.")
    ] = False,
    today: Annotated[str | None, typer.Option(help="Pin the date (YYYY-MM-DD).")] = None,
) -> None:
    """Chat with the agent as the debtor with this phone. Type a button's title (or its
    number) to tap it; /sair ends an interactive chat."""
    try:
        wa_id = wa_id_of(normalize_phone(phone))
    except InvalidValue as error:
        raise CliError(f"--phone: {error}") from error
    from quita.pipeline import local_pipeline, outbound_json  # heavy: only for this command

    pinned = settings().model_copy(update={"today": business_day(today)})
    lines = _script_lines(script) if script else _typed_lines()
    templates = load_policy(pinned.policy_file).templates
    with database(migrate=True) as engine, local_pipeline(pinned, engine) as pipeline:
        choices: list[dict[str, Any]] = []
        for line in lines:
            sent = pipeline.send(wa_id, **_message(line, choices))
            replies = [outbound_json(message, templates) for message in sent]
            choices = _choices(replies) or choices
            _show(replies, as_json)


def worker() -> None:
    """Run the inbox worker (the agent) and the WhatsApp sender until interrupted."""
    from quita.runtime import open_services  # heavy: only for this command

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with database() as engine, open_services(settings(), engine) as services:
        services.start()
        out.print("Quita worker running: inbox worker and sender (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


def _script_lines(script: Path) -> Iterator[str]:
    for line in script.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield line.strip()


def _typed_lines() -> Iterator[str]:
    while True:
        if sys.stdin.isatty():
            out.print("[bold]você>[/bold] ", end="")
        line = sys.stdin.readline()
        if not line or line.strip() in QUIT_WORDS:
            return
        if line.strip():
            yield line.strip()


def _message(line: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
    """A typed line, or the tap of the button or row it names (by title, id or number)."""
    from console.simulator_wire import ReplyChoice

    for number, choice in enumerate(choices, start=1):
        if line.casefold() in (str(choice["title"]).casefold(), str(choice["id"]), str(number)):
            tap = ReplyChoice(id=choice["id"], title=choice["title"], type=choice["type"])
            return {"reply": tap}
    return {"text": line}


def _choices(replies: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for reply in replies:
        for button in reply.get("buttons", []):
            found.append({**button, "type": "button_reply"})
        for row in reply.get("rows", []):
            found.append({"id": row["id"], "title": row["title"], "type": "list_reply"})
    return found


def _show(replies: list[dict[str, Any]], as_json: bool) -> None:
    for reply in replies:
        if as_json:
            print(json.dumps(reply, ensure_ascii=False))
            continue
        out.print(f"[green]quita>[/green] {escape(reply['text'])}")
        for number, choice in enumerate(reply.get("buttons", []) + reply.get("rows", []), 1):
            out.print(f"   [{number}] {choice['title']}", markup=False)
        if reply.get("media"):
            out.print(f"   ({reply['media']}: {reply.get('filename') or 'arquivo'})", markup=False)
