"""`quita knowledge search` and `quita knowledge rebuild` as a user calls them."""

import json
import sys
from pathlib import Path

import pytest

from quita import cli
from quita.settings import get_settings


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["quita", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.usefixtures("knowledge_env")
def test_search_json_lists_passages_with_document_and_score(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        capsys, monkeypatch, "knowledge", "search", "posso pagar em loterica?", "--k", "2", "--json"
    )

    assert code == 0
    passages = json.loads(out)
    assert len(passages) == 2
    assert passages[0]["document"] == "pagamento.md"
    assert "lotérica" in passages[0]["section"]
    assert set(passages[0]) >= {"document", "title", "section", "score", "text", "relevant"}
    assert passages[0]["score"] >= passages[1]["score"] - 0.05


@pytest.mark.usefixtures("knowledge_env")
def test_search_prints_the_citation_and_says_when_nothing_is_relevant(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, monkeypatch, "knowledge", "search", "quando volta minha net")
    assert code == 0
    assert "religacao.md" in out
    assert "Quando minha internet volta depois que eu pagar?" in out
    assert "Nothing is relevant enough" not in out

    code, out, _ = run(capsys, monkeypatch, "knowledge", "search", "receita de bolo", "--k", "1")
    assert code == 0
    assert "Nothing is relevant enough" in out


def test_rebuild_indexes_the_isp_documents_folder(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tiny_docs: Path,
) -> None:
    monkeypatch.setenv("QUITA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUITA_KNOWLEDGE_DIR", str(tiny_docs))
    get_settings.cache_clear()

    code, out, _ = run(capsys, monkeypatch, "knowledge", "rebuild")
    assert code == 0
    assert "Indexed 3 passages from 2 documents" in out

    code, out, _ = run(capsys, monkeypatch, "knowledge", "search", "pix", "--k", "1", "--json")
    assert json.loads(out)[0]["document"] == "pagamento.md"
    get_settings.cache_clear()


def test_a_missing_documents_folder_exits_non_zero_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUITA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUITA_KNOWLEDGE_DIR", str(tmp_path / "missing"))
    get_settings.cache_clear()

    code, out, err = run(capsys, monkeypatch, "knowledge", "search", "pix")

    assert code == 1
    assert out == ""
    assert "knowledge folder not found" in err
    get_settings.cache_clear()
