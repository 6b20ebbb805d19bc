"""The JSON report: the contract's `scenarios`, `passed`, `pass_rate`, `pass_hat_k` and one
result per scenario with its failed checks, plus the metrics, pass rates by tag, and each
scenario's transcript and final ledger (of its first failing run, else its first run)."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.results import ScenarioResult, ScenarioRun, summarize

REPORT_VERSION = 1


class ReportError(ValueError):
    """A previous report cannot be read for comparison; the message says why."""


def build_report(
    results: list[ScenarioResult],
    *,
    k: int,
    brain: str,
    paths: list[str],
    duration: float,
    comparison: dict[str, Any] | None = None,
) -> dict[str, Any]:
    summary = summarize(results, k)
    report: dict[str, Any] = {
        "version": REPORT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "brain": brain,
        "k": k,
        "paths": paths,
        "duration_seconds": round(duration, 2),
        **summary,
        "results": [result_json(result) for result in results],
    }
    if comparison is not None:
        report["comparison"] = comparison
    return report


def result_json(result: ScenarioResult) -> dict[str, Any]:
    scenario = result.loaded.scenario
    shown = result.shown_run
    item: dict[str, Any] = {
        "id": scenario.id,
        "description": scenario.description,
        "tags": scenario.tags,
        "file": result.loaded.where,
        "passed": result.passed,
        "runs": len(result.runs),
        "runs_passed": result.runs_passed,
        "failed_checks": [check.to_json() for check in shown.failed_checks],
        "checks": len(shown.checks),
        "duration_seconds": shown.duration,
        "turns": shown.turns,
        "escalated": shown.escalated,
        "resolution_turn": shown.resolution_turn,
        "stats": shown.stats,
        "ended_by": shown.transcript.ended_by if shown.transcript else None,
        "transcript": _transcript(shown),
        "ledger": {key: value for key, value in shown.ledger.items() if key != "outbox"},
        "error": shown.error,
    }
    if len(result.runs) > 1:
        item["run_outcomes"] = [
            {
                "run": run.run,
                "passed": run.passed,
                "failed_checks": [c.to_json() for c in run.failed_checks],
            }
            for run in result.runs
        ]
    return item


def write_report(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), "utf-8")


def read_report(path: Path) -> dict[str, Any]:
    """A report written earlier; raises ReportError when it is missing or not a report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportError(f"{path}: cannot read the report: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ReportError(f"{path}: not an eval report (no `results` list)")
    return data


def _transcript(run: ScenarioRun) -> list[dict[str, Any]]:
    if run.transcript is None:
        return []
    return [turn.to_json() for turn in run.transcript.turns]
