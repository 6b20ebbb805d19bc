"""One index of the bundled documents per test session (embedding them takes seconds), and a
tiny corpus for the tests that rebuild."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.search import KnowledgeBase
from quita.settings import get_settings

REPO = Path(__file__).parents[2]
LABELLED_SET = REPO / "bench" / "data" / "knowledge_questions.yaml"

TINY_DOCS = {
    "pagamento.md": """# Pagamento

Fonte: regras de teste.

## Posso pagar com Pix?

Sim, o Pix cai na hora, todos os dias.

## Onde pago o boleto?

Em bancos, lotéricas e aplicativos; compensa em até 3 dias úteis.
""",
    "religacao.md": """# Religação

Fonte: Anatel, RGC.

## Quando a internet volta?

Em até 1 dia depois que o pagamento é reconhecido.
""",
}


@pytest.fixture(scope="session")
def knowledge_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose `knowledge/` holds the index of the bundled documents."""
    data_dir = tmp_path_factory.mktemp("knowledge-data")
    KnowledgeBase.at(data_dir / "knowledge")
    return data_dir


@pytest.fixture(scope="session")
def knowledge_base(knowledge_data_dir: Path) -> KnowledgeBase:
    return KnowledgeBase.at(knowledge_data_dir / "knowledge")


@pytest.fixture
def tiny_docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in TINY_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def knowledge_env(monkeypatch: pytest.MonkeyPatch, knowledge_data_dir: Path) -> Iterator[Path]:
    """Process settings pointing at the session's data folder, as the CLI reads them."""
    monkeypatch.setenv("QUITA_DATA_DIR", str(knowledge_data_dir))
    monkeypatch.setenv("QUITA_MODE", "development")
    monkeypatch.delenv("QUITA_KNOWLEDGE_DIR", raising=False)
    get_settings.cache_clear()
    yield knowledge_data_dir
    get_settings.cache_clear()
