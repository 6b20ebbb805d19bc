"""The passages' vectors in a persistent chromadb collection, kept in step with the documents.

Each passage has two records: its whole text (id: the passage id) and its heading alone (id:
passage id + HEADING_SUFFIX), as a short question matches a short heading better than a
paragraph. Each record's metadata holds its passage's content hash; the collection's metadata
holds the hash of the whole corpus and the embedding model id. Opening compares hashes: equal
means reuse as is; otherwise only new or edited passages are embedded and vanished ones deleted.
"""

import fcntl
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import QueryResult
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from knowledge.corpus import Corpus, Passage
from knowledge.embedding import E5EmbeddingFunction, model_id

logger = logging.getLogger(__name__)

COLLECTION = "quita-knowledge"
HEADING_SUFFIX = "::heading"
# Bump when what is stored per passage changes: a stored index of another layout is rebuilt.
INDEX_LAYOUT = 2
BATCH = 16
Progress = Callable[[int, int], None]
"""Called with (passages embedded so far, passages to embed) while a sync embeds."""


@dataclass(frozen=True)
class SyncReport:
    """What opening did: passages embedded anew, deleted, and left as they were."""

    embedded: int
    deleted: int
    kept: int

    @property
    def changed(self) -> bool:
        return bool(self.embedded or self.deleted)


class PassageStore:
    """The collection in `folder` (created on first use), holding vectors for one corpus."""

    def __init__(self, folder: Path, embedding: E5EmbeddingFunction) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._embedding = embedding
        self._client: ClientAPI = chromadb.PersistentClient(
            path=str(folder), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self._collection = self._open(reset=False)

    def sync(
        self, corpus: Corpus, *, force: bool = False, progress: Progress | None = None
    ) -> SyncReport:
        """Make the collection hold exactly `corpus`; `force` re-embeds every passage."""
        if not force and self._is_current(corpus):
            return SyncReport(embedded=0, deleted=0, kept=len(corpus.passages))
        with _exclusive(self.folder / "sync.lock"):
            # Another process may have synced while this one waited for the lock.
            self._collection = self._open(reset=False)
            if not force and self._is_current(corpus):
                return SyncReport(embedded=0, deleted=0, kept=len(corpus.passages))
            stored = self._metadata()
            if stored.get("model") not in (None, self._stamp(corpus)["model"]):
                # The collection's embedding function itself changes: start afresh.
                self._collection = self._open(reset=True)
            report = self._apply(corpus, progress, reembed=force or _layout_changed(stored))
            self._collection.modify(metadata=self._stamp(corpus))
        logger.info(
            "knowledge index synced: %d passages embedded, %d deleted, %d kept",
            report.embedded,
            report.deleted,
            report.kept,
            extra={"path": str(self.folder)},
        )
        return report

    def nearest(self, vector: Any, limit: int) -> list[tuple[str, float]]:
        """Up to `limit` (record id, cosine similarity) pairs, most similar first."""
        try:
            result = self._query(vector, limit)
        except NotFoundError:
            # Another process replaced the collection (a new embedding model): find it again.
            self._collection = self._open(reset=False)
            result = self._query(vector, limit)
        ids, distances = result["ids"][0], (result["distances"] or [[]])[0]
        return [(id_, 1.0 - float(distance)) for id_, distance in zip(ids, distances, strict=True)]

    def count(self) -> int:
        return self._collection.count()

    def _open(self, *, reset: bool) -> Collection:
        if reset:
            with suppress(NotFoundError):
                self._client.delete_collection(COLLECTION)
        try:
            return self._client.get_collection(COLLECTION)
        except NotFoundError:
            return self._client.create_collection(
                COLLECTION,
                embedding_function=self._embedding,  # type: ignore[arg-type]
                configuration={"hnsw": {"space": "cosine"}},
            )

    def _query(self, vector: Any, limit: int) -> QueryResult:
        return self._collection.query(
            query_embeddings=[vector], n_results=limit, include=["distances"]
        )

    def _metadata(self) -> dict[str, Any]:
        return dict(self._collection.metadata or {})

    def _is_current(self, corpus: Corpus) -> bool:
        return self._metadata() == self._stamp(corpus)

    def _stamp(self, corpus: Corpus) -> dict[str, Any]:
        return {
            "corpus_hash": corpus.content_hash,
            "model": model_id(self._embedding.variant),
            "layout": INDEX_LAYOUT,
        }

    def _apply(self, corpus: Corpus, progress: Progress | None, *, reembed: bool) -> SyncReport:
        stored = self._stored_hashes()
        wanted = {id_ for passage in corpus.passages for id_, _, _ in _records(passage)}
        stale = [id_ for id_ in stored if id_ not in wanted]
        fresh = [p for p in corpus.passages if reembed or not _is_stored(p, stored)]
        if stale:
            self._collection.delete(ids=stale)
        for done, batch in _batches(fresh):
            records = [record for passage in batch for record in _records(passage)]
            self._collection.upsert(
                ids=[id_ for id_, _, _ in records],
                documents=[text for _, text, _ in records],
                metadatas=[metadata for _, _, metadata in records],
            )
            if progress is not None:
                progress(done, len(fresh))
        current = {passage.id for passage in corpus.passages}
        deleted = len({passage_of(id_) for id_ in stale} - current)
        return SyncReport(
            embedded=len(fresh), deleted=deleted, kept=len(corpus.passages) - len(fresh)
        )

    def _stored_hashes(self) -> dict[str, str]:
        records = self._collection.get(include=["metadatas"])
        metadatas = records["metadatas"] or []
        return {
            id_: str((metadata or {}).get("hash", ""))
            for id_, metadata in zip(records["ids"], metadatas, strict=True)
        }


def _layout_changed(metadata: dict[str, Any]) -> bool:
    """Records stored in another layout are all rewritten (a new, empty collection is not)."""
    return bool(metadata) and metadata.get("layout") != INDEX_LAYOUT


def passage_of(record_id: str) -> str:
    """The passage a record belongs to."""
    return record_id.removesuffix(HEADING_SUFFIX)


def is_heading(record_id: str) -> bool:
    return record_id.endswith(HEADING_SUFFIX)


def _is_stored(passage: Passage, stored: dict[str, str]) -> bool:
    ids = (passage.id, passage.id + HEADING_SUFFIX)
    return all(stored.get(id_) == passage.content_hash for id_ in ids)


def _records(passage: Passage) -> list[tuple[str, str, dict[str, str | int | float | bool]]]:
    metadata: dict[str, str | int | float | bool] = {
        "hash": passage.content_hash,
        "document": passage.document,
    }
    return [
        (passage.id, passage.embedding_text(), metadata),
        (passage.id + HEADING_SUFFIX, passage.section, metadata),
    ]


def _batches(passages: list[Passage]) -> Iterator[tuple[int, list[Passage]]]:
    for start in range(0, len(passages), BATCH):
        batch = passages[start : start + BATCH]
        yield start + len(batch), batch


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Serialises syncs between processes sharing the data folder (web, worker, CLI)."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
