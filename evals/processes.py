"""Running an eval across processes, so a conversation's Python work is not limited to one
core by the GIL. Each worker process opens its own environment (knowledge base, template
ledger, web app per thread) once, then runs batches of `config.workers` scenarios on as many
threads; results come back pickled.

Workers start from a fork server that has already imported the pipeline, so each costs a
fork and the knowledge base's opening (about a second), not a fresh interpreter's imports.
"""

import atexit
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import ExitStack
from pathlib import Path

from evals.loader import LoadedScenario
from evals.results import ScenarioRun
from evals.runner import EvalEnvironment, RunConfig, run_scenario
from quita.settings import Settings

PRELOAD = ["evals.runner", "knowledge.search", "quita.app"]
KnowledgeSource = tuple[Path, Path | None]

_environment: EvalEnvironment | None = None


def run_in_processes(
    tasks: list[tuple[LoadedScenario, int]],
    settings: Settings,
    knowledge: KnowledgeSource | None,
    config: RunConfig,
    on_done: Callable[[ScenarioRun], None],
) -> None:
    """Run every (scenario, run index) in `config.processes` worker processes; `on_done`
    gets each run as it finishes, in the calling thread."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    with ProcessPoolExecutor(
        max_workers=config.processes,
        mp_context=context,
        initializer=_start,
        initargs=(settings, knowledge),
    ) as pool:
        size = max(1, config.workers)
        batches = [tasks[start : start + size] for start in range(0, len(tasks), size)]
        futures = [pool.submit(_run_batch, batch, config) for batch in batches]
        for future in as_completed(futures):
            for outcome in future.result():
                on_done(outcome)


def knowledge_source(knowledge: object, settings: Settings) -> KnowledgeSource | None:
    """Where a worker process reopens the same knowledge base: its index folder and the
    documents folder (None: the bundled documents)."""
    index_dir = getattr(knowledge, "index_dir", None)
    if not isinstance(index_dir, Path):
        return None
    return index_dir, settings.knowledge_dir


def _start(settings: Settings, source: KnowledgeSource | None) -> None:
    global _environment
    from knowledge.search import KnowledgeBase
    from quita.logs import configure_logging

    configure_logging(os.environ.get("QUITA_LOG_LEVEL", "WARNING"))
    knowledge = KnowledgeBase.at(*source) if source is not None else None
    stack = ExitStack()
    _environment = stack.enter_context(EvalEnvironment.open(settings, knowledge))
    atexit.register(stack.close)


def _run_batch(batch: list[tuple[LoadedScenario, int]], config: RunConfig) -> list[ScenarioRun]:
    environment = _environment
    if environment is None:
        raise RuntimeError("eval worker process used before it started")
    with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
        futures = [
            pool.submit(run_scenario, loaded, environment, config, run) for loaded, run in batch
        ]
        return [future.result() for future in futures]
