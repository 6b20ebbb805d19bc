"""BM25 over the passages (bm25s), on folded and stemmed Portuguese terms."""

import logging

import bm25s  # type: ignore[import-untyped]
import numpy as np

from knowledge.corpus import Passage
from knowledge.embedding import Vector
from knowledge.text import terms

# bm25s pins its logger at DEBUG when imported; let the process configuration decide again.
logging.getLogger("bm25s").setLevel(logging.NOTSET)


class LexicalIndex:
    """In memory; built in milliseconds from the passages each time the base is opened."""

    def __init__(self, passages: tuple[Passage, ...]) -> None:
        self._size = len(passages)
        self._bm25 = bm25s.BM25()
        self._bm25.index(
            [terms(passage.embedding_text()) or ["-"] for passage in passages],
            show_progress=False,
        )

    def scores(self, query: str) -> Vector:
        """One BM25 score per passage, in corpus order; all zero when no term matches."""
        known = [term for term in terms(query) if term in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
