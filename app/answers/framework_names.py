"""What the activation names of frameworks and configs compute: `gelu_new`, `jax.nn.gelu`, `quick_gelu` …

Why its own source: "is jax.nn.gelu exact by default?" or "hidden_act gelu_new — exact or tanh?" is a
question about a *name*, and the names disagree across frameworks (JAX's `gelu` is the tanh form by
default, PyTorch's and Hugging Face's `gelu` are exact). The verified mapping ships as
``app/data/framework_names.yaml``; an answer names the function each one computes, with the place it was
verified, and links the activation's page.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from app.answers.builder import Builder

DATA = Path(__file__).resolve().parent.parent / "data" / "framework_names.yaml"
#: The question asks what a name computes (not, say, which models use it).
ASKS_MEANING = re.compile(r"\bexact\b|\bapprox|\btanh\b|\berf\b|\bwhat\b|\bwhich\b|\bsame\b|\bdifferen|\bmeans?\b|"
                          r"\bcomput|\bdefault\b|\bequal|\bidentical\b|\bis it\b|\bformula\b")
YES_NO = re.compile(r"^\s*(is|are|does|do|can|was)\b|\b(true|right|correct)\s*\??\s*$")


@cache
def entries() -> tuple[dict[str, Any], ...]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return tuple(dict(e) for e in data)


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
    forms = sorted(((form, e["name"]) for e in entries() for form in e["forms"]), key=lambda p: -len(p[0]))
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for form, name in forms:
        for match in _pattern(form).finditer(lowered):
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            if name not in (n for _, n in found):
                found.append((span[0], name))
    return [name for _, name in sorted(found)]


def compose(b: Builder, names: list[str], question: str) -> None:
    """Each name's function first, as verified; a yes/no question about exactness gets its verdict."""
    from app.answers.builder import activation_label
    from app.answers.explanations import activation_citation

    shown = [e for e in (by_name(n) for n in names) if e is not None]
    if not shown:
        b.add("None of those names is in the stored list of framework activation names.")
        return
    lines = []
    for e in shown:
        b.cite(citation(e))
        b.cite(activation_citation(e["activation"]))
        lines.append(f"`{e['name']}` ({e['framework']}): {e['meaning']} — "
                     f"{activation_label(e['activation'])}, [`{e['activation']}`](/activations/{e['activation']}) "
                     f"(verified in {e['source']}).")
    lowered = question.lower()
    functions = {e["activation"] for e in shown}
    if len(shown) >= 2 and re.search(r"\bsame\b|\bidentical\b|\bequal\b|\bdiffer", lowered):
        lines.insert(0, f"{'Yes' if len(functions) == 1 else 'No'}: "
                        + ("they compute the same function." if len(functions) == 1 else
                           "they compute different functions."))
    elif YES_NO.search(lowered) and len(shown) == 1 and re.search(r"\bexact\b|\berf\b", lowered):
        exact = shown[0]["activation"] == "gelu"
        lines.insert(0, "Yes, it is the exact (erf) GELU." if exact else "No, it is not the exact GELU.")
    b.add(" ".join(lines))
