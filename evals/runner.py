"""Running scenarios: each run gets its own SQLite ledger (a copy of one migrated template),
its own policy file and its own pipeline (web app, inbox worker with the agent, sender), and
shares only the knowledge base. Runs go in parallel threads."""

import logging
import os
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from openai import OpenAI
from sqlalchemy import Engine

from agent.brains.base import Brain
from agent.brains.factory import make_brain
from billing.phones import wa_id_of
from evals.checks import CheckResult, expectation_checks, matching_facts
from evals.conversation import converse
from evals.debtors import PersonaDebtor, ScriptedDebtor, SimulatedDebtor
from evals.invariants import invariant_checks
from evals.ledger_state import ledger_snapshot
from evals.llm_debtor import LlmPersonaDebtor
from evals.loader import LoadedScenario
from evals.policy_files import write_policy
from evals.results import ScenarioResult, ScenarioRun
from evals.schema import Scenario
from evals.served import ServedApp
from evals.speedups import RunEngines, shared_tls_context
from evals.transcript import Transcript
from evals.world import seed_world
from quita.db import make_engine, upgrade
from quita.policy import load_policy
from quita.settings import BrainName, Settings

logger = logging.getLogger(__name__)

Simulator = Literal["auto", "offline", "llm"]
Progress = Callable[[ScenarioRun], None]


@dataclass(frozen=True)
class RunConfig:
    """`k` runs per scenario; `workers` threads run scenarios at once, or with `processes`
    above 1 that many worker processes do; `simulator` picks who plays a persona (auto: an
    LLM when the brain is openai and OPENAI_BASE_URL is set)."""

    brain: BrainName = "offline"
    k: int = 1
    workers: int = 1
    processes: int = 1
    simulator: Simulator = "auto"


class EvalEnvironment:
    """What every run of one eval shares: the base settings, one open knowledge base, and a
    migrated template ledger copied for each run."""

    def __init__(self, settings: Settings, knowledge: Any, work_dir: Path) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.work_dir = work_dir
        self._template: Path | None = None
        self._lock = threading.Lock()
        self._simulator_client: OpenAI | None = None
        self.engines = RunEngines()
        self._served = threading.local()
        self._apps: list[ServedApp] = []

    @classmethod
    @contextmanager
    def open(cls, settings: Settings, knowledge: Any) -> Iterator["EvalEnvironment"]:
        scratch = scratch_folder()
        with (
            tempfile.TemporaryDirectory(prefix="quita-eval-", dir=scratch) as folder,
            shared_tls_context(),
        ):
            environment = cls(settings, knowledge, Path(folder))
            try:
                yield environment
            finally:
                environment.close()

    def template(self) -> Path:
        """The migrated, empty ledger every run starts from (migrated once: ~0.5 s)."""
        with self._lock:
            if self._template is None:
                path = self.work_dir / "template.db"
                engine = make_engine(f"sqlite:///{path}")
                try:
                    upgrade(engine)
                    with engine.connect() as connection:
                        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    engine.dispose()
                self._template = path
            return self._template

    def simulator_client(self) -> OpenAI:
        with self._lock:
            if self._simulator_client is None:
                key = self.settings.openai_api_key
                self._simulator_client = OpenAI(
                    base_url=self.settings.openai_base_url,
                    api_key=key.get_secret_value() if key else "not-needed",
                    timeout=self.settings.llm_timeout,
                    max_retries=1,
                )
            return self._simulator_client

    def served_app(self, settings: Settings, engine: Engine) -> ServedApp:
        """This thread's web app, started on first use (with a migrated `engine`)."""
        app: ServedApp | None = getattr(self._served, "app", None)
        if app is None:
            app = ServedApp(settings, engine)
            self._served.app = app
            with self._lock:
                self._apps.append(app)
        return app

    def close(self) -> None:
        for app in self._apps:
            app.close()
        self._apps.clear()
        self.engines.close()
        if self._simulator_client is not None:
            self._simulator_client.close()


def scratch_folder() -> str | None:
    """Where runs keep their throwaway ledgers: memory-backed /dev/shm when there is one,
    since every commit there skips the disk's fsync (about 2 ms each, dozens per turn)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return str(shm)
    return None


def run_suite(
    scenarios: list[LoadedScenario],
    environment: EvalEnvironment,
    config: RunConfig,
    progress: Progress | None = None,
) -> list[ScenarioResult]:
    """Every scenario `config.k` times; results in the scenarios' order."""
    tasks = [(loaded, run) for run in range(config.k) for loaded in scenarios]
    runs: dict[str, list[ScenarioRun]] = {loaded.scenario.id: [] for loaded in scenarios}

    def done(outcome: ScenarioRun) -> None:
        runs[outcome.scenario_id].append(outcome)
        if progress is not None:
            progress(outcome)

    if config.processes > 1:
        from evals.processes import knowledge_source, run_in_processes

        source = knowledge_source(environment.knowledge, environment.settings)
        run_in_processes(tasks, environment.settings, source, config, done)
    else:
        with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
            futures = [
                pool.submit(run_scenario, loaded, environment, config, run) for loaded, run in tasks
            ]
            for future in as_completed(futures):
                done(future.result())
    return [
        ScenarioResult(loaded, sorted(runs[loaded.scenario.id], key=lambda item: item.run))
        for loaded in scenarios
    ]


