"""Outcomes: one run of a scenario, a scenario's k runs, and the suite's numbers (pass rate,
pass^k and the conversation metrics)."""

from collections import defaultdict
from dataclasses import dataclass, field
from math import comb
from statistics import mean
from typing import Any

from evals.checks import CheckResult
from evals.loader import LoadedScenario
from evals.transcript import Transcript

GROUNDING = ("invariant.figures_grounded",)
POLICY = ("invariant.offers_within_policy", "invariant.respectful_wording")
DISCLOSURE = ("invariant.no_figure_before_verification",)
WINDOW = ("invariant.window_respected", "invariant.replies_delivered")


@dataclass
class ScenarioRun:
    """One run: every check, the transcript, the ledger at the end and the counters.
    `resolution_turn` is the turn (1-based) by which every expected tool had been called."""

    scenario_id: str
    run: int
    checks: list[CheckResult]
    transcript: Transcript | None = None
    ledger: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    error: str | None = None
    escalated: bool = False
    stats: dict[str, int] = field(default_factory=dict)
    resolution_turn: int | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(check.passed for check in self.checks)

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]

    @property
    def turns(self) -> int:
        return len(self.transcript.turns) if self.transcript else 0

    def violations(self, names: tuple[str, ...]) -> int:
        return sum(check.violations for check in self.checks if check.name in names)


@dataclass
class ScenarioResult:
    loaded: LoadedScenario
    runs: list[ScenarioRun]

    @property
    def id(self) -> str:
        return self.loaded.scenario.id

    @property
    def passed(self) -> bool:
        return all(run.passed for run in self.runs)

    @property
    def runs_passed(self) -> int:
        return sum(run.passed for run in self.runs)

    @property
    def shown_run(self) -> ScenarioRun:
        """The run a report shows: the first that failed, else the first."""
        return next((run for run in self.runs if not run.passed), self.runs[0])


def pass_hat(results: list[ScenarioResult], k: int) -> float:
    """pass^k: the chance that k runs of a scenario all pass, averaged over scenarios,
    estimated without bias from n >= k runs each as C(c, k) / C(n, k)."""
    if not results:
        return 0.0
    scores = []
    for result in results:
        n, c = len(result.runs), result.runs_passed
        scores.append(comb(c, k) / comb(n, k) if n >= k else 0.0)
    return round(mean(scores), 4)


def summarize(results: list[ScenarioResult], k: int) -> dict[str, Any]:
    runs = [run for result in results for run in result.runs]
    passed_runs = sum(run.passed for run in runs)
    return {
        "scenarios": len(results),
        "runs": len(runs),
        "passed": sum(result.passed for result in results),
        "pass_rate": round(passed_runs / len(runs), 4) if runs else 0.0,
        "pass_hat_k": pass_hat(results, k),
        "pass_hat": {str(j): pass_hat(results, j) for j in range(1, k + 1)},
        "metrics": metrics(runs),
        "by_tag": by_tag(results),
    }


def metrics(runs: list[ScenarioRun]) -> dict[str, Any]:
    if not runs:
        return {}
    resolved = [run for run in runs if run.passed and not run.escalated]
    turns_to_resolution = [run.resolution_turn for run in resolved if run.resolution_turn]
    return {
        "containment": round(len(resolved) / len(runs), 4),
        "escalation_rate": round(sum(run.escalated for run in runs) / len(runs), 4),
        "grounding_violations": sum(run.violations(GROUNDING) for run in runs),
        "policy_violations": sum(run.violations(POLICY) for run in runs),
        "disclosure_violations": sum(run.violations(DISCLOSURE) for run in runs),
        "window_violations": sum(run.violations(WINDOW) for run in runs),
        "guard_events": sum(_guard_events(run.stats) for run in runs),
        "brain_fallbacks": sum(run.stats.get("brain_fallbacks", 0) for run in runs),
        "errors": sum(run.error is not None for run in runs),
        "turns_per_conversation": round(mean(run.turns for run in runs), 2),
        "turns_to_resolution": round(mean(turns_to_resolution), 2) if turns_to_resolution else None,
        "llm_calls_per_conversation": round(mean(run.stats.get("llm_calls", 0) for run in runs), 2),
        "tokens_per_conversation": round(mean(run.stats.get("tokens", 0) for run in runs), 1),
        "simulator_llm_calls": sum(run.stats.get("simulator_llm_calls", 0) for run in runs),
        "seconds_per_run": round(mean(run.duration for run in runs), 3),
    }


def by_tag(results: list[ScenarioResult]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[ScenarioResult]] = defaultdict(list)
    for result in results:
        for tag in result.loaded.scenario.tags or ["(untagged)"]:
            groups[tag].append(result)
    return {
        tag: {
            "scenarios": len(items),
            "passed": sum(item.passed for item in items),
            "pass_rate": round(sum(item.passed for item in items) / len(items), 4),
        }
        for tag, items in sorted(groups.items())
    }


def _guard_events(stats: dict[str, int]) -> int:
    return sum(value for key, value in stats.items() if key.startswith("guard_"))
