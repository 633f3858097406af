"""Recognize what a question talks about: variants, activations, models, benchmarks, metrics, lengths.

Why rules and not a model: the vocabulary is small and closed (it comes from the database, see
lexicon.py), and a rule that fires can be shown to the reader in "how this was answered". Typos are
handled by correcting a word to a vocabulary word at edit distance 1 (2 for long words) before matching,
and every correction is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.answers.lexicon import Lexicon, ModelGroup
from app.vocabulary import DENSE_VARIANT_OF

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-−]?\d+(?:\.\d+)?(?:e[-−+]?\d+)?(?![A-Za-z0-9_])", re.IGNORECASE)


@dataclass
class Entities:
    """What was recognized, in the order it appears in the question."""

    variants: list[str] = field(default_factory=list)
    activations: list[str] = field(default_factory=list)
    gates: list[str] = field(default_factory=list)
    models: list[ModelGroup] = field(default_factory=list)
    benchmarks: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    paper: bool = False
    numbers: list[float] = field(default_factory=list)
    matches: list[dict[str, str]] = field(default_factory=list)
    corrections: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""

    def is_empty(self) -> bool:
        return not (self.variants or self.activations or self.gates or self.models or self.benchmarks
                    or self.metrics or self.steps or self.paper)

    def variant_like(self) -> list[str]:
        """Variants named directly, then dense variants named by their activation ('GELU vs ReLU')."""
        out = list(self.variants)
        for act in self.activations:
            variant = DENSE_VARIANT_OF.get(act)
            if variant and variant not in out:
                out.append(variant)
        return out

    def to_meta(self) -> list[dict[str, Any]]:
        return [dict(m) for m in self.matches]


def _within_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance ≤ 1 (one insertion, deletion, substitution or transposition)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    if la > lb:
        return a[i + 1:] == b[i:]
    return a[i:] == b[i + 1:]


def _within_two(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 2:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > 2:
            return False
        prev = cur
    return prev[-1] <= 2


@lru_cache(maxsize=8192)
def _correct_word(word: str, vocabulary: frozenset[str], versioned: bool = False) -> str | None:
    """A vocabulary word this word is a typo of, or None; only for words of five letters or more, or of four
    before a version number ("gemm 3 12b"), where only a dropped letter is restored."""
    if word in vocabulary or not word.isalpha():
        return None
    if len(word) == 4 and versioned:
        dropped = [v for v in vocabulary if len(v) == 5 and v[0] == word[0] and _within_one(word, v)]
        return min(dropped) if dropped else None
    if len(word) < 5:
        return None
    candidates = [v for v in vocabulary if abs(len(v) - len(word)) <= 1 and v[0] == word[0] and _within_one(word, v)]
    if not candidates and len(word) >= 8:
        candidates = [v for v in vocabulary if v[0] == word[0] and _within_two(word, v)]
    if not candidates:
        return None
    return min(candidates, key=lambda v: (abs(len(v) - len(word)), v))


#: A version number right after a word ("gemm 3", "lama-2"): the word is then a model family's name.
_VERSION_AFTER = re.compile(r"[ -]?\d")


def correct_typos(question: str, lexicon: Lexicon) -> tuple[str, list[tuple[str, str]]]:
    """Lower-case the question and replace words that are one slip away from a known word."""
    lowered = question.lower()
    corrections: list[tuple[str, str]] = []

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        versioned = bool(_VERSION_AFTER.match(lowered, match.end()))
        better = _correct_word(word, lexicon.vocabulary, versioned)
        if better is None:
            return word
        corrections.append((word, better))
        return better

    return _WORD.sub(fix, lowered), corrections


def recognize(question: str, lexicon: Lexicon) -> Entities:
    """Find every known name in the question; longer names win over the shorter ones inside them."""
    corrected, corrections = correct_typos(question, lexicon)
    found = Entities(corrections=corrections, text=corrected)
    spans: list[tuple[int, int]] = []
    hits: list[tuple[int, str, list[Any]]] = []
    for match in lexicon.cased_pattern.finditer(question):
        spans.append(match.span())
        hits.append((match.start(), match.group(0), lexicon.refs_for(match)))
    for match in lexicon.pattern.finditer(corrected):
        if any(a < match.end() and match.start() < b for a, b in spans):
            continue
        hits.append((match.start(), match.group(0), lexicon.refs_for(match)))
    hits.sort(key=lambda h: h[0])
    masked = corrected
    for _, matched_text, refs in hits:
        for ref in refs:
            found.matches.append({"text": matched_text, "kind": ref.kind, "value": ref.value})
            if ref.kind == "variant" and ref.value not in found.variants:
                found.variants.append(ref.value)
            elif ref.kind == "activation" and ref.value not in found.activations:
                found.activations.append(ref.value)
            elif ref.kind == "gate" and ref.value not in found.gates:
                found.gates.append(ref.value)
            elif ref.kind == "model":
                group = lexicon.groups.get(ref.value)
                if group is not None and group not in found.models:
                    found.models.append(group)
            elif ref.kind == "benchmark" and ref.value not in found.benchmarks:
                found.benchmarks.append(ref.value)
            elif ref.kind == "metric" and ref.value not in found.metrics:
                found.metrics.append(ref.value)
            elif ref.kind == "steps" and int(ref.value) not in found.steps:
                found.steps.append(int(ref.value))
            elif ref.kind == "paper":
                found.paper = True
        masked = masked.replace(matched_text, " ", 1)
    for number in _NUMBER.finditer(masked):
        try:
            found.numbers.append(float(number.group(0).replace("−", "-")))
        except ValueError:
            continue
    # "perplexity" names both the C4 benchmark and its metric; metrics of other benchmarks stay.
    return found
