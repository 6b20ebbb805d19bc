"""pass^k and the suite's summary."""

from pathlib import Path

import pytest

from evals.checks import CheckResult
from evals.loader import LoadedScenario
from evals.results import ScenarioResult, ScenarioRun, pass_hat, summarize
from evals.schema import Debtor, Scenario


def _result(name: str, outcomes: list[bool], tags: list[str] | None = None) -> ScenarioResult:
    scenario = Scenario.model_validate(
        {
            "id": name,
            "description": "d",
            "today": "2026-12-03",
            "tags": tags or [],
            "debtor": Debtor(turns=[{"text": "oi"}]).model_dump(),
        }
    )
    runs = [
        ScenarioRun(name, index, [CheckResult("c", passed)])
        for index, passed in enumerate(outcomes)
    ]
    return ScenarioResult(LoadedScenario(scenario, Path("x.yaml"), 1), runs)


def test_pass_hat_k_needs_every_run_to_pass() -> None:
    results = [
        _result("a", [True, True]),
        _result("b", [True, False]),
        _result("c", [False, False]),
    ]

    assert pass_hat(results, 1) == pytest.approx(0.5)  # (2/2 + 1/2 + 0) / 3
    assert pass_hat(results, 2) == pytest.approx(0.3333, abs=1e-4)


def test_pass_hat_estimates_from_more_runs_than_k() -> None:
    # 3 of 4 runs passed: C(3,2)/C(4,2) = 3/6 of the pairs both pass.
    results = [_result("a", [True, True, True, False])]

    assert pass_hat(results, 2) == pytest.approx(0.5)
    assert pass_hat(results, 4) == 0.0


def test_summary_counts_scenarios_runs_and_tags() -> None:
    results = [
        _result("a", [True, True], ["smoke"]),
        _result("b", [True, False], ["smoke", "pix"]),
    ]

    summary = summarize(results, 2)

    assert summary["scenarios"] == 2
    assert summary["runs"] == 4
    assert summary["passed"] == 1
    assert summary["pass_rate"] == 0.75
    assert summary["pass_hat_k"] == 0.5
    assert summary["pass_hat"] == {"1": 0.75, "2": 0.5}
    assert summary["by_tag"]["smoke"] == {"scenarios": 2, "passed": 1, "pass_rate": 0.5}
    assert summary["by_tag"]["pix"]["passed"] == 0


def test_a_run_that_crashed_never_passes() -> None:
    run = ScenarioRun("a", 0, [CheckResult("c", True)], error="Traceback ...")

    assert not run.passed
