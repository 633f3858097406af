"""What the activation names of frameworks and configs compute: `gelu_new`, `jax.nn.gelu`, `quick_gelu` …

Why its own source: "is jax.nn.gelu exact by default?" or "hidden_act gelu_new — exact or tanh?" is a
question about a *name*, and the names disagree across frameworks (JAX's `gelu` is the tanh form by
default, PyTorch's and Hugging Face's `gelu` are exact). The verified mapping ships as
``app/data/framework_names.yaml``; an answer names the function each one computes, with the place it was
verified, and links the activation's page. This module holds the mapping and its recognition (the grounding
check reads it); :mod:`app.answers.framework_answer` writes the answer.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent.parent / "data" / "framework_names.yaml"
#: The question asks what a name computes (not, say, which models use it).
ASKS_MEANING = re.compile(r"\bexact\b|\bapprox|\btanh\b|\berf\b|\bwhat\b|\bwhich\b|\bsame\b|\bdifferen|\bmeans?\b|"
                          r"\bcomput|\bdefault\b|\bequal|\bidentical\b|\bis it\b|\bformula\b")
#: A bare name that means one framework's name only where the question names that framework
#: ("gelu_new vs gelu in huggingface": the second is Hugging Face's "gelu", the exact erf form).
IN_CONTEXT = ((re.compile(r"\bhugging ?face\b|\bhf\b|\b(?:in|from) transformers\b|\btransformers library\b|"
                           r"\bhidden_act\b"),
               re.compile(r"(?<![\w.])[\"']?gelu[\"']?(?![\w(])"), '"gelu" (Hugging Face transformers)'),)
YES_NO = re.compile(r"^\s*(is|are|does|do|can|was)\b|\b(true|right|correct)\s*\??\s*$")


@cache
def entries() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return tuple(dict(e) for e in data)


@cache
def _forms() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """Every written form with its name and pattern, longest first (built once, not per question)."""
    pairs = sorted(((form, e["name"]) for e in entries() for form in e["forms"]), key=lambda p: -len(p[0]))
    return tuple((form, name, _pattern(form)) for form, name in pairs)


def by_name(name: str) -> dict[str, Any] | None:
    return next((e for e in entries() if e["name"] == name), None)


def citation(entry: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "framework_name", "name": entry["name"],
            "label": f"Framework names: {entry['name']} ({entry['framework']}), verified in {entry['source']}",
            "url": f"/activations/{entry['activation']}"}


def strings(entry: dict[str, Any]) -> list[str]:
    return [entry["name"], entry["meaning"], entry["source"], entry["framework"], *entry["forms"]]


def _pattern(form: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.]){re.escape(form.lower())}(?![\w])")


def detect(text: str) -> list[str]:
    """The names a question asks about (longest written form first, no overlaps), when it asks what they
    compute; else an empty list."""
    lowered = text.lower()
    if not ASKS_MEANING.search(lowered):
        return []
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for _, name, pattern in _forms():
        for match in pattern.finditer(lowered):
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            if name not in (n for _, n in found):
                found.append((span[0], name))
    for context, bare, name in IN_CONTEXT:
        hit = bare.search(lowered) if context.search(lowered) else None
        if hit and not any(a < hit.end() and hit.start() < b for a, b in taken) and name not in (n for _, n in found):
            found.append((hit.start(), name))
    return [name for _, name in sorted(found)]
