"""The embedder: ONNX Runtime gives sentence-transformers' vectors for all-MiniLM-L6-v2."""

from __future__ import annotations

import math

import pytest

from rapport.retrieval.embeddings import DIMENSIONS, MiniLM, default_embedder

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
