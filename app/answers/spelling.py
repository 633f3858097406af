"""Misspelt words corrected before any rule reads the question ("derivatvie", "praams", "narnag").

Entity recognition (app.answers.entities) already reads names through typos, but the planner's rules read
the question's words too ("derivative at", "params of", "significant", "released"), and a slip in one of
those used to send the question to a neighbouring answer. So a word is corrected once, up front, in place
and keeping its case, and the rest of the pipeline reads the corrected text.

A word is left alone when it is a known word: in the service's vocabulary (names from the database and the
words the rules key on) or in an English dictionary (pyspellchecker's word list, shipped inside that
package). Only an unknown word of five letters or more is corrected, and only to a vocabulary word one slip
away (two for long words: the rule entity recognition uses). Never to an arbitrary English word: the jargon
users type ("logit", "regex", "vocab", "Raffel") is in no dictionary and would be "corrected" into another
word. Words joined to digits, underscores, hyphens or dots (config fields, model ids) are never touched, and
every correction is recorded for "how this was answered".
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from functools import cache, lru_cache

from spellchecker import SpellChecker

from app.answers.entities import correct_word, slip_cost
from app.answers.lexicon import Lexicon
from app.answers.phrases import (
    BENCHMARK_ALIASES,
    LONG_STEP_PHRASES,
    ORGANIZATION_ALIASES,
    PAPER_PHRASES,
    SHORT_STEP_PHRASES,
)
from app.answers.unreported_benchmarks import OTHER_BENCHMARKS

#: Words the planner's rules key on that are not names; a typo of one is corrected to it first.
RULE_WORDS = frozenset({
    "params", "parameter", "parameters", "param", "weights", "weight", "count", "significant", "significance",
    "released", "release", "published", "publish", "learning", "memory", "source", "sources", "vanilla",
    "bigger", "smaller", "smallest", "largest", "lowest", "highest", "closer", "closest", "together", "multiplier",
    "multiple", "without", "equivalent", "optimizer", "finetuning", "finetune", "reason", "reasons", "matrix",
    "tokens", "latency", "dropout", "accuracy", "normal", "compare", "report", "ungated", "dense", "catalog",
    "embedding", "really", "correct", "second", "version", "summed", "divided", "widest", "narrowest", "derivative",
    "derivatives", "gradient", "monotonic", "approximation", "approximate", "sigmoid", "softplus",
    "noise", "spread", "stddev", "variance", "difference", "apart", "ratio", "square", "squared", "gated",
    "explain", "explanation", "defaults", "default", "intermediate", "hidden", "accurate", "anything", "where",
    "which", "maximum", "minimum", "error", "errors", "worst", "better", "worse", "value", "values",
    "stddevs", "million", "numbers", "wheres", "narang", "shazeer", "raffel", "transformer", "modifications",
})

#: The slips corrected up front: swapped, dropped or extra letters and neighbouring keys. A word one far-key
#: substitution from a rule word is as likely another word ("logit" is not "legit").
_LIKELY_SLIP = 2

_CANDIDATE = re.compile(r"(?<![\w.'’_/\-])[A-Za-z]{5,}(?![\w'’_/\-]|\.\w)")


@cache
def _english() -> SpellChecker:
    return SpellChecker(distance=1)


def _words(phrases: Iterable[str]) -> set[str]:
    return {w for p in phrases for w in re.findall(r"[a-z]{5,}", p.lower())}


@cache
def rule_words() -> frozenset[str]:
    """The dictionary words of five letters or more that the answer rules' patterns spell out ("flatter",
    "called", "released"): harvested from the compiled patterns of app.answers, so the words a typo is read
    back to stay those the rules react to, with no second list to keep in step."""
    import app.answers as package

    found: set[str] = set()
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for value in vars(module).values():
            for pattern in _patterns(value):
                found.update(w.lower() for w in _PATTERN_WORD.findall(_ESCAPE.sub(" ", pattern)))
    return frozenset(w for w in found if w in _english())


#: An escape of a pattern ("\\b", "\\s"): not part of the word it touches.
_ESCAPE = re.compile(r"\\[A-Za-z]")
_PATTERN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{5,}(?![A-Za-z])")


def _patterns(value: object) -> list[str]:
    """Pattern sources held by a module-level value: a compiled pattern, or a table of them (keys or items)."""
    if isinstance(value, re.Pattern):
        return [value.pattern]
    if isinstance(value, dict):
        keys = [k for k in value if isinstance(k, str)]
        return keys + [v.pattern for v in value.values() if isinstance(v, re.Pattern)]
    if isinstance(value, tuple | list):
        return [p for item in value for p in _patterns(item)]
    return []


@cache
def _vocabulary(names: frozenset[str]) -> frozenset[str]:
    """The lexicon's words, the rules' words, the benchmarks no paper reports and the organisations: a typo of
    "hellaswag" must still be declined by name, one of "eleutherai" still list that lab's models."""
    phrases = [*OTHER_BENCHMARKS.values(), *ORGANIZATION_ALIASES, *PAPER_PHRASES, *LONG_STEP_PHRASES,
               *SHORT_STEP_PHRASES, *BENCHMARK_ALIASES, *(a for aliases in BENCHMARK_ALIASES.values() for a in aliases)]
    return names | RULE_WORDS | rule_words() | _words(phrases)


#: Contractions typed without their apostrophe: words as they stand ("thats just silu" is not "that just silu").
CONTRACTIONS = frozenset({
    "thats", "whats", "wheres", "hows", "whos", "heres", "theres", "doesnt", "isnt", "arent", "wasnt", "werent",
    "dont", "didnt", "cant", "couldnt", "wouldnt", "shouldnt", "wont", "havent", "hasnt", "youre", "theyre",
    "youve", "theyve", "itll", "thatll", "whatre",
})


def _known(word: str, vocabulary: frozenset[str]) -> bool:
    return word in vocabulary or word in CONTRACTIONS or word in _english()


@lru_cache(maxsize=8192)
def _abbreviates(word: str, vocabulary: frozenset[str]) -> bool:
    """"deriv", "approx", "config": the start of a known word is an abbreviation the rules read by its stem."""
    return any(v.startswith(word) for v in vocabulary if len(v) > len(word))


def _same_case(original: str, replacement: str) -> str:
    if original.isupper():
        return replacement.upper()
    if original[0].isupper() and original[1:].islower():
        return replacement.capitalize()
    return replacement


def corrected(question: str, lexicon: Lexicon) -> tuple[str, list[tuple[str, str]]]:
    """The question with each misspelt word replaced in place, and the (word, correction) pairs made."""
    vocabulary = _vocabulary(lexicon.vocabulary)
    corrections: list[tuple[str, str]] = []

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if any(c.isupper() for c in word[1:]):
            return word  # "SeGLU", "LaMDA", "DeepSpeed", "MMLU": a name as its makers write it, not a slip
        lower = word.lower()
        if _known(lower, vocabulary) or _abbreviates(lower, vocabulary):
            return word
        better = correct_word(lower, vocabulary)
        if better is None or slip_cost(lower, better) > _LIKELY_SLIP:
            return word
        corrections.append((word, better))
        return _same_case(word, better)

    return _CANDIDATE.sub(fix, question), corrections
