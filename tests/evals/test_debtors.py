"""Simulated debtors without the pipeline: scripts, offline personas and the LLM persona."""

from typing import Any

import pytest
from openai import OpenAI

from evals.debtors import DebtorView, PersonaDebtor, ScriptedDebtor, ScriptError
from evals.llm_debtor import NUDGE, LlmPersonaDebtor
from evals.schema import Persona, Turn
from evals.transcript import TurnRecord, choices_in
from tests.agent.openai_standin import OpenAIStandIn, text

DOCUMENT = "52998224725"
MENU = {
    "type": "list",
    "text": "O que você precisa?",
    "rows": [
        {"id": "menu:saldo", "title": "Ver meu saldo"},
        {"id": "menu:pix", "title": "Pagar com Pix"},
    ],
}


def _view(*replies: list[dict[str, Any]], facts: int = 0) -> DebtorView:
    turns = [
        TurnRecord(index, "msg", None, "", list(items), False, "agent", 0)
        for index, items in enumerate(replies)
    ]
    choices = choices_in(turns[-1].replies) if turns else []
    return DebtorView(turns, choices, {"facts": [{"tool": "x"}] * facts})


def _said(body: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": body}]


def _persona(**fields: Any) -> Persona:
    return Persona.model_validate({"goal": "pagar", "opening": "oi quero pagar", **fields})


def test_a_script_taps_buttons_by_title_id_or_number() -> None:
    debtor = ScriptedDebtor(
        [Turn(text="oi"), Turn(button="pagar com pix"), Turn(button="menu:saldo"), Turn(button="2")]
    )

    first = debtor.next_message(_view([MENU]))
    second = debtor.next_message(_view([MENU], [MENU]))
    third = debtor.next_message(_view([MENU], [MENU], [MENU]))
    over = debtor.next_message(_view([MENU], [MENU], [MENU], [MENU]))

    assert first is not None
    assert first.reply is not None
    assert first.reply.id == "menu:pix"
    assert second is not None
    assert second.reply is not None
    assert (second.reply.id, second.reply.type) == ("menu:saldo", "list_reply")
    assert third is not None
    assert third.reply is not None
    assert third.reply.id == "menu:pix"
    assert over is None


def test_a_script_tapping_what_was_not_offered_stops_with_a_reason() -> None:
    debtor = ScriptedDebtor([Turn(text="oi"), Turn(button="Parcelar")])

    with pytest.raises(ScriptError, match="'Parcelar' was not offered"):
        debtor.next_message(_view([MENU]))


def test_a_persona_opens_then_answers_the_identity_question() -> None:
    debtor = PersonaDebtor(_persona(), DOCUMENT)

    opening = debtor.next_message(_view())
    answer = debtor.next_message(_view(_said("Pode me dizer os 3 primeiros dígitos do CPF?")))

    assert opening is not None
    assert opening.text == "oi quero pagar"
    assert answer is not None
    assert answer.text == "529"


def test_a_persona_follows_the_first_matching_rule_as_often_as_allowed() -> None:
    persona = _persona(
        rules=[
            {"offered": "Pagar com Pix", "pick": "Pagar com Pix"},
            {"when": ["nao confere"], "say": "222", "times": 2},
        ]
    )
    debtor = PersonaDebtor(persona, DOCUMENT)

    picked = debtor.next_message(_view([MENU]))
    retries = [debtor.next_message(_view(_said("Isso não confere."))) for _ in range(3)]

    assert picked is not None
    assert picked.reply is not None
    assert picked.reply.title == "Pagar com Pix"
    assert [r.text if r else None for r in retries] == ["222", "222", None]


def test_a_persona_stops_when_done_silent_or_out_of_turns() -> None:
    persona = _persona(rules=[{"when": "oi", "say": "de novo"}], done_when=["pronto"], max_turns=2)

    done = PersonaDebtor(persona, DOCUMENT).next_message(_view(_said("Pronto! Pix enviado.")))
    silent = PersonaDebtor(persona, DOCUMENT).next_message(_view([]))
    spent = PersonaDebtor(persona, DOCUMENT).next_message(_view(_said("oi"), _said("oi")))

    assert (done, silent, spent) == (None, None, None)


def test_a_persona_can_give_wrong_digits() -> None:
    debtor = PersonaDebtor(_persona(document_prefix="111"), DOCUMENT)

    answer = debtor.next_message(_view(_said("Me diga os 3 primeiros dígitos do CPF")))

    assert answer is not None
    assert answer.text == "111"


def test_the_llm_persona_may_not_end_before_the_agent_acted() -> None:
    with (
        OpenAIStandIn(text("FIM"), text("manda o pix ai")) as llm,
        OpenAI(base_url=llm.base_url, api_key="k") as client,
    ):
        debtor = LlmPersonaDebtor(_persona(), DOCUMENT, client, "quita-standin")

        message = debtor.next_message(_view(_said("Oi! Como posso ajudar?")))

        requests = llm.requests
    assert message is not None
    assert message.text == "manda o pix ai"
    assert debtor.stats.premature_ends == 1
    assert debtor.stats.llm_calls == 2
    assert NUDGE not in requests[0].raw()
    assert NUDGE in requests[1].raw()
    assert "529" in requests[0].system_prompt


def test_the_llm_persona_ends_once_the_agent_acted_and_taps_choices_by_title() -> None:
    with (
        OpenAIStandIn(text("Pagar com Pix"), text("FIM")) as llm,
        OpenAI(base_url=llm.base_url, api_key="k") as client,
    ):
        debtor = LlmPersonaDebtor(_persona(), DOCUMENT, client, "quita-standin")

        tap = debtor.next_message(_view([MENU]))
        end = debtor.next_message(_view([MENU], _said("Pix enviado."), facts=1))

        user_message = llm.requests[0].messages[-1]["content"]
    assert tap is not None
    assert tap.reply is not None
    assert tap.reply.id == "menu:pix"
    assert end is None
    assert "[opções: Ver meu saldo | Pagar com Pix]" in user_message


def test_the_llm_persona_opens_with_the_scripted_opening_without_a_call() -> None:
    with OpenAIStandIn() as llm, OpenAI(base_url=llm.base_url, api_key="k") as client:
        debtor = LlmPersonaDebtor(_persona(), DOCUMENT, client, "quita-standin")

        opening = debtor.next_message(_view())

        assert llm.requests == []
    assert opening is not None
    assert opening.text == "oi quero pagar"
