"""Guards: what the debtor's message means for safety, and whether a reply may go out.

A reply goes out only if every figure in it was produced by a tool in this thread, it says
nothing a collector may not say (CDC arts. 42 and 71: no threats, no exposure, no police, no
contacting employers), and it fits WhatsApp's limits. Collection messages identify the ISP
(CDC art. 42-A).
"""

import re
import unicodedata
from datetime import date
from typing import Any

from agent.state import AgentState, Outgoing
from billing.documents import parse_document
from quita.policy import Policy
from tools.base import Grounding
from tools.figures import ungrounded

ABUSE_LIMIT = 3
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
MAX_BUTTONS = 3
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
MAX_ROWS = 10
FOOTER_LIMIT = 60
FORBIDDEN = re.compile(
    r"\b(policia|delegacia|prisao|preso|cadeia|crime|criminal|boletim de ocorrencia|"
    r"oficial de justica|seu (chefe|patrao|empregador)|sua empresa|seus vizinhos|"
    r"sua familia|expor|exposicao|vergonha|caloteir\w*|sujar seu nome|vai se arrepender)\b"
)


def top_intent(state: AgentState) -> str:
    """The debtor's main intent this turn (an `Intent` value), "unknown" when unread."""
    return str((state.get("understood") or {}).get("top") or "unknown")


def grounded(state: AgentState) -> Grounding:
    """Every figure tools produced in this thread."""
    grounding = Grounding()
    for fact in state.get("facts") or []:
        grounding.merge(Grounding.from_json(fact.get("grounding") or {}))
    return grounding


def problems(state: AgentState, policy: Policy, today: date | None = None) -> list[str]:
    """Why this turn's replies may not go out; empty when they may."""
    figures = grounded(state)
    day = today or date.today()
    found: list[str] = []
    for outgoing in state.get("outgoing") or []:
        text = _visible_text(outgoing)
        missing = ungrounded(_without_isp_identity(text, policy), figures, day)
        if missing:
            found.append("figures no tool produced: " + ", ".join(missing))
        if FORBIDDEN.search(_plain(text)):
            found.append("wording a collector may not use (CDC arts. 42/71)")
    return found


def fit_to_whatsapp(outgoing: list[Outgoing], policy: Policy) -> list[Outgoing]:
    """Trim to WhatsApp's limits and identify the ISP on collection messages."""
    identity = isp_identity(policy)
    identified = False
    fitted: list[Outgoing] = []
    for message in outgoing:
        item: Outgoing = dict(message)  # type: ignore[assignment]
        kind = item.get("kind", "text")
        if kind in ("buttons", "list"):
            _fit_interactive(item, identity)
        elif kind == "text":
            body = item.get("body", "")
            # Once per turn, on the first message that states an amount.
            if "R$" in body and not identified and identity not in body:
                body = f"{body}\n\n{identity}"
                identified = True
            item["body"] = _cut(body, TEXT_LIMIT)
        fitted.append(item)
    return fitted


def isp_identity(policy: Policy) -> str:
    cnpj = parse_document(policy.isp.cnpj).formatted
    return f"{policy.isp.name} · CNPJ {cnpj}"


def _fit_interactive(item: Outgoing, identity: str) -> None:
    item["body"] = _cut(item.get("body", ""), INTERACTIVE_BODY_LIMIT)
    item["footer"] = _cut(identity, FOOTER_LIMIT)
    if item.get("kind") == "buttons":
        item["buttons"] = [
            {"id": button["id"], "title": _cut(button["title"], BUTTON_TITLE_LIMIT)}
            for button in item.get("buttons", [])[:MAX_BUTTONS]
        ]
        return
    item["rows"] = [_fit_row(row) for row in item.get("rows", [])[:MAX_ROWS]]
    item["button"] = _cut(item.get("button", "Ver opções"), BUTTON_TITLE_LIMIT)


def _fit_row(row: dict[str, str]) -> dict[str, str]:
    fitted = {"id": row["id"], "title": _cut(row["title"], ROW_TITLE_LIMIT)}
    if row.get("description"):
        fitted["description"] = _cut(row["description"], ROW_DESCRIPTION_LIMIT)
    return fitted


def _visible_text(outgoing: Outgoing) -> str:
    parts: list[Any] = [outgoing.get("body", "")]
    parts += [button.get("title", "") for button in outgoing.get("buttons", [])]
    for row in outgoing.get("rows", []):
        parts += [row.get("title", ""), row.get("description", "")]
    return "\n".join(str(part) for part in parts)


def _without_isp_identity(text: str, policy: Policy) -> str:
    return text.replace(isp_identity(policy), "").replace(policy.isp.cnpj, "")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
