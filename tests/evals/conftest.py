"""Fixtures for the eval runner: one small knowledge base for the session, one eval
environment (with its web app) per module, and helpers to write scenario files."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evals.loader import LoadedScenario, load_file
from evals.runner import EvalEnvironment
from knowledge.search import KnowledgeBase
from quita.settings import Settings, get_settings

# Two short documents: enough for the agent's knowledge tool, quick to embed.
DOCS = {
    "religacao.md": (
        "# Religação da internet\n\nFonte: regras de teste.\n\n"
        "## Quando a internet volta depois que eu pagar?\n\n"
        "Depois que o pagamento é reconhecido, a internet volta em até 24 horas.\n"
    ),
    "pagamento.md": (
        "# Formas de pagamento\n\nFonte: regras de teste.\n\n"
        "## Posso pagar na lotérica?\n\n"
        "Pode pagar o boleto em qualquer lotérica ou banco.\n"
    ),
}

WORLD = """
  world:
    customers:
      - {id: C1, name: MARIA DAS DORES SOUZA, document: 529.982.247-25, phone: "+5511987654321"}
    invoices:
      - {id: INV-11, amount: "99.90", due: 2026-11-10}
"""


@pytest.fixture(scope="session")
def eval_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose `knowledge/` indexes the two test documents (QUITA_DATA_DIR)."""
    folder = tmp_path_factory.mktemp("eval-data")
    docs = folder / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def eval_settings(eval_data_dir: Path) -> Settings:
    return Settings(
        data_dir=eval_data_dir, knowledge_dir=eval_data_dir / "docs", mode="development"
    )


@pytest.fixture(scope="session")
def knowledge_base(eval_settings: Settings) -> KnowledgeBase:
    return KnowledgeBase.open(eval_settings)


@pytest.fixture(scope="module")
def environment(
    eval_settings: Settings, knowledge_base: KnowledgeBase
) -> Iterator[EvalEnvironment]:
    with EvalEnvironment.open(eval_settings, knowledge_base) as opened:
        yield opened


@pytest.fixture
def eval_env(monkeypatch: pytest.MonkeyPatch, eval_data_dir: Path) -> Iterator[Path]:
    """Process settings as `quita eval run` reads them, on the session's knowledge base."""
    monkeypatch.setenv("QUITA_DATA_DIR", str(eval_data_dir))
    monkeypatch.setenv("QUITA_KNOWLEDGE_DIR", str(eval_data_dir / "docs"))
    monkeypatch.setenv("QUITA_MODE", "development")
    for name in ("QUITA_DATABASE_URL", "QUITA_REDIS_URL", "QUITA_TODAY", "QUITA_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield eval_data_dir
    get_settings.cache_clear()


@pytest.fixture
def write_suite(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text to a file in a fresh folder; returns the file."""

    def write(text: str, name: str = "suite.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def scenario_from(write_suite: Callable[[str, str], Path]) -> Callable[[str], LoadedScenario]:
    """One scenario from the YAML body of a `scenarios:` item under the standard world."""

    def load(body: str) -> LoadedScenario:
        text = "defaults:\n  today: 2026-12-03\n" + WORLD + "scenarios:\n" + body
        (loaded,) = load_file(write_suite(text, "one.yaml"))
        return loaded

    return load
