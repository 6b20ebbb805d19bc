"""The terminal side of an eval: a progress bar while scenarios run, then a summary."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from evals.results import ScenarioRun
from evals.runner import Progress as ProgressCallback

MAX_FAILURES_SHOWN = 40


@contextmanager
def progress_bar(console: Console, total: int) -> Iterator[ProgressCallback]:
    """A bar advancing with every finished run; failed runs are counted beside it."""
    columns = (
        TextColumn("[bold]eval"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("eval", total=total, failed=0)
        failed = 0

        def advance(run: ScenarioRun) -> None:
            nonlocal failed
            failed += 0 if run.passed else 1
            bar.update(task, advance=1, failed=failed)

        yield advance


def print_summary(console: Console, report: dict[str, Any]) -> None:
    metrics = report.get("metrics") or {}
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    k = report.get("k", 1)
    rows: list[tuple[str, Any]] = [
        ("scenarios", report["scenarios"]),
        ("passed", report["passed"]),
        ("pass rate", _percent(report["pass_rate"])),
        (f"pass^{k}", _percent(report["pass_hat_k"])),
        ("containment", _percent(metrics.get("containment"))),
        ("escalation rate", _percent(metrics.get("escalation_rate"))),
        ("grounding violations", metrics.get("grounding_violations")),
        ("policy violations", metrics.get("policy_violations")),
        ("disclosure violations", metrics.get("disclosure_violations")),
        ("turns to resolution", metrics.get("turns_to_resolution")),
        ("LLM calls / conversation", metrics.get("llm_calls_per_conversation")),
        ("tokens / conversation", metrics.get("tokens_per_conversation")),
        ("wall time", f"{report.get('duration_seconds')} s"),
    ]
    for label, value in rows:
        if value is not None:
            table.add_row(label, str(value))
    console.print(table)
    _failures(console, report)
    _flips(console, report.get("comparison"))


def _failures(console: Console, report: dict[str, Any]) -> None:
    failing = [item for item in report["results"] if not item["passed"]]
    if not failing:
        return
    console.print(f"\n[bold red]{len(failing)} failing scenario(s)[/bold red]")
    for item in failing[:MAX_FAILURES_SHOWN]:
        checks = item.get("failed_checks") or []
        first = checks[0] if checks else {"check": "?", "detail": ""}
        more = f" (+{len(checks) - 1} more)" if len(checks) > 1 else ""
        detail = f": {first.get('detail')}" if first.get("detail") else ""
        console.print(f"  {item['id']}  {first['check']}{detail}{more}", markup=False)
    if len(failing) > MAX_FAILURES_SHOWN:
        console.print(f"  ... and {len(failing) - MAX_FAILURES_SHOWN} more")


def _flips(console: Console, comparison: dict[str, Any] | None) -> None:
    if not comparison:
        return
    delta = comparison.get("pass_rate_delta")
    change = "" if delta is None else f" (pass rate {delta:+.2%})"
    console.print(f"\n[bold]Compared with {comparison['against']}[/bold]{change}")
    for label, key in (("newly failing", "newly_failing"), ("newly passing", "newly_passing")):
        ids = comparison.get(key) or []
        if ids:
            console.print(f"  {label}: {', '.join(ids)}", markup=False)
    if not comparison.get("newly_failing") and not comparison.get("newly_passing"):
        console.print("  no scenario flipped")


def _percent(value: Any) -> str | None:
    return f"{value:.1%}" if isinstance(value, int | float) else None
