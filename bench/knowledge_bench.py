"""Benchmark: retrieval quality and query latency of the knowledge base, dense alone vs hybrid.

Usage: .venv/bin/python bench/knowledge_bench.py [--docs DIR] [--questions FILE] [--repeat 3]
Builds a fresh index of the documents (default: the bundled ones) in a temporary folder, then
scores the labelled questions (recall@1, recall@3 per split), times every search (p50, p99)
and checks the relevance decision on labelled and off-topic questions.

Wall-clock latency depends on what else the machine runs; CPU time per search (the process'
CPU seconds, summed over its threads) much less so: it is the work a search costs.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from knowledge.evaluation import (
    LabelledQuestion,
    LabelledSet,
    load_labelled_set,
    recall,
    unknown_answers,
)
from knowledge.search import RELEVANCE_THRESHOLD, KnowledgeBase, Retrieval

console = Console(width=None if sys.stdout.isatty() else 110)
QUESTIONS = Path(__file__).parent / "data" / "knowledge_questions.yaml"
RETRIEVALS: tuple[Retrieval, ...] = ("dense", "hybrid")
COLUMNS = ("retrieval", "split", "questions", "recall@1", "recall@3")
COLUMNS += ("p50 ms", "p99 ms", "p50 CPU ms")


def timed_open(index: Path, docs: Path | None) -> tuple[KnowledgeBase, float, float]:
    started = time.perf_counter()
    KnowledgeBase.at(index, docs)
    built = time.perf_counter() - started
    started = time.perf_counter()
    base = KnowledgeBase.at(index, docs)
    return base, built, time.perf_counter() - started


def latencies_ms(
    base: KnowledgeBase, questions: list[str], retrieval: Retrieval, repeat: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each search."""
    wall, cpu = [], []
    for _ in range(repeat):
        for question in questions:
            started, started_cpu = time.perf_counter(), time.process_time()
            base.search(question, 3, retrieval=retrieval)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def quality_table(base: KnowledgeBase, labelled: LabelledSet, repeat: int) -> Table:
    table = Table(title="Retrieval (k = 3)")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in ("retrieval", "split") else "right")
    texts = [question.text for question in labelled.questions]
    for retrieval in RETRIEVALS:
        wall, cpu = latencies_ms(base, texts, retrieval, repeat)
        timings = [statistics.median(wall), percentile(wall, 0.99), statistics.median(cpu)]
        for split, questions in splits(labelled):
            result = recall(base, questions, retrieval)
            shown = [f"{ms:.1f}" if split == "all" else "" for ms in timings]
            table.add_row(
                retrieval,
                split,
                str(len(questions)),
                f"{result.at_1:.3f}",
                f"{result.at_3:.3f}",
                *shown,
            )
    return table


def splits(labelled: LabelledSet) -> list[tuple[str, tuple[LabelledQuestion, ...]]]:
    return [
        ("dev", labelled.split("dev")),
        ("holdout", labelled.split("holdout")),
        ("all", labelled.questions),
    ]


def relevance_table(base: KnowledgeBase, labelled: LabelledSet) -> Table:
    table = Table(title=f"Relevance decision (threshold {RELEVANCE_THRESHOLD})")
    for column in ("questions", "count", "judged relevant", "best similarity min / max"):
        table.add_column(column, justify="left" if column == "questions" else "right")
    groups = [
        ("labelled (should be relevant)", [q.text for q in labelled.questions]),
        ("off-topic (should not)", list(labelled.off_topic)),
    ]
    for name, questions in groups:
        answers = [base.search(question) for question in questions]
        best = [max(hit.similarity for hit in answer.hits) for answer in answers]
        accepted = sum(answer.relevant for answer in answers)
        table.add_row(
            name,
            str(len(questions)),
            f"{accepted} ({accepted / len(questions):.0%})",
            f"{min(best):.3f} / {max(best):.3f}",
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=Path, help="documents folder (default: bundled)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the questions")
    args = parser.parse_args()

    labelled = load_labelled_set(args.questions)
    with tempfile.TemporaryDirectory() as folder:
        base, built, reopened = timed_open(Path(folder) / "knowledge", args.docs)
        missing = unknown_answers(labelled, base)
        if missing:
            console.print(f"[red]labelled passages not in the corpus: {missing}[/]")
        console.print(
            f"{len(base.corpus.passages)} passages; index built in {built:.1f} s,"
            f" reopened unchanged in {reopened * 1000:.0f} ms; {os.cpu_count()} CPUs,"
            f" load average {os.getloadavg()[0]:.2f}"
        )
        console.print(quality_table(base, labelled, args.repeat))
        console.print(relevance_table(base, labelled))


if __name__ == "__main__":
    main()
