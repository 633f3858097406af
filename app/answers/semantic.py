"""Similarity beyond shared words, for choosing among the curated explanations and the stored misreadings.

Why: BM25 matches whole (stemmed) words, so a misspelt or re-worded question ("perplexty", "gegelu",
"2/3 factor" for "two-thirds rule") can share too few of them with the document it is about. A character
n-gram TF-IDF space (3- to 5-grams inside words, numpy only, built when an index is built) gives partial
credit for shared word pieces. It re-ranks only: a document gets a penalty for being less similar than the
most similar one (:func:`rerank_bonus`), so the best match keeps its lexical score and the thresholds that
decide *whether* an explanation or a misreading answers mean what they meant.

A dense sentence encoder can stand in for the n-grams (:func:`configure`, e.g. an offline MiniLM in the
ablation benchmark); the service does not depend on one.

Off by default: on both tuning splits neither the n-grams nor MiniLM changed a single answer for the better
(benchmarks/answer_ablation.py, figures in benchmarks/RESULTS.md), so the service keeps the lexical ranking
and the ablation keeps measuring the alternatives.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

#: How many score points a document loses per unit of cosine similarity below the most similar document.
WEIGHT = 2.0
NGRAM_SIZES = (3, 4, 5)
_WORD = re.compile(r"[a-z0-9]+")

#: Texts -> unit-length rows, one per text (a dense encoder); None: the character n-gram space.
Encoder = Callable[[Sequence[str]], np.ndarray]
_encoder: Encoder | None = None
_enabled = False
_generation = 0
_lock = threading.Lock()


def ngrams(text: str) -> Counter[str]:
    """Character n-grams of each word padded with spaces (' gel', 'gelu', 'elu '), counted."""
    grams: Counter[str] = Counter()
    for word in _WORD.findall(text.lower()):
        padded = f" {word} "
        for n in NGRAM_SIZES:
            grams.update(padded[i:i + n] for i in range(max(1, len(padded) - n + 1)))
    return grams


class Space:
    """Documents as unit vectors; :meth:`similarities` gives a query's cosine with each."""

    def __init__(self, documents: Sequence[str]) -> None:
        self.encoder = _encoder
        if self.encoder is not None:
            self.matrix = np.asarray(self.encoder(list(documents)), dtype=np.float32)
            return
        counts = [ngrams(d) for d in documents]
        frequency: Counter[str] = Counter(g for c in counts for g in c)
        self.vocabulary = {g: i for i, g in enumerate(sorted(frequency))}
        total = len(documents)
        self.idf = np.array([math.log((1 + total) / (1 + frequency[g])) + 1.0 for g in sorted(frequency)],
                            dtype=np.float32)
        self.matrix = np.vstack([self._vector(c) for c in counts]) if counts else np.zeros((0, 0), np.float32)

    def _vector(self, grams: Counter[str]) -> np.ndarray:
        row = np.zeros(len(self.vocabulary), dtype=np.float32)
        for gram, count in grams.items():
            index = self.vocabulary.get(gram)
            if index is not None:
                row[index] = (1.0 + math.log(count)) * self.idf[index]
        norm = float(np.linalg.norm(row))
        return row / norm if norm else row

    def similarities(self, query: str) -> np.ndarray:
        if self.matrix.size == 0:
            return np.zeros(len(self.matrix), dtype=np.float32)
        if self.encoder is not None:
            vector = np.asarray(self.encoder([query]), dtype=np.float32)[0]
        else:
            vector = self._vector(ngrams(query))
        return np.asarray(self.matrix @ vector, dtype=np.float32)


def space_for(documents: Sequence[str]) -> Space | None:
    """A space over ``documents``, or None while semantic matching is switched off."""
    with _lock:
        return Space(documents) if _enabled and documents else None


def rerank_bonus(space: Space | None, query: str) -> list[float]:
    """Per document, ``WEIGHT`` × (its cosine − the best cosine): 0 for the most similar, negative for the rest;
    all zeros without a space."""
    if space is None:
        return []
    sims = space.similarities(query)
    if sims.size == 0:
        return []
    best = float(sims.max())
    return [WEIGHT * (float(s) - best) for s in sims]


def configure(enabled: bool = False, encoder: Encoder | None = None) -> None:
    """Switch semantic re-ranking on or off and choose the encoder (None: character n-grams). Indexes built
    afterwards use the choice; the benchmarks call this before building any."""
    global _enabled, _encoder, _generation
    with _lock:
        _enabled, _encoder, _generation = enabled, encoder, _generation + 1


def generation() -> int:
    """Changes whenever :func:`configure` is called: part of the cache keys of the indexes built on a space."""
    return _generation
