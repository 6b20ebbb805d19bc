"""The persistent index: reused while the documents are unchanged, patched when they change,
and reopened by a fresh process with no model download."""

import json
import os
import subprocess
import sys
from pathlib import Path

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings

from knowledge.embedding import model_id
from knowledge.search import KnowledgeBase
from knowledge.store import COLLECTION, HEADING_SUFFIX, INDEX_LAYOUT


def test_the_first_open_embeds_every_passage_and_the_second_reuses_them(
    tmp_path: Path, tiny_docs: Path
) -> None:
    first = KnowledgeBase.at(tmp_path / "index", tiny_docs)
    second = KnowledgeBase.at(tmp_path / "index", tiny_docs)

    assert (first.last_sync.embedded, first.last_sync.kept) == (3, 0)
    assert (second.last_sync.embedded, second.last_sync.kept) == (0, 3)
    assert second.search("posso pagar com pix?", 1).hits[0].passage.id == (
        "pagamento#posso-pagar-com-pix"
    )


def test_an_edited_section_is_re_embedded_alone(tmp_path: Path, tiny_docs: Path) -> None:
    KnowledgeBase.at(tmp_path / "index", tiny_docs)
    path = tiny_docs / "religacao.md"
    path.write_text(path.read_text().replace("1 dia", "24 horas"), encoding="utf-8")

    base = KnowledgeBase.at(tmp_path / "index", tiny_docs)

    assert (base.last_sync.embedded, base.last_sync.kept, base.last_sync.deleted) == (1, 2, 0)
    hit = base.search("quando a internet volta depois de pagar", 1).hits[0]
    assert "24 horas" in hit.passage.text


def test_a_removed_document_leaves_the_index(tmp_path: Path, tiny_docs: Path) -> None:
    KnowledgeBase.at(tmp_path / "index", tiny_docs)
    (tiny_docs / "religacao.md").unlink()

    base = KnowledgeBase.at(tmp_path / "index", tiny_docs)

    assert (base.last_sync.embedded, base.last_sync.deleted) == (0, 1)
    assert base.store.count() == 2 * 2
    assert all(hit.passage.document == "pagamento" for hit in base.search("internet", 3).hits)


def test_rebuild_embeds_everything_again(tmp_path: Path, tiny_docs: Path) -> None:
    KnowledgeBase.at(tmp_path / "index", tiny_docs)

    base = KnowledgeBase.at(tmp_path / "index", tiny_docs, rebuild=True)

    assert (base.last_sync.embedded, base.last_sync.kept) == (3, 0)
    assert base.store.count() == 3 * 2


REOPEN = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise OSError("network access attempted")

socket.socket.connect = refuse
socket.create_connection = refuse

import chromadb
from chromadb.config import Settings
from knowledge.embedding import E5EmbeddingFunction
from knowledge.search import KnowledgeBase

index, docs = sys.argv[1], sys.argv[2]
client = chromadb.PersistentClient(index, settings=Settings(anonymized_telemetry=False))
collection = client.get_collection(sys.argv[3])
found = collection.query(query_texts=["pagar com pix"], n_results=1)
base = KnowledgeBase.at(__import__("pathlib").Path(index), __import__("pathlib").Path(docs))
print(json.dumps({
    "function": type(collection.configuration["embedding_function"]).__name__,
    "direct": found["ids"][0][0].removesuffix(sys.argv[4]),
    "embedded": base.last_sync.embedded,
    "top": base.search("quando a internet volta", 1).hits[0].passage.id,
}))
"""


def test_a_fresh_process_reopens_the_collection_offline(tmp_path: Path, tiny_docs: Path) -> None:
    KnowledgeBase.at(tmp_path / "index", tiny_docs)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "error"}
    names = [COLLECTION, HEADING_SUFFIX]

    result = subprocess.run(
        [sys.executable, "-c", REOPEN, str(tmp_path / "index"), str(tiny_docs), *names],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "function": "E5EmbeddingFunction",
        "direct": "pagamento#posso-pagar-com-pix",
        "embedded": 0,
        "top": "religacao#quando-a-internet-volta",
    }


def _collection(index: Path) -> Collection:
    client = chromadb.PersistentClient(str(index), settings=Settings(anonymized_telemetry=False))
    return client.get_collection(COLLECTION)


def test_an_index_of_another_layout_is_rewritten_whole(tmp_path: Path, tiny_docs: Path) -> None:
    KnowledgeBase.at(tmp_path / "index", tiny_docs)
    collection = _collection(tmp_path / "index")
    stamp = dict(collection.metadata or {})
    collection.modify(metadata={**stamp, "layout": INDEX_LAYOUT - 1})
    collection.add(ids=["pagamento#old-record"], embeddings=[[0.0] * 383 + [1.0]])

    base = KnowledgeBase.at(tmp_path / "index", tiny_docs)

    assert (base.last_sync.embedded, base.last_sync.kept, base.last_sync.deleted) == (3, 0, 1)
    assert base.store.count() == 3 * 2


def test_vectors_of_another_model_are_dropped(tmp_path: Path, tiny_docs: Path) -> None:
    KnowledgeBase.at(tmp_path / "index", tiny_docs)
    collection = _collection(tmp_path / "index")
    collection.modify(metadata={**dict(collection.metadata or {}), "model": "another-model"})

    base = KnowledgeBase.at(tmp_path / "index", tiny_docs)

    assert (base.last_sync.embedded, base.last_sync.kept) == (3, 0)
    assert _collection(tmp_path / "index").metadata == {
        "corpus_hash": base.corpus.content_hash,
        "model": model_id(),
        "layout": INDEX_LAYOUT,
    }
    assert base.search("pix", 1).hits[0].passage.document == "pagamento"
