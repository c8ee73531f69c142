"""The embedder: ONNX Runtime gives sentence-transformers' vectors for all-MiniLM-L6-v2."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from rapport.retrieval.embeddings import DIMENSIONS, MiniLM, Recent, default_embedder

TEXTS = [
    "what budget did they mention for the campaign?",
    "Hola, necesito una página web para mi restaurante " * 40,  # truncated at 256 pieces
    "👍",
    "ok",
]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def reference() -> MiniLM:
    return MiniLM()


def test_onnx_vectors_are_sentence_transformers_vectors(reference: MiniLM) -> None:
    fast = default_embedder().embed(TEXTS)
    slow = reference.embed(TEXTS)
    for ours, theirs in zip(fast, slow, strict=True):
        assert len(ours) == DIMENSIONS
        assert math.isclose(math.fsum(x * x for x in ours), 1.0, rel_tol=1e-5)
        assert cosine(ours, theirs) > 0.99999


def test_a_text_embeds_the_same_alone_or_in_a_batch() -> None:
    embedder = default_embedder()
    together = embedder.embed(TEXTS)
    for text, vector in zip(TEXTS, together, strict=True):
        assert cosine(embedder.embed([text])[0], vector) > 0.99999
    assert embedder.embed([]) == []


def test_meaning_is_what_is_close() -> None:
    price, pricing, dog = default_embedder().embed(
        ["How much does the premium plan cost?", "What is the price of the top tier?",
         "My dog loves the beach"]
    )  # fmt: skip
    assert cosine(price, pricing) > cosine(price, dog) + 0.3


def test_recent_embeds_a_repeated_memory_text_once() -> None:
    model = default_embedder()
    asked: list[str] = []

    def counted(texts: Sequence[str]) -> list[list[float]]:
        asked.extend(texts)
        return model.embed(texts)

    recent = Recent(counted, size=2)
    authority, timeline, need = (
        "Authority: not the decision maker",
        "Timeline: next month",
        "Need: more clients",
    )
    first = recent([authority, timeline, authority])
    assert asked == [authority, timeline]  # each distinct text once, even within a batch
    assert first[0] == first[2]
    for got, direct in zip(first, model.embed([authority, timeline, authority]), strict=True):
        assert all(math.isclose(a, b, abs_tol=1e-5) for a, b in zip(got, direct, strict=True))
    assert recent([timeline, authority]) == first[1:]
    assert len(asked) == 2
    recent([need])  # a third text pushes out the least recently used (timeline)
    recent([authority])
    assert asked[-1] == need
    recent([timeline])
    assert asked[-1] == timeline
