"""One eval from start to finish: load the scenarios, run them, build the report. The CLI,
the benchmark and the tests all go through here."""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.compare import compare_reports
from evals.loader import LoadedScenario, load_scenarios
from evals.report_json import build_report
from evals.results import ScenarioResult
from evals.runner import EvalEnvironment, Progress, RunConfig, run_suite
from quita.settings import Settings


@dataclass
class Evaluation:
    results: list[ScenarioResult]
    report: dict[str, Any]


def select(scenarios: list[LoadedScenario], tags: list[str]) -> list[LoadedScenario]:
    """The scenarios carrying any of `tags` (all of them when no tag is given)."""
    if not tags:
        return scenarios
    wanted = set(tags)
    return [loaded for loaded in scenarios if wanted & set(loaded.scenario.tags)]


def evaluate(
    scenarios: list[LoadedScenario],
    *,
    settings: Settings,
    knowledge: Any,
    config: RunConfig,
    paths: list[str],
    previous: tuple[str, dict[str, Any]] | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Run `scenarios` and build the JSON report; `previous` is (label, report) to compare."""
    started = time.perf_counter()
    with EvalEnvironment.open(settings, knowledge) as environment:
        results = run_suite(scenarios, environment, config, progress)
    report = build_report(
        results,
        k=config.k,
        brain=config.brain,
        paths=paths,
        duration=time.perf_counter() - started,
    )
    if previous is not None:
        label, earlier = previous
        report["comparison"] = compare_reports(earlier, report, label)
    return Evaluation(results, report)


def load(paths: list[Path], tags: list[str]) -> list[LoadedScenario]:
    return select(load_scenarios(paths), tags)
