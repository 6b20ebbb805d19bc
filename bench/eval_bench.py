"""Benchmark: how fast the eval runner pushes scenarios through the real pipeline.

Usage: .venv/bin/python bench/eval_bench.py [--scenarios 200] [--workers 4] [--processes 1]
           [--suite evals/suites] [--data-dir .quita]
Repeats the bundled suite until it has --scenarios conversations (copies get a "~n" suffix),
runs them with the offline brain and prints the wall time, scenarios per second, CPU seconds
per scenario (in-process runs only) and the load average the machine had meanwhile.

Wall time depends on what else the machine runs; CPU seconds per scenario much less so. The
knowledge base index is reused from --data-dir (built there on the first run, ~40 s, not
counted in the figures).
"""

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from evals.loader import LoadedScenario, load_scenarios
from evals.runner import EvalEnvironment, RunConfig, run_suite
from knowledge.search import KnowledgeBase
from quita.settings import Settings

console = Console(width=None if sys.stdout.isatty() else 110)
SUITE = Path(__file__).resolve().parent.parent / "evals" / "suites"


def repeated(scenarios: list[LoadedScenario], count: int) -> list[LoadedScenario]:
    """`count` scenarios: the suite over and over, each copy with its own id."""
    out = []
    for index in range(count):
        loaded = scenarios[index % len(scenarios)]
        copy = index // len(scenarios)
        if copy:
            scenario = loaded.scenario.model_copy(update={"id": f"{loaded.scenario.id}~{copy}"})
            loaded = LoadedScenario(scenario, loaded.file, loaded.line)
        out.append(loaded)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="threads per process")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--suite", type=Path, default=SUITE)
    parser.add_argument("--data-dir", type=Path, default=Path(".quita"))
    args = parser.parse_args()

    settings = Settings(data_dir=args.data_dir, brain="offline")
    scenarios = repeated(load_scenarios([args.suite]), args.scenarios)
    knowledge = KnowledgeBase.open(settings)
    config = RunConfig(brain="offline", workers=args.workers, processes=args.processes)
    load_before = os.getloadavg()
    started, cpu_before = time.perf_counter(), _cpu_seconds()
    with EvalEnvironment.open(settings, knowledge) as environment:
        results = run_suite(scenarios, environment, config)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    turns = sum(run.turns for result in results for run in result.runs)
    passed = sum(result.passed for result in results)
    _show(args, len(results), turns, passed, wall, cpu, load_before, os.getloadavg())


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _show(
    args: argparse.Namespace,
    scenarios: int,
    turns: int,
    passed: int,
    wall: float,
    cpu: float,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    table = Table(title=f"eval bench: {scenarios} scenarios, offline brain, {os.cpu_count()} CPUs")
    for column in ("workers", "processes", "turns", "passed", "wall s", "scenarios/s"):
        table.add_column(column, justify="right")
    table.add_column("CPU s / scenario", justify="right")
    table.add_column("load 1-min", justify="right")
    table.add_row(
        str(args.workers),
        str(args.processes),
        str(turns),
        str(passed),
        f"{wall:.1f}",
        f"{scenarios / wall:.2f}",
        # Worker processes are children of the fork server, so their CPU is not ours to count.
        f"{cpu / scenarios:.3f}" if args.processes == 1 else "n/a",
        f"{load_before[0]:.1f} -> {load_after[0]:.1f}",
    )
    console.print(table)


if __name__ == "__main__":
    main()
