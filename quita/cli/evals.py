"""`quita eval run`: conversation scenarios through the real pipeline, with a report.

Exit status: 0 when the run completed (and, with --gate or --min-pass-rate, the pass rate
reached the threshold); 1 when the pass rate is below the threshold or the run cannot start;
2 when a scenario file is invalid.
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from quita.cli.common import CliError, err, out, settings
from quita.settings import BrainName

if TYPE_CHECKING:
    from evals.loader import LoadedScenario

app = typer.Typer(
    help="Conversation evals: scenario suites run against the agent.", no_args_is_help=True
)

INVALID_SCENARIOS = 2
Simulator = Literal["auto", "offline", "llm"]


@app.command("run")
def run(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders (*.yaml).")],
    brain: Annotated[BrainName, typer.Option(help="The agent's brain.")] = "offline",
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="Runs per scenario.")] = 1,
    report: Annotated[Path | None, typer.Option(help="Write the JSON report here.")] = None,
    html: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    compare: Annotated[
        Path | None, typer.Option(help="A previous JSON report: show which scenarios flipped.")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="Only scenarios with this tag (repeatable).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Scenarios run at once per process (default: 2 x CPUs)."),
    ] = None,
    processes: Annotated[
        int, typer.Option(min=1, max=32, help="Worker processes (each with its own threads).")
    ] = 1,
    simulator: Annotated[
        Simulator,
        typer.Option(help="Who plays personas: auto (an LLM with --brain openai), offline, llm."),
    ] = "auto",
    min_pass_rate: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Exit 1 below this pass rate.")
    ] = None,
    gate: Annotated[
        bool, typer.Option(help="Exit 1 below the threshold in evals/threshold.json.")
    ] = False,
) -> None:
    """Run the scenarios in PATHS and report pass rate, pass^k and conversation metrics.

    The JSON report holds `scenarios`, `passed`, `pass_rate`, `pass_hat_k`, the metrics,
    pass rates by tag, and one result per scenario with its failed checks and transcript.
    """
    from evals.evaluation import evaluate  # heavy: the whole pipeline
    from evals.report_html import render_html
    from evals.report_json import write_report
    from evals.summary import print_summary, progress_bar

    scenarios = _load(paths, tag or [])
    threshold = _threshold(min_pass_rate, gate)
    config = _config(brain, k, workers, processes, simulator)
    previous = _previous(compare)
    base = settings()
    knowledge = _knowledge(base)
    with progress_bar(err, len(scenarios) * k) as advance:
        evaluation = evaluate(
            scenarios,
            settings=base,
            knowledge=knowledge,
            config=config,
            paths=[str(path) for path in paths],
            previous=previous,
            progress=advance,
        )
    result = evaluation.report
    if report is not None:
        write_report(result, report)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(result), encoding="utf-8")
    print_summary(out, result)
    _apply_gate(result["pass_rate"], threshold)


def _load(paths: list[Path], tags: list[str]) -> list["LoadedScenario"]:
    from evals.evaluation import load
    from evals.loader import ScenarioError

    try:
        scenarios = load(paths, tags)
    except ScenarioError as error:
        for problem in error.problems:
            err.print(f"error: {problem}", markup=False)
        raise typer.Exit(INVALID_SCENARIOS) from None
    if not scenarios:
        raise CliError("no scenario found" + (f" with tag {', '.join(tags)}" if tags else ""))
    return scenarios


def _threshold(min_pass_rate: float | None, gate: bool) -> float | None:
    if min_pass_rate is not None:
        return min_pass_rate
    if not gate:
        return None
    from evals.gate import GateError, read_threshold

    try:
        return read_threshold().min_pass_rate
    except GateError as error:
        raise CliError(str(error)) from error


def _config(
    brain: BrainName, k: int, workers: int | None, processes: int, simulator: Simulator
) -> Any:
    from evals.runner import RunConfig

    if brain == "openai":
        current = settings()
        if current.openai_api_key is None and not current.openai_base_url:
            raise CliError("--brain openai needs OPENAI_BASE_URL or OPENAI_API_KEY")
    if simulator == "llm" and not settings().openai_base_url and settings().openai_api_key is None:
        raise CliError("--simulator llm needs OPENAI_BASE_URL or OPENAI_API_KEY")
    # Threads overlap a conversation's waits (HTTP hops, commits); more than a few per core
    # only contend for the interpreter lock.
    threads = workers or min(8, 2 * (os.cpu_count() or 1))
    return RunConfig(brain=brain, k=k, workers=threads, processes=processes, simulator=simulator)


def _previous(path: Path | None) -> tuple[str, dict[str, Any]] | None:
    if path is None:
        return None
    from evals.report_json import ReportError, read_report

    try:
        return str(path), read_report(path)
    except ReportError as error:
        raise CliError(str(error)) from error


def _knowledge(base: Any) -> Any:
    from knowledge.errors import KnowledgeError
    from knowledge.search import KnowledgeBase

    err.print("Opening the knowledge base (the first time embeds the documents)...")
    try:
        return KnowledgeBase.open(base)
    except KnowledgeError as error:
        raise CliError(str(error)) from error


def _apply_gate(pass_rate: float, threshold: float | None) -> None:
    if threshold is None:
        return
    from evals.gate import gate_passes

    if not gate_passes(pass_rate, threshold):
        err.print(
            f"error: pass rate {pass_rate:.2%} is below the threshold {threshold:.2%}",
            markup=False,
        )
        raise typer.Exit(1)
    out.print(f"Gate passed: {pass_rate:.2%} >= {threshold:.2%}", markup=False)
