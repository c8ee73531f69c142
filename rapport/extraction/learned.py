"""Learned classifiers for what the rules miss: intent, objection types, settling, authority.

The rules (``rules.RulesExtractor``) stay the reading of what they are exact at: amounts,
currencies, periods, dates, titles, the lead's own words for a need. What they miss is the
open-ended part, the same intent or objection said in words no pattern lists. Here each of
those is a logistic regression over two views of the message: its all-MiniLM-L6-v2
embedding (meaning, the vector enrichment computes anyway) and hashed character n-grams
(2 to 5 characters within words, so Spanish "caro", German "teuer" and a typo'd "expensiv"
are features whatever language the embedding understands). Both are cheap: the classifier
costs one sparse-dense product per batch, well above 500 messages a second on 2 cores.

A ``Model`` holds several heads (``HEADS``): ``intent`` (softmax over the intents its
training data names, so an org's own intents are classes too), ``authority`` (none / true /
false), ``settles`` (the message settles an open objection) and one ``objection.<type>``
per objection type. It is a ``.npz`` of arrays (loaded with ``allow_pickle=False``: a model
is data, never code). The package ships ``model/base.npz``, trained on the dev half of the
labelled set (``python -m rapport.extraction.learned``) and never on the held-out half,
which ``bench/extraction.py`` measures it on. It also carries that training data, so an
org's model is the base data plus the org's examples (``rapport.extraction.examples``),
trained again by the worker; an org's examples weigh ``ORG_WEIGHT`` times a base one.

``LearnedExtractor`` runs the rules and lets the classifiers decide where they are surer:
the learned intent replaces the rules' when its probability is above the rules' confidence;
objection types and authority the rules did not find are added when the head's probability
passes its threshold (the one at which rules and head together score best in
cross-validation on the training data, never on held-out: ``choose_thresholds``); a
message the rules read as settling nothing, that raises nothing, and that ``settles`` says
settles something, settles what is open ("*").
"""

from __future__ import annotations

import datetime
import functools
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from rapport.extraction.base import Concern, Extraction, Finding, Inbound

OBJECTIONS = ("price", "timing", "trust", "competitor", "authority", "need")
EMBEDDER = "all-MiniLM-L6-v2"
HASHED = 2**12  # character n-gram buckets
ORG_WEIGHT = 5.0
AUTHORITY = 0.8  # how sure the authority head must be to say who decides
C = 4.0  # inverse L2 strength; 1, 4 and 16 measured within noise on the dev half
BASE = Path(__file__).parent / "model" / "base.npz"


@dataclass(frozen=True, slots=True)
class Head:
    """One classifier: its output columns ``[start, stop)`` of the model's weights."""

    name: str
    classes: tuple[str, ...]  # a sigmoid head has one class, "yes"
    start: int
    stop: int
    threshold: float = 0.5

    @property
    def sigmoid(self) -> bool:
        return self.classes == ("yes",)


def targets(labels: Mapping[str, Any]) -> dict[str, str | bool]:
    """What an example's labels say for each head; a field it leaves out trains no head.
    ``objection`` (one type or null) is accepted beside ``objections`` (a list), and
    ``objection.<type>`` (true or false) says that one type alone, as a correction does."""
    found: dict[str, str | bool] = {}
    if labels.get("intent"):
        found["intent"] = str(labels["intent"])
    if "authority" in labels:
        authority = labels["authority"]
        if isinstance(authority, Mapping):
            authority = authority.get("decision_maker")
        found["authority"] = "none" if authority is None else str(bool(authority)).lower()
    raised: Any = labels.get("objections")
    if raised is None and "objection" in labels:
        raised = [labels["objection"]] if labels["objection"] else []
    if raised is not None:
        for kind in OBJECTIONS:
            found[f"objection.{kind}"] = kind in raised
    for kind in OBJECTIONS:  # one type said right or wrong (a correction), the rest unknown
        if isinstance(labels.get(f"objection.{kind}"), bool):
            found[f"objection.{kind}"] = bool(labels[f"objection.{kind}"])
    if "resolves" in labels:
        found["settles"] = bool(labels["resolves"])
    return found


@functools.cache
def _hasher() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer  # 1.4 s to import, once

    return HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=HASHED, alternate_sign=False
    )


def hashed(texts: Sequence[str]) -> sparse.csr_matrix:
    """Each text's character 2- to 5-grams within words, hashed, L2-normalised."""
    return sparse.csr_matrix(_hasher().transform(texts), dtype=np.float32)


def features(grams: sparse.csr_matrix, vectors: np.ndarray) -> sparse.csr_matrix:
    return sparse.hstack([grams, sparse.csr_matrix(vectors, dtype=np.float32)], format="csr")


