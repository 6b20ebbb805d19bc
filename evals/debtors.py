"""Simulated debtors: a script of turns, or an offline persona that reacts to the agent's last
messages with simple rules. The LLM-played persona (evals.llm_debtor) has the same shape."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from evals.schema import Persona, PersonaRule, Turn
from evals.transcript import DebtorMessage, TurnRecord, choices_in, find_choice, plain, turn_text

# How the identity gate asks for the first digits, and for the whole document.
PREFIX_QUESTIONS = ("primeiros digitos", "primeiros numeros")
DOCUMENT_QUESTIONS = ("informar o cpf ou cnpj", "me informar o cpf", "cpf ou cnpj do titular")


class ScriptError(Exception):
    """The script cannot go on as written (a button the agent did not offer)."""


@dataclass
class DebtorView:
    """What a simulated debtor sees: the conversation so far and the choices on screen."""

    turns: list[TurnRecord]
    choices: list[dict[str, Any]]
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def last_text(self) -> str:
        return turn_text(self.turns[-1]) if self.turns else ""


class SimulatedDebtor(Protocol):
    def next_message(self, view: DebtorView) -> DebtorMessage | None:
        """The debtor's next message, or None when the debtor is done."""
        ...


class ScriptedDebtor:
    """Sends the scenario's turns in order; a `button` turn taps a choice on screen."""

    def __init__(self, turns: list[Turn]) -> None:
        self._turns = list(turns)

    def next_message(self, view: DebtorView) -> DebtorMessage | None:
        if len(view.turns) >= len(self._turns):
            return None
        turn = self._turns[len(view.turns)]
        if turn.text is not None:
            return DebtorMessage(text=turn.text, turn=turn)
        choice = find_choice(turn.button or "", view.choices)
        if choice is None:
            offered = ", ".join(str(item["title"]) for item in view.choices) or "nothing"
            raise ScriptError(f"button {turn.button!r} was not offered (offered: {offered})")
        return DebtorMessage(reply=choice, turn=turn)


class PersonaDebtor:
    """An offline persona: opens with `opening`, answers identity questions, then follows the
    first rule matching the agent's last messages; ends on `done_when`, on silence, when no
    rule matches, or after `max_turns` messages."""

    def __init__(self, persona: Persona, document: str) -> None:
        self.persona = persona
        self._document = document
        self._fired: dict[int, int] = {}

    def next_message(self, view: DebtorView) -> DebtorMessage | None:
        persona = self.persona
        if not view.turns:
            return DebtorMessage(text=persona.opening)
        if len(view.turns) >= persona.max_turns or not view.turns[-1].replies:
            return None
        said = plain(view.last_text)
        if any(plain(phrase) in said for phrase in persona.done_when):
            return None
        identity = self._identity_answer(said)
        if identity is not None:
            return DebtorMessage(text=identity)
        for index, rule in enumerate(persona.rules):
            if self._fired.get(index, 0) < rule.times and _matches(rule, said, view.choices):
                self._fired[index] = self._fired.get(index, 0) + 1
                return _act(rule, view.choices)
        return None

    def _identity_answer(self, said: str) -> str | None:
        if not self.persona.answer_identity:
            return None
        if any(question in said for question in PREFIX_QUESTIONS):
            return self.persona.document_prefix or self._document[:3]
        if any(question in said for question in DOCUMENT_QUESTIONS):
            return self._document
        return None


def _matches(rule: PersonaRule, said: str, choices: list[dict[str, Any]]) -> bool:
    if rule.when and not any(plain(phrase) in said for phrase in rule.when):
        return False
    return rule.offered is None or find_choice(rule.offered, choices) is not None


def _act(rule: PersonaRule, choices: list[dict[str, Any]]) -> DebtorMessage | None:
    if rule.end:
        return None
    if rule.say is not None:
        return DebtorMessage(text=rule.say)
    choice = find_choice(rule.pick or "", choices)
    # A rule that picks what is not on screen types the title instead, as people do.
    return DebtorMessage(reply=choice) if choice else DebtorMessage(text=rule.pick)


def current_choices(
    turns: list[TurnRecord], previous: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The choices on screen after the last turn: its own, or the earlier ones when it
    offered none (a tap on an older message still reaches the agent)."""
    if not turns:
        return previous
    return choices_in(turns[-1].replies) or previous
