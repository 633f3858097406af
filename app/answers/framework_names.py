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
#: The entry for the TensorFlow code BERT and GPT-2 were released with (a model's name is part of its name).
REFERENCE_CODE = "original BERT / GPT-2 TF code"
#: A bare name that means one framework's name only where the question names that framework
#: ("gelu_new vs gelu in huggingface": the second is Hugging Face's "gelu", the exact erf form); a name only
#: that library has is such a context too ("gelu vs gelu_new": the bare name beside it is its "gelu").
IN_CONTEXT = ((re.compile(r"\bhugging ?face\b|\bhf\b|\b(?:in|from) transformers\b|\btransformers library\b|"
                           r"\bhidden_act\b"),
               re.compile(r"(?<![\w.])[\"']?gelu[\"']?(?![\w(])"), '"gelu" (Hugging Face transformers)'),
              (re.compile(r"^(?=.*\b(?:gelu_new|gelu_pytorch_tanh|gelu_fast|quick_gelu)\b)"
                          r"(?=.*(?:\bvs\b|\bversus\b|\bdifferen|\bsame\b|\bidentical\b))", re.DOTALL),
               re.compile(r"(?<![\w.])(?<!erf )(?<!exact )(?<!tanh )[\"']?gelu[\"']?(?![\w(])"),
               '"gelu" (Hugging Face transformers)'),
              # "the original tf bert code", "openai's gpt-2 implementation": the reference code, however worded
              (re.compile(r"\b(?:code|implementation|repo|repository|source|modeling\.py|model\.py|tf|tensorflow)\b"),
               re.compile(r"\b(?:(?:original|tf|tensorflow|reference|google(?:-research)?(?:'s)?|openai(?:'s)?)\s+){1,3}"
                          r"(?:bert|gpt-?2)\b|\b(?:bert|gpt-?2)(?:'s)?\s+(?:original\s+)?(?:tf|tensorflow|reference)\b"),
               REFERENCE_CODE))
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


#: A code name called on a number ("jax.nn.gelu(1.0)", "F.gelu(torch.tensor(-2.))") or applied at one
#: ("jax.nn.gelu at 2"): the question evaluates the function that name computes.
_CALLED = re.compile(r"\s*(?:\(\s*\)\s*)?\(\s*(?:(?:torch\.tensor|jnp\.array|np\.array|torch\.as_tensor)\s*\(\s*)?"
                     r"\[?\s*(?:x\s*=\s*)?[-−]?\d|"
                     # "jax.nn.gelu gradient at 2", "nn.GELU(approximate='tanh') slope at 0.5", "jax.nn.gelu'(1)":
                     # its derivative at a point, constructor arguments and all
                     r"(?:\s*\([^()\d]*\))?(?:'s)?(?:\s+(?:derivatives?|gradients?|grads?|slopes?|derivs?|values?|"
                     r"outputs?))?\s+(?:at|of|for|on|applied to|evaluated at|@)\s+(?:x\s*=\s*)?[-−]?\d|"
                     r"(?:\s*\([^()\d]*\))?\s*['′]\s*\(\s*[-−]?\d",
                     re.IGNORECASE)
#: Constructor arguments without a number ("(approximate='tanh')"): read for the function chosen, then dropped.
_ARGUMENTS = re.compile(r"^\s*\([^()\d]*\)")
_CODE_FORM = re.compile(r"^[a-z_][\w.]*(?:\(\))?$", re.IGNORECASE)
#: The approximate= argument of a call, which chooses the function whatever the default.
_APPROXIMATE = re.compile(r"approximate\s*=\s*[\"']?(tanh|true|false|none)[\"']?", re.IGNORECASE)


@cache
def _code_forms() -> tuple[tuple[dict[str, Any], re.Pattern[str]], ...]:
    """The written forms that are code names ("jax.nn.gelu", "gelu_new"), each with its entry and a
    case-blind pattern, longest first (built once, not per question)."""
    out = []
    for form, name, _ in _forms():
        entry = by_name(name)
        if entry is not None and _CODE_FORM.match(form) and ("." in form or "_" in form):
            out.append((entry, re.compile(rf"(?<![\w.]){re.escape(form)}(?![\w])", re.IGNORECASE)))
    return tuple(out)


def as_called(text: str) -> str:
    """The text with each code name that is called on a number replaced by the id of the function it
    computes (JAX's ``gelu`` is the tanh form unless ``approximate=False``), so the value asked for is the
    one that framework returns, not the exact function its bare name suggests."""
    for entry, pattern in _code_forms():
        for match in reversed(list(pattern.finditer(text))):
            rest = text[match.end():]
            if not _CALLED.match(rest):
                continue
            activation = str(entry["activation"])
            chosen = _APPROXIMATE.search(re.split(r"[?\n]", rest[:100])[0]) if rest.lstrip()[:1] == "(" else None
            if chosen is not None and activation in ("gelu", "gelu_tanh"):
                activation = "gelu_tanh" if chosen.group(1).lower() in ("tanh", "true") else "gelu"
            text = text[:match.start()] + activation + _ARGUMENTS.sub("", rest, count=1)
    return text


#: Pasted Python around a call: prompts, imports, ``print(…)`` and a variable set to a number before it.
_PROMPT = re.compile(r"(?m)^\s*(?:>>>|\.\.\.)\s?")
_IMPORT = re.compile(r"(?m)(?:^|(?<=;))\s*(?:import\s+[\w.]+(?:\s+as\s+\w+)?|from\s+[\w.]+\s+import\s+[\w.*, ]+?)"
                     r"\s*(?:;|$)")
_ASSIGNED = re.compile(r"(?m)(?:^|(?<=;))\s*(?P<name>[a-z_]\w*)\s*=\s*(?:(?:torch\.tensor|jnp\.array|np\.array|"
                       r"torch\.as_tensor)\s*\(\s*)?(?P<value>[-−]?\d+(?:\.\d*)?)\s*\)?\s*(?:;|$)", re.IGNORECASE)
_PRINT = re.compile(r"\bprint\s*\((?P<inner>.*)\)\s*$", re.MULTILINE)


def as_expression(text: str) -> str:
    """Pasted code read as the call it evaluates: 'import torch; x = torch.tensor(-1.0); print(torch.tanh(x))'
    is 'torch.tanh(-1.0)' (unchanged when it is not code)."""
    text = _IMPORT.sub("", _PROMPT.sub("", text))
    for assigned in reversed(list(_ASSIGNED.finditer(text))):
        name, value = assigned.group("name"), assigned.group("value")
        rest = text[assigned.end():]
        used = re.compile(rf"\(\s*{re.escape(name)}\s*([,)])")
        if used.search(rest):
            text = text[:assigned.start()] + used.sub(rf"({value}\1", rest)
    return _PRINT.sub(lambda m: m.group("inner"), text).strip()
