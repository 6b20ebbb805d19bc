"""Searching the ISP's documents: the passages that answer a debtor's question, or none.

`KnowledgeBase.open(settings)` loads the documents (QUITA_KNOWLEDGE_DIR, else the bundled
ones), brings the chromadb index in `data_dir/knowledge` up to date and returns a base whose
`search` ranks passages by meaning and by words, and says whether the best one is relevant
enough to answer from.

A passage's similarity to a question is the mean of two e5 cosines: with the passage's whole
text and with its heading alone. Its rank adds a small share of its BM25 score. Both choices
are measured in bench/knowledge_bench.py (dense alone vs hybrid).
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from knowledge.corpus import Corpus, Passage, load_corpus
from knowledge.embedding import E5EmbeddingFunction, Vector
from knowledge.lexical import LexicalIndex
from knowledge.normalize import QueryNormalizer
from knowledge.store import PassageStore, Progress, SyncReport, is_heading, passage_of
from knowledge.text import words
from quita.settings import Settings

logger = logging.getLogger(__name__)

Retrieval = Literal["dense", "lexical", "hybrid"]
DEFAULT_K = 3
# Similarity below which the best passage is judged unrelated to the question. e5 cosines
# crowd into 0.75-0.95, so the margin is narrow; calibrated on the labelled and off-topic
# questions of bench/data/knowledge_questions.yaml (see bench/knowledge_bench.py).
RELEVANCE_THRESHOLD = 0.86
# Weight of the BM25 score, scaled to 0-1 by the query's best, added to the similarity.
LEXICAL_WEIGHT = 0.02
# Records (two per passage) fetched from the vector index: a small corpus is scored whole.
MAX_CANDIDATES = 400


@dataclass(frozen=True)
class Hit:
    """A passage found for a question.

    `similarity` (0-1) is what relevance is judged on and what `to_dict` shows as "score";
    `rank` is the key passages were ordered by (similarity plus the BM25 share).
    """

    passage: Passage
    similarity: float
    rank: float

    @property
    def relevant(self) -> bool:
        return self.similarity >= RELEVANCE_THRESHOLD

    @property
    def citation(self) -> str:
        """How a reply names where its answer came from: the document, "Title (file.md)"."""
        return f"{self.passage.title} ({self.passage.file_name})"

    def to_dict(self) -> dict[str, Any]:
        passage = self.passage
        return {
            "id": passage.id,
            "document": passage.file_name,
            "title": passage.title,
            "section": passage.section,
            "score": round(self.similarity, 4),
            "relevant": self.relevant,
            "text": passage.text,
            "source": passage.source,
            "citation": self.citation,
        }


@dataclass(frozen=True)
class KnowledgeAnswer:
    """The best passages for `query`, best first, and whether any is relevant enough.

    When `relevant` is false the agent must not answer from the passages: it says it does
    not know and offers a person. When true, it answers from the relevant hits only and
    cites their `citation`.
    """

    query: str
    hits: tuple[Hit, ...]
    threshold: float = RELEVANCE_THRESHOLD

    @property
    def relevant(self) -> bool:
        return any(hit.relevant for hit in self.hits)

    @property
    def relevant_hits(self) -> tuple[Hit, ...]:
        return tuple(hit for hit in self.hits if hit.relevant)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "relevant": self.relevant,
            "threshold": self.threshold,
            "passages": [hit.to_dict() for hit in self.hits],
        }


class KnowledgeBase:
    """The documents, their vectors and their BM25 index. Open once per process and reuse."""

    def __init__(
        self,
        corpus: Corpus,
        store: PassageStore,
        embedding: E5EmbeddingFunction,
        last_sync: SyncReport,
    ) -> None:
        self.corpus = corpus
        self.last_sync = last_sync
        self._store = store
        self._embedding = embedding
        self._lexical = LexicalIndex(corpus.passages)
        self._normalizer = QueryNormalizer(
            word for passage in corpus.passages for word in words(passage.embedding_text())
        )
        self._positions = {passage.id: index for index, passage in enumerate(corpus.passages)}

    @classmethod
    def open(
        cls, settings: Settings, *, rebuild: bool = False, progress: Progress | None = None
    ) -> "KnowledgeBase":
        """The base for these settings, re-embedding only what changed (all with `rebuild`).

        Raises KnowledgeError when the documents folder is missing or empty.
        """
        return cls.at(
            settings.data_dir / "knowledge",
            settings.knowledge_dir,
            rebuild=rebuild,
            progress=progress,
        )

    @classmethod
    def at(
        cls,
        index_dir: Path,
        docs_dir: Path | None = None,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> "KnowledgeBase":
        """The base of the documents in `docs_dir` (default: bundled), indexed in `index_dir`."""
        corpus = load_corpus(docs_dir)
        embedding = E5EmbeddingFunction()
        store = PassageStore(index_dir, embedding)
        report = store.sync(corpus, force=rebuild, progress=progress)
        base = cls(corpus, store, embedding, report)
        # The first query of a process pages the model and the vector index in (up to a
        # second); pay that here rather than on a debtor's first question.
        base.search("pagamento")
        return base

    @property
    def store(self) -> PassageStore:
        return self._store

    @property
    def index_dir(self) -> Path:
        return self._store.folder

    def search(
        self, query: str, k: int = DEFAULT_K, *, retrieval: Retrieval = "hybrid"
    ) -> KnowledgeAnswer:
        """The `k` best passages for a debtor's question (raises ValueError when k < 1)."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        normalized = self._normalizer.normalize(query)
        if not normalized.text:
            return KnowledgeAnswer(query, ())
        similarity = self._similarities(normalized.text)
        lexical = self._lexical.scores(normalized.expanded)
        keys = _rank_keys(similarity, lexical, retrieval)
        order = np.argsort(-keys, kind="stable")
        hits = tuple(
            Hit(self.corpus.passages[i], float(similarity[i]), float(keys[i])) for i in order[:k]
        )
        logger.debug("knowledge search %r: %s", normalized.text, [hit.passage.id for hit in hits])
        return KnowledgeAnswer(query, hits)

    def _similarities(self, text: str) -> Vector:
        """Per passage in corpus order: mean cosine with its text and with its heading.

        A record beyond the candidates counts as 0, which only a corpus of more than
        MAX_CANDIDATES / 2 passages can produce.
        """
        vector = self._embedding.query_vector(text)
        cosines = np.zeros((2, len(self.corpus.passages)), dtype=np.float32)
        limit = min(2 * len(self.corpus.passages), MAX_CANDIDATES)
        for record_id, value in self._store.nearest(vector, limit):
            position = self._positions.get(passage_of(record_id))
            if position is not None:
                cosines[int(is_heading(record_id)), position] = value
        return cast(Vector, cosines.mean(axis=0))


def _rank_keys(
    similarity: Vector,
    lexical: Vector,
    retrieval: Retrieval,
) -> Vector:
    if retrieval == "dense":
        return similarity
    best = float(lexical.max()) if lexical.size else 0.0
    scaled = lexical / best if best > 0 else lexical
    if retrieval == "lexical":
        return scaled
    return similarity + LEXICAL_WEIGHT * scaled