def run_scenario(
    loaded: LoadedScenario, environment: EvalEnvironment, config: RunConfig, run: int = 0
) -> ScenarioRun:
    """One run; never raises: a crash is a failed `run` check carrying the traceback."""
    scenario = loaded.scenario
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix=f"{scenario.id[:40]}-", dir=environment.work_dir))
    try:
        outcome = _run(scenario, environment, config, run, folder)
    except Exception as error:
        logger.exception("eval scenario %s crashed", scenario.id, extra={"scenario": scenario.id})
        detail = f"{type(error).__name__}: {error}"
        outcome = ScenarioRun(
            scenario.id, run, [CheckResult("run", False, detail)], error=traceback.format_exc()
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    outcome.duration = round(time.perf_counter() - started, 3)
    return outcome


def _run(
    scenario: Scenario, environment: EvalEnvironment, config: RunConfig, run: int, folder: Path
) -> ScenarioRun:
    database = folder / "quita.db"
    shutil.copyfile(environment.template(), database)
    policy_file = write_policy(scenario.policy, folder)
    settings = environment.settings.model_copy(
        update={
            "database_url": f"sqlite:///{database}",
            "data_dir": folder,
            "today": scenario.today,
            "policy_file": policy_file,
            "redis_url": None,
            "mode": "development",
            "brain": config.brain,
        }
    )
    policy = load_policy(policy_file)
    wa_id = wa_id_of(scenario.phone)
    engine = environment.engines.engine_for(database)
    try:
        seeded = seed_world(engine, scenario, policy)
        debtor = make_debtor(scenario, environment, config)
        served = environment.served_app(settings, engine)
        with (
            _brain(settings) as brain,
            served.pipeline(
                settings, engine, knowledge=environment.knowledge, brain=brain
            ) as pipeline,
        ):
            transcript = converse(
                pipeline,
                debtor,
                wa_id=wa_id,
                name=scenario.debtor.name or _first_name(scenario),
                today=scenario.today,
                templates=policy.templates,
            )
        ledger = ledger_snapshot(engine, seeded, wa_id)
    finally:
        environment.engines.release()
    checks = expectation_checks(scenario, transcript, ledger)
    checks += invariant_checks(scenario, transcript, ledger, policy, seeded.renegotiation)
    return ScenarioRun(
        scenario.id,
        run,
        checks,
        transcript,
        ledger,
        escalated=bool(ledger.get("escalations")) or ledger.get("thread_owner") == "staff",
        stats=_stats(transcript, debtor),
        resolution_turn=resolution_turn(scenario, transcript),
    )


def make_debtor(
    scenario: Scenario, environment: EvalEnvironment, config: RunConfig
) -> SimulatedDebtor:
    persona = scenario.debtor.persona
    if persona is None:
        return ScriptedDebtor(scenario.debtor.scripted())
    document = _document_of(scenario)
    if _llm_plays(config, environment.settings):
        client = environment.simulator_client()
        return LlmPersonaDebtor(persona, document, client, environment.settings.llm_model)
    return PersonaDebtor(persona, document)


def resolution_turn(scenario: Scenario, transcript: Transcript) -> int | None:
    """The turn (1-based) by which every expected tool had been called; the conversation's
    length when nothing is expected; None when an expected tool never was."""
    if not scenario.expect.tools_called:
        return len(transcript.turns) or None
    latest = 0
    for ref in scenario.expect.tools_called:
        found = matching_facts(ref, transcript.facts)
        if not found:
            return None
        position = transcript.facts.index(found[0]) + 1
        turn = next(t.index for t in transcript.turns if t.facts_upto >= position)
        latest = max(latest, turn + 1)
    return latest


@contextmanager
def _brain(settings: Settings) -> Iterator[Brain]:
    """The run's brain (settings.brain), its HTTP client closed when the run ends."""
    brain = make_brain(settings)
    try:
        yield brain
    finally:
        close = getattr(brain, "close", None)
        if callable(close):
            close()


def _llm_plays(config: RunConfig, settings: Settings) -> bool:
    if config.simulator == "llm":
        return True
    return (
        config.simulator == "auto" and config.brain == "openai" and bool(settings.openai_base_url)
    )


def _stats(transcript: Transcript, debtor: SimulatedDebtor) -> dict[str, int]:
    stats = {key: int(value) for key, value in (transcript.state.get("stats") or {}).items()}
    simulator = getattr(debtor, "stats", None)
    if simulator is not None:
        stats["simulator_llm_calls"] = simulator.llm_calls
        stats["simulator_tokens"] = simulator.tokens
        stats["simulator_premature_ends"] = simulator.premature_ends
    return stats


def _document_of(scenario: Scenario) -> str:
    customers = scenario.world.customers
    owner = next((c for c in customers if c.phone == scenario.phone), None)
    chosen = owner or (customers[0] if customers else None)
    return chosen.document if chosen else ""


def _first_name(scenario: Scenario) -> str | None:
    customers = [c for c in scenario.world.customers if c.phone == scenario.phone]
    return customers[0].name.split()[0].title() if customers else None
