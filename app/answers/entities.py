"""Recognize what a question talks about: variants, activations, models, benchmarks, metrics, lengths.

Why rules and not a model: the vocabulary is small and closed (it comes from the database, see
lexicon.py), and a rule that fires can be shown to the reader in "how this was answered". Typos are
handled by correcting a word to a vocabulary word at edit distance 1 (2 for long words) before matching,
and every correction is recorded.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.answers.lexicon import Lexicon, ModelGroup
from app.vocabulary import DENSE_VARIANT_OF

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-−]?\d+(?:\.\d+)?(?:e[-−+]?\d+)?(?![A-Za-z0-9_])", re.IGNORECASE)


#: Small numbers written as words where a point is named ("selu at minus one", "x = negative two").
_NUMBER_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "half": "0.5",
                 "a half": "0.5", "one half": "0.5"}
_SIGNED_WORD = re.compile(r"\b(?:minus|negative|neg)\s+(?:(a half|one half|half|zero|one|two|three|four|five)\b|"
                          r"(?=\d))", re.IGNORECASE)
_POINT_WORD = re.compile(r"\b(at|x\s*=|x equals)\s+(zero|one|two|three|four|five)\b"
                         r"(?=\s*(?:$|[?,.;!)]|and\b|too\b|pls\b|please\b|then\b))", re.IGNORECASE)


def spelled_numbers(text: str) -> str:
    """The text with a spelled-out sign or small point written as digits, for reading numbers only ("at minus
    one" is x = -1; "one layer" stays words)."""
    text = _SIGNED_WORD.sub(lambda m: "-" + (_NUMBER_WORDS[m.group(1).lower()] if m.group(1) else ""), text)
    return _POINT_WORD.sub(lambda m: f"{m.group(1)} {_NUMBER_WORDS[m.group(2).lower()]}", text)


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
def correct_word(word: str, vocabulary: frozenset[str], versioned: bool = False) -> str | None:
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
    return min(candidates, key=lambda v: (slip_cost(word, v), abs(len(v) - len(word)), v))


#: Keys next to each other on a QWERTY keyboard: a substitution between them is a likely slip.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR = {a + b for row in _ROWS for a, b in itertools.pairwise(row)}
_VOWELS = frozenset("aeiou")


def slip_cost(typed: str, meant: str) -> int:
    """How unlikely a slip turns ``meant`` into ``typed``: swapped or dropped letters are the commonest slips,
    then a neighbouring key, a doubled letter, any other key ("sqared" is "squared", not "shared"), and a new
    letter inside a short word is as likely another name ("seglu" is not "selu", "bloomz" not "bloom")."""
    if not _within_one(typed, meant):
        return 5
    if len(typed) == len(meant):
        diff = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
        if len(diff) == 2:
            return 0
        pair = typed[diff[0]] + meant[diff[0]]
        if pair in _NEAR or pair[::-1] in _NEAR:
            return 1
        # a vowel for a vowel in a long word is a misspelling ("derivitive"); in a short one, another word
        return 2 if set(pair) <= _VOWELS and len(typed) >= 7 else 3
    if len(meant) == len(typed) + 1:
        return 1
    i = next((k for k, (a, b) in enumerate(zip(typed, meant, strict=False)) if a != b), len(meant))
    doubled = (i > 0 and typed[i] == typed[i - 1]) or (i + 1 < len(typed) and typed[i] == typed[i + 1])
    return 2 if doubled or len(typed) >= 8 else 4


#: A version number right after a word ("gemm 3", "lama-2"): the word is then a model family's name.
_VERSION_AFTER = re.compile(r"[ -]?\d")


def correct_typos(question: str, lexicon: Lexicon) -> tuple[str, list[tuple[str, str]]]:
    """Lower-case the question and replace words that are one slip away from a known word."""
    lowered = question.lower()
    corrections: list[tuple[str, str]] = []

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        versioned = bool(_VERSION_AFTER.match(lowered, match.end()))
        better = correct_word(word, lexicon.vocabulary, versioned)
        if better is None:
            return word
        corrections.append((word, better))
        return better

    return _WORD.sub(fix, lowered), corrections


#: "the acc column, not f1", "em rather than f1": a column named only to be excluded.
_NEGATED = re.compile(r"(?:\bnot|\binstead of|\brather than|\bnever mind|\bexcept|\bexcluding|\bignore)\s+(?:the\s+)?$")
_NEGATABLE = ("metric", "benchmark")


def _without_negated(hits: list[tuple[int, str, list[Any]]], text: str) -> list[tuple[int, str, list[Any]]]:
    """Drop a metric or benchmark the question names only to exclude it, when another of its kind is named."""
    def kinds(hit: tuple[int, str, list[Any]]) -> set[str]:
        return {ref.kind for ref in hit[2]}

    negated = [h for h in hits if kinds(h) & set(_NEGATABLE) and _NEGATED.search(text[max(0, h[0] - 16):h[0]])]
    kept = [h for h in hits if h not in negated]
    return [h for h in hits if h not in negated or not any(kinds(h) & kinds(k) for k in kept)]


#: "table 4 swish row", "tab. 2": a table of the first paper named by its number.
_TABLE = re.compile(r"\btab(?:le|\.)?\s*(\d)\b")
_OTHER_PAPER = re.compile(r"\bnarang\b|\btransformer modifications\b")


#: "full glue row", "every superglue task", "all the glue subtasks": each task of a suite, not its average.
_EVERY_TASK = re.compile(r"\b(?:all|every|each)\b.{0,20}\b(?:tasks?|subtasks?|columns?|numbers|scores)\b|"
                         r"\b(?:full|whole|entire|complete)\b.{0,12}\b(?:rows?|breakdown)\b|\bper[- ]task\b|"
                         r"\btask[- ]by[- ]task\b|\bbroken down\b")


def _every_task(found: Entities, lexicon: Lexicon) -> None:
    """A suite named with 'every task' (and none of its tasks): the suite's tasks are what is asked."""
    if not _EVERY_TASK.search(found.text):
        return
    for suite in [b for b in found.benchmarks if "/" not in b]:
        tasks = [b for b in lexicon.benchmarks if b.startswith(suite + "/")]
        if tasks and not any(b.startswith(suite + "/") for b in found.benchmarks):
            found.benchmarks = [b for b in found.benchmarks if b != suite] + tasks


def _table_named(found: Entities, masked: str, lexicon: Lexicon) -> str:
    """A table number read as the benchmark that table reports (when no benchmark is named), never as a value."""
    match = _TABLE.search(masked)
    if match is None:
        return masked
    bench = lexicon.table_benchmarks.get(int(match.group(1)))
    if bench is not None and not found.benchmarks and not found.models and not _OTHER_PAPER.search(masked):
        found.benchmarks.append(bench)
        found.matches.append({"text": match.group(0), "kind": "benchmark", "value": bench})
    return masked[:match.start()] + " " + masked[match.end():]


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
    hits = _without_negated(hits, corrected)
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
    masked = _table_named(found, masked, lexicon)
    _every_task(found, lexicon)
    for number in _NUMBER.finditer(spelled_numbers(masked)):
        try:
            found.numbers.append(float(number.group(0).replace("−", "-")))
        except ValueError:
            continue
    # "perplexity" names both the C4 benchmark and its metric; metrics of other benchmarks stay.
    return found