@dataclass(frozen=True)
class Model:
    heads: tuple[Head, ...]
    weights: np.ndarray  # features x outputs
    bias: np.ndarray
    examples: int  # how many examples it was trained on
    # The training data, kept in the base model so an org's model can be trained on it too.
    grams: sparse.csr_matrix | None = None
    vectors: np.ndarray | None = None
    labels: tuple[dict[str, Any], ...] = ()

    def head(self, name: str) -> Head | None:
        return next((h for h in self.heads if h.name == name), None)

    def predict(self, grams: sparse.csr_matrix, vectors: np.ndarray) -> dict[str, np.ndarray]:
        """Per head, probabilities: (n, classes) for softmax heads, (n,) for sigmoid ones."""
        logits = features(grams, vectors) @ self.weights + self.bias
        out: dict[str, np.ndarray] = {}
        for head in self.heads:
            part = np.asarray(logits[:, head.start : head.stop], dtype=np.float64)
            if head.sigmoid:
                out[head.name] = 1.0 / (1.0 + np.exp(-part[:, 0]))
            else:
                part = np.exp(part - part.max(axis=1, keepdims=True))
                out[head.name] = part / part.sum(axis=1, keepdims=True)
        return out

    def to_bytes(self, with_data: bool = False) -> bytes:
        arrays: dict[str, Any] = {
            "heads": np.array(json.dumps([_head_json(h) for h in self.heads])),
            "weights": self.weights.astype(np.float16),
            "bias": self.bias.astype(np.float32),
            "examples": np.array(self.examples),
            "embedder": np.array(EMBEDDER),
        }
        if with_data and self.grams is not None and self.vectors is not None:
            arrays |= {
                "grams_data": self.grams.data.astype(np.float16),
                "grams_indices": self.grams.indices, "grams_indptr": self.grams.indptr,
                "vectors": self.vectors.astype(np.float16),
                "labels": np.array(json.dumps(list(self.labels))),
            }  # fmt: skip
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Model:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            if str(npz["embedder"]) != EMBEDDER:
                raise ValueError(f"the model was trained on {npz['embedder']}, not {EMBEDDER}")
            heads = tuple(Head(**{**h, "classes": tuple(h["classes"])})
                          for h in json.loads(str(npz["heads"])))  # fmt: skip
            grams = vectors = None
            labels: tuple[dict[str, Any], ...] = ()
            if "vectors" in npz:
                grams = sparse.csr_matrix(
                    (npz["grams_data"].astype(np.float32), npz["grams_indices"],
                     npz["grams_indptr"]), shape=(len(npz["vectors"]), HASHED),
                )  # fmt: skip
                vectors = npz["vectors"].astype(np.float32)
                labels = tuple(json.loads(str(npz["labels"])))
            return cls(heads, npz["weights"].astype(np.float32), npz["bias"],
                       int(npz["examples"]), grams, vectors, labels)  # fmt: skip


def _head_json(head: Head) -> dict[str, Any]:
    return {"name": head.name, "classes": list(head.classes), "start": head.start,
            "stop": head.stop, "threshold": head.threshold}  # fmt: skip


def train(
    grams: sparse.csr_matrix,
    vectors: np.ndarray,
    labels: Sequence[Mapping[str, Any]],
    weights: Sequence[float] | None = None,
    thresholds: Mapping[str, float] | None = None,
    keep_data: bool = False,
) -> Model:
    """One logistic regression per head over the examples that label it. ``thresholds``
    (per sigmoid head) default to those cross-validation finds (``choose_thresholds``)."""
    from sklearn.linear_model import LogisticRegression

    X = features(grams, vectors)
    sample = np.asarray(weights if weights is not None else np.ones(len(labels)))
    wanted = [targets(label) for label in labels]
    names = sorted({name for found in wanted for name in found}, key=_order)
    columns: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    heads: list[Head] = []
    for name in names:
        rows = [i for i, found in enumerate(wanted) if name in found]
        y = np.array([str(wanted[i][name]) for i in rows])
        if len(set(y)) < 2:
            continue  # nothing to tell apart
        model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        model.fit(X[rows], y, sample_weight=sample[rows])
        start = sum(c.shape[1] for c in columns)
        if len(model.classes_) == 2 and set(model.classes_) == {"False", "True"}:
            coef, bias = model.coef_.T, model.intercept_
            classes: tuple[str, ...] = ("yes",)
        else:
            coef, bias = model.coef_.T, model.intercept_
            classes = tuple(str(c) for c in model.classes_)
            if len(classes) == 2:  # sklearn keeps one column for two classes
                coef, bias = np.hstack([-coef / 2, coef / 2]), np.array([-bias[0] / 2, bias[0] / 2])
        threshold = (thresholds or {}).get(name, 0.5)
        heads.append(Head(name, classes, start, start + coef.shape[1], threshold))
        columns.append(coef.astype(np.float32))
        biases.append(np.asarray(bias, dtype=np.float32))
    return Model(
        tuple(heads), np.hstack(columns), np.concatenate(biases), len(labels),
        grams if keep_data else None, vectors if keep_data else None,
        tuple(dict(label) for label in labels) if keep_data else (),
    )  # fmt: skip


