"""A persona played by an LLM (any OpenAI-compatible endpoint), behind the same interface as
the offline debtors.

Known failure of LLM user simulators: they say goodbye before the agent did anything ("ok
obrigado, tchau" right after the greeting), so the scenario measures nothing. Here an end
is accepted only once the agent has called a tool or the turn budget is spent; a premature
end is answered with a nudge and asked again, and if the model insists the debtor repeats
their opening request instead.
"""

from dataclasses import dataclass, field
from typing import Any

from openai import OpenAI, OpenAIError

from evals.debtors import DebtorView
from evals.schema import Persona
from evals.transcript import DebtorMessage, find_choice, turn_text

END_WORD = "FIM"
NUDGE = (
    "Atenção: o atendente ainda não resolveu o seu pedido. Não encerre agora; responda com "
    "a sua próxima mensagem para conseguir o que você quer."
)
MAX_MESSAGE_CHARS = 400


class SimulatorError(RuntimeError):
    """The LLM playing the debtor could not answer."""


@dataclass
class SimulatorStats:
    llm_calls: int = 0
    tokens: int = 0
    premature_ends: int = 0
    notes: list[str] = field(default_factory=list)


class LlmPersonaDebtor:
    """The debtor opens with the persona's `opening`; then the model writes each message."""

    def __init__(self, persona: Persona, document: str, client: OpenAI, model: str) -> None:
        self.persona = persona
        self.stats = SimulatorStats()
        self._document = document
        self._client = client
        self._model = model

    def next_message(self, view: DebtorView) -> DebtorMessage | None:
        if not view.turns:
            return DebtorMessage(text=self.persona.opening)
        if len(view.turns) >= self.persona.max_turns or not view.turns[-1].replies:
            return None
        answer = self._ask(view, nudge=False)
        if _ends(answer) and not _agent_acted(view):
            self.stats.premature_ends += 1
            answer = self._ask(view, nudge=True)
            if _ends(answer):
                self.stats.notes.append("simulator tried to end before the agent acted")
                return DebtorMessage(text=self.persona.opening)
        if _ends(answer):
            return None
        choice = find_choice(answer, view.choices)
        return DebtorMessage(reply=choice) if choice else DebtorMessage(text=answer)

    def _ask(self, view: DebtorView, *, nudge: bool) -> str:
        messages = self._messages(view, nudge)
        try:
            completion = self._client.chat.completions.create(
                model=self._model,
                messages=messages,  # type: ignore[arg-type]
                temperature=0.7,
            )
        except OpenAIError as error:
            raise SimulatorError(f"the debtor simulator failed: {error}") from error
        self.stats.llm_calls += 1
        if completion.usage is not None:
            self.stats.tokens += completion.usage.total_tokens
        content = completion.choices[0].message.content if completion.choices else None
        return _clean(content or "")

    def _messages(self, view: DebtorView, nudge: bool) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = [{"role": "system", "content": self._prompt()}]
        for turn in view.turns:
            messages.append({"role": "assistant", "content": turn.debtor or "(mensagem)"})
            messages.append({"role": "user", "content": _agent_side(turn.replies, turn_text(turn))})
        if nudge:
            messages.append({"role": "system", "content": NUDGE})
        return messages

    def _prompt(self) -> str:
        persona = self.persona
        prefix = persona.document_prefix or self._document[:3]
        return (
            "Você faz o papel de um cliente de um provedor de internet que conversa pelo "
            "WhatsApp com o assistente de cobrança (as mensagens do assistente chegam como "
            f"'user'). Seu objetivo: {persona.goal}\n"
            f"Seu jeito de escrever: {persona.style}.\n"
            f"Se pedirem os primeiros dígitos do seu CPF/CNPJ, responda {prefix}; se pedirem o "
            f"documento inteiro, responda {self._document}.\n"
            "Responda apenas com a próxima mensagem do cliente, curta, sem aspas. Para tocar "
            "num botão ou opção, escreva exatamente o título dele. Quando o seu objetivo "
            f"estiver cumprido, ou não houver mais nada a fazer, responda só {END_WORD}."
        )


def _agent_side(replies: list[dict[str, Any]], text: str) -> str:
    titles = [str(button["title"]) for reply in replies for button in reply.get("buttons") or []]
    titles += [str(row["title"]) for reply in replies for row in reply.get("rows") or []]
    options = f"\n[opções: {' | '.join(titles)}]" if titles else ""
    return (text or "(o assistente não respondeu)") + options


def _agent_acted(view: DebtorView) -> bool:
    return bool(view.state.get("facts"))


def _ends(answer: str) -> bool:
    return not answer or answer.strip(" .!").upper() == END_WORD


def _clean(content: str) -> str:
    text = content.strip().strip('"').strip()
    for prefix in ("cliente:", "Cliente:", "eu:", "Eu:"):
        text = text.removeprefix(prefix).strip()
    return text[:MAX_MESSAGE_CHARS]
