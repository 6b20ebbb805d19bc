"""Scenarios through the real pipeline (webhook → inbox → agent → outbox → sender)."""

from collections.abc import Callable

import pytest

import evals.runner
from evals.loader import LoadedScenario
from evals.runner import EvalEnvironment, RunConfig, run_scenario, run_suite

Load = Callable[[str], LoadedScenario]

BALANCE = """
  - id: balance
    description: the balance after the identity check
    debtor: {turns: ["qto ta minha conta", "529"]}
    expect:
      tools_called: [get_balance]
      must_say: ["R$ 102,67"]
      ledger: {invoices: {INV-11: open}, escalations: []}
"""


def test_a_scenario_whose_expectations_hold_passes(
    environment: EvalEnvironment, scenario_from: Load
) -> None:
    run = run_scenario(scenario_from(BALANCE), environment, RunConfig())

    assert run.failed_checks == []
    assert run.passed
    assert run.transcript is not None
    assert [turn.verified for turn in run.transcript.turns] == [False, True]
    assert run.transcript.turns[1].tools[0]["tool"] == "get_balance"
    assert run.resolution_turn == 2
    assert not run.escalated
    assert {check.name for check in run.checks} >= {
        "invariant.no_figure_before_verification",
        "invariant.figures_grounded",
        "invariant.offers_within_policy",
        "invariant.replies_delivered",
    }


def test_a_failing_scenario_names_the_check_that_failed(
    environment: EvalEnvironment, scenario_from: Load
) -> None:
    wrong = BALANCE.replace("R$ 102,67", "R$ 999,99").replace("id: balance", "id: wrong")

    run = run_scenario(scenario_from(wrong), environment, RunConfig())

    assert not run.passed
    assert [(c.name, c.detail) for c in run.failed_checks] == [("must_say:R$ 999,99", "never said")]


def test_a_persona_reaches_its_goal_through_the_pipeline(
    environment: EvalEnvironment, scenario_from: Load
) -> None:
    loaded = scenario_from(
        "  - id: persona\n    description: d\n    debtor:\n      persona:\n"
        "        goal: pagar no pix\n        opening: quanto eu devo?\n"
        "        rules: [{offered: Pagar com Pix, pick: Pagar com Pix}]\n"
        "        done_when: [assim que o pagamento cair]\n"
        "    expect:\n      tools_called: [get_balance, create_pix_charge]\n"
        "      ledger: {charges: {pix: 1}}\n"
    )

    run = run_scenario(loaded, environment, RunConfig())

    assert run.passed, run.failed_checks
    assert run.transcript is not None
    assert [turn.debtor for turn in run.transcript.turns] == [
        "quanto eu devo?",
        "529",
        "[Pagar com Pix]",
    ]
    assert run.transcript.ended_by == "debtor"


def test_each_run_has_its_own_ledger_and_k_runs_are_grouped(
    environment: EvalEnvironment, scenario_from: Load
) -> None:
    loaded = scenario_from(
        "  - id: pix\n    description: d\n    debtor: {turns: [manda o pix, '529']}\n"
        "    expect: {ledger: {charges: {pix: 1}}}\n"
    )

    (result,) = run_suite([loaded], environment, RunConfig(k=2, workers=2))

    assert [run.run for run in result.runs] == [0, 1]
    assert result.passed, [run.failed_checks for run in result.runs]


def test_a_crash_is_a_failed_run_with_its_traceback(
    environment: EvalEnvironment, scenario_from: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(evals.runner, "seed_world", broken)

    run = run_scenario(scenario_from(BALANCE), environment, RunConfig())

    assert not run.passed
    assert run.failed_checks[0].name == "run"
    assert run.failed_checks[0].detail == "RuntimeError: ledger unavailable"
    assert run.error is not None
    assert "Traceback" in run.error


def test_a_button_the_agent_did_not_offer_fails_the_script(
    environment: EvalEnvironment, scenario_from: Load
) -> None:
    loaded = scenario_from(
        "  - id: script\n    description: d\n"
        "    debtor: {turns: [oi, {button: Botao Inexistente}]}\n"
    )

    run = run_scenario(loaded, environment, RunConfig())

    (failed,) = run.failed_checks
    assert failed.name == "script"
    assert "'Botao Inexistente' was not offered" in failed.detail