def _order(name: str) -> tuple[int, str]:
    return (("intent", "authority", "settles").index(name) if "." not in name else 3, name)


def choose_thresholds(
    grams: sparse.csr_matrix,
    vectors: np.ndarray,
    labels: Sequence[Mapping[str, Any]],
    texts: Sequence[str],
    scored: Sequence[int] | None = None,
    weights: Sequence[float] | None = None,
    fallback: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Per sigmoid head, the threshold at which what the rules and the head say together
    is most often right (F1), in 5-fold out-of-fold predictions.

    Only the examples in ``scored`` (all of them by default; ``texts`` are theirs, in
    order) are held out and judged: the base model is tuned on its dev data, an org's on
    the org's own examples, with the base data always in training. A head whose scored
    examples hold fewer than ``MIN_POSITIVES`` of its positives keeps ``fallback``'s
    threshold (0.95 without one: a head that cannot be judged adds almost nothing)."""
    from rapport.extraction.rules import RulesExtractor

    judged = list(range(len(labels))) if scored is None else list(scored)
    read = RulesExtractor().extract([Inbound(t, _NOON) for t in texts])
    rules = dict(zip(judged, read, strict=True))
    weight = np.asarray(weights if weights is not None else np.ones(len(labels)))
    pairs: dict[str, list[tuple[float, bool, bool | None]]] = {}
    for fold in range(5):
        held = judged[fold::5]
        fit = sorted(set(range(len(labels))) - set(held))
        model = train(grams[fit], vectors[fit], [labels[i] for i in fit], list(weight[fit]))
        probs = model.predict(grams[held], vectors[held])
        for head in model.heads:
            if not head.sigmoid:
                continue
            for i, p in zip(held, probs[head.name], strict=True):
                truth = targets(labels[i]).get(head.name)
                if truth is not None:
                    said = _rules_say(head.name, rules[i])
                    pairs.setdefault(head.name, []).append((float(p), bool(truth), said))
    best = {name: (fallback or {}).get(name, 0.95) for name in pairs}
    for name, seen in pairs.items():
        if sum(truth for _, truth, _ in seen) >= MIN_POSITIVES:
            steps = np.round(np.arange(0.5, 0.96, 0.05), 2)  # more likely than not, at least
            # of equally good thresholds the lowest: the head is there for what rules miss
            best[name] = float(max(steps, key=lambda t: (_f1(seen, t), -t)))
    return best


MIN_POSITIVES = 5
_NOON = datetime.datetime(2025, 6, 2, 12, tzinfo=datetime.UTC)  # rules' "now"; dates unused


def _rules_say(head: str, rules: Extraction) -> bool | None:
    """What the rules already said for ``head``: True, False, or None where the head may
    not speak at all (``settles`` stays quiet on a message that raises a concern)."""
    if head == "settles":
        return True if rules.resolves else (None if rules.concerns else False)
    return head.removeprefix("objection.") in {c.type for c in rules.concerns}


def _f1(seen: Iterable[tuple[float, bool, bool | None]], threshold: float) -> float:
    right = wrong = missed = 0
    for p, truth, rules in seen:
        said = bool(rules) or (rules is False and p >= threshold)
        right += said and truth
        wrong += said and not truth
        missed += truth and not said
    return 2 * right / (2 * right + wrong + missed) if right else 0.0


class LearnedExtractor:
    """The rules, with the base model's (or the message's org's) classifiers on top."""

    name = "rules+learned"

    def __init__(self, embedder: Any = None, base: Model | None = None) -> None:
        from rapport.extraction.rules import RulesExtractor

        self.rules = RulesExtractor()
        self._embedder = embedder
        self.base = base or load_base()
        _hasher()  # its import, here rather than inside the first batch
        self.orgs: dict[str, tuple[str, Model]] = {}  # org id -> (version, model)

    def wants(self, org_id: str, version: str) -> bool:
        """Whether the org's model of this version still has to be loaded (``learn``)."""
        held = self.orgs.get(org_id)
        return held is None or held[0] != version

    def learn(self, org_id: str, version: str, blob: bytes | None) -> None:
        """The org's own model (None: back to the base model)."""
        if blob is None:
            self.orgs.pop(org_id, None)
        else:
            self.orgs[org_id] = (version, Model.from_bytes(blob))

    def extract(self, messages: Sequence[Inbound]) -> list[Extraction]:
        read = self.rules.extract(messages)
        if not messages:
            return read
        missing = [i for i, m in enumerate(messages) if m.vector is None]
        vectors = np.zeros((len(messages), 384), dtype=np.float32)
        for i, message in enumerate(messages):
            if message.vector is not None:
                vectors[i] = message.vector
        if missing:
            embedded = self.embedder.embed([messages[i].text for i in missing])
            vectors[missing] = np.asarray(embedded, dtype=np.float32)
        grams = hashed([m.text for m in messages])
        by_model: dict[int, list[int]] = {}
        models: dict[int, Model] = {}
        for i, message in enumerate(messages):
            model = self.orgs.get(message.org_id or "", ("", self.base))[1]
            by_model.setdefault(id(model), []).append(i)
            models[id(model)] = model
        out = list(read)
        for key, rows in by_model.items():
            model = models[key]
            probs = model.predict(grams[rows], vectors[rows])
            for j, i in enumerate(rows):
                if messages[i].text.strip():
                    out[i] = combine(
                        messages[i].text, read[i], model, {k: v[j] for k, v in probs.items()}
                    )
        return out

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from rapport.retrieval.embeddings import default_embedder

            self._embedder = default_embedder()
        return self._embedder


def combine(text: str, rules: Extraction, model: Model, probs: Mapping[str, Any]) -> Extraction:
    """The rules' reading, where the model is surer (see the module docstring)."""
    got = replace(rules, findings=list(rules.findings), concerns=list(rules.concerns),
                  resolves=list(rules.resolves))  # fmt: skip
    intent = model.head("intent")
    if intent is not None:
        p = probs["intent"]
        best = int(np.argmax(p))
        if float(p[best]) > (rules.intent_confidence or 0.0):
            got.intent, got.intent_confidence = intent.classes[best], round(float(p[best]), 3)
    raised = {c.type for c in got.concerns}
    if any(f.key == "need" for f in got.findings):
        raised.add("need")  # who says what they need is not saying they need nothing
    said = text[:200]
    for kind in OBJECTIONS:
        head = model.head(f"objection.{kind}")
        if head is not None and kind not in raised and probs[head.name] >= head.threshold:
            got.concerns.append(Concern(kind, said, round(float(probs[head.name]), 3)))
    authority = model.head("authority")
    stated = next((f for f in got.findings if f.key == "authority"), None)
    if authority is not None and (stated is None or stated.value.get("decision_maker") is None):
        p = probs["authority"]
        best = int(np.argmax(p))
        if authority.classes[best] != "none" and float(p[best]) >= AUTHORITY:
            decides = authority.classes[best] == "true"
            title = None if stated is None else stated.value.get("title")
            role = "decision maker" if decides else "not the decision maker"
            value = {"decision_maker": decides, "title": title}
            found = Finding("authority", value, f"Authority: {role}" + (f" ({title})" if title
                            else ""), round(float(p[best]), 3))  # fmt: skip
            got.findings = [f for f in got.findings if f.key != "authority"] + [found]
    settles = model.head("settles")
    if (
        settles is not None and not got.resolves and not got.concerns
        and probs["settles"] >= settles.threshold
    ):  # fmt: skip
        got.resolves = ["*"]
    return got


@functools.cache
def load_base() -> Model:
    """The shipped model, loaded once per process."""
    return Model.from_bytes(BASE.read_bytes())


def build(labelled: Path, out: Path = BASE) -> Model:
    """Train the shipped model on the dev half of the labelled set, thresholds by CV."""
    from rapport.extraction import evaluate
    from rapport.retrieval.embeddings import default_embedder

    dev = evaluate.split(evaluate.load(labelled))["dev"]
    texts = [e.text for e in dev]
    grams = hashed(texts)
    vectors = np.asarray(default_embedder().embed(texts), dtype=np.float32)
    labels = [dict(e.labels) for e in dev]
    thresholds = choose_thresholds(grams, vectors, labels, texts)
    model = train(grams, vectors, labels, thresholds=thresholds, keep_data=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(model.to_bytes(with_data=True))
    return model


if __name__ == "__main__":
    import sys

    source = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).parents[2] / "tests" / "data" / "extraction_labelled.jsonl"
    )  # fmt: skip
    built = build(source)
    print(f"{BASE}: {built.examples} examples, {BASE.stat().st_size // 1024} KiB,",
          {h.name: h.threshold for h in built.heads if h.sigmoid})  # fmt: skip
