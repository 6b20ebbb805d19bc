"""Evals with an LLM: the openai brain as the agent, and an LLM playing the persona, both
against the scripted OpenAI-compatible stand-in."""

from collections.abc import Callable, Iterator

import pytest

from evals.loader import LoadedScenario
from evals.results import metrics
from evals.runner import EvalEnvironment, RunConfig, run_scenario
from knowledge.search import KnowledgeBase
from quita.settings import Settings
from tests.agent.openai_standin import OpenAIStandIn, text, tool_call

Load = Callable[[str], LoadedScenario]


@pytest.fixture
def llm() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as standin:
        yield standin


@pytest.fixture
def llm_environment(
    llm: OpenAIStandIn, eval_settings: Settings, knowledge_base: KnowledgeBase
) -> Iterator[EvalEnvironment]:
    settings = eval_settings.model_copy(
        update={"openai_base_url": llm.base_url, "llm_model": "quita-standin"}
    )
    with EvalEnvironment.open(settings, knowledge_base) as environment:
        yield environment


def test_the_openai_brain_answers_and_its_calls_are_counted(
    llm: OpenAIStandIn, llm_environment: EvalEnvironment, scenario_from: Load
) -> None:
    llm.reset(tool_call("get_balance"), text("Seu saldo hoje é de R$ 102,67."))
    loaded = scenario_from(
        "  - id: llm-balance\n    description: d\n"
        "    debtor: {turns: [qto ta minha conta, '529']}\n"
        "    expect: {tools_called: [get_balance], must_say: ['R$ 102,67']}\n"
    )

    run = run_scenario(loaded, llm_environment, RunConfig(brain="openai"))

    assert run.passed, run.failed_checks
    assert llm.problems == []
    assert run.stats["llm_calls"] == 2
    assert run.stats["tokens"] > 0
    assert metrics([run])["llm_calls_per_conversation"] == 2


def test_an_llm_plays_the_persona_and_may_not_leave_early(
    llm: OpenAIStandIn, llm_environment: EvalEnvironment, scenario_from: Load
) -> None:
    # The menu: "FIM" before the agent did anything is refused once; then the Pix request,
    # the digits, and an accepted "FIM" once the Pix arrived.
    llm.reset(text("FIM"), text("manda o pix"), text("529"), text("FIM"))
    loaded = scenario_from(
        "  - id: llm-persona\n    description: d\n    debtor:\n      persona:\n"
        "        goal: pagar a fatura no pix\n        opening: oi\n"
        "    expect: {tools_called: [create_pix_charge], ledger: {charges: {pix: 1}}}\n"
    )

    run = run_scenario(loaded, llm_environment, RunConfig(simulator="llm"))

    assert run.passed, run.failed_checks
    assert run.transcript is not None
    assert [turn.debtor for turn in run.transcript.turns] == ["oi", "manda o pix", "529"]
    assert run.stats["simulator_llm_calls"] == 4
    assert run.stats["simulator_premature_ends"] == 1
    assert llm.pending == 0
