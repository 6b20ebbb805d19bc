"""What a conversation leaves behind: each debtor message with the agent's replies, and
what the agent's state said right after (verified or not, tools called so far)."""

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from console.simulator_wire import ReplyChoice
from evals.schema import Turn


@dataclass(frozen=True)
class DebtorMessage:
    """One message the simulated debtor sends: a text, or a tapped button or list row."""

    text: str | None = None
    reply: ReplyChoice | None = None
    turn: Turn | None = None

    @property
    def shown(self) -> str:
        if self.reply is not None:
            return f"[{self.reply.title}]"
        return self.text or ""


@dataclass
class TurnRecord:
    """`replies` are the messages the app sent (as `quita chat --json` prints them);
    `facts_upto` is how many tool results the thread had after this turn."""

    index: int
    debtor: str
    reply_id: str | None
    at: str
    replies: list[dict[str, Any]]
    verified: bool
    owner: str
    facts_upto: int
    tools: list[dict[str, Any]] = field(default_factory=list)
    turn: Turn | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "debtor": self.debtor,
            "reply_id": self.reply_id,
            "at": self.at,
            "replies": self.replies,
            "verified": self.verified,
            "owner": self.owner,
            "tools": self.tools,
        }


@dataclass
class Transcript:
    turns: list[TurnRecord] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    ended_by: str = "script"
    notes: list[str] = field(default_factory=list)

    @property
    def facts(self) -> list[dict[str, Any]]:
        return list(self.state.get("facts") or [])


def visible_text(reply: dict[str, Any]) -> str:
    """Everything the debtor reads in one message: text, button titles, list rows."""
    parts = [str(reply.get("text") or "")]
    parts += [str(button.get("title", "")) for button in reply.get("buttons") or []]
    for row in reply.get("rows") or []:
        parts += [str(row.get("title", "")), str(row.get("description") or "")]
    return "\n".join(part for part in parts if part)


def turn_text(record: TurnRecord) -> str:
    return "\n".join(visible_text(reply) for reply in record.replies)


def choices_in(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The buttons and list rows these messages offer, in order, as tappable choices."""
    found: list[dict[str, Any]] = []
    for reply in replies:
        for button in reply.get("buttons") or []:
            found.append({"id": button["id"], "title": button["title"], "type": "button_reply"})
        for row in reply.get("rows") or []:
            found.append({"id": row["id"], "title": row["title"], "type": "list_reply"})
    return found


def find_choice(name: str, choices: list[dict[str, Any]]) -> ReplyChoice | None:
    """The choice named by its title (case and accents ignored), its id, or its position."""
    wanted = plain(name)
    for number, choice in enumerate(choices, start=1):
        if wanted in (plain(str(choice["title"])), plain(str(choice["id"])), str(number)):
            return ReplyChoice(id=choice["id"], title=choice["title"], type=choice["type"])
    return None


def plain(text: str) -> str:
    """Lower case, no accents, single spaces: how persona rules and choices are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())
