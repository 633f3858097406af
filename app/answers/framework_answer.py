"""The answer to a question about a framework's or config's activation name (see app.answers.framework_names)."""

from __future__ import annotations

import re

from app.answers import framework_names
from app.answers.builder import Builder, activation_label
from app.answers.explanations import activation_citation


def compose(b: Builder, names: list[str], question: str) -> None:
    """Each name's function first, as verified; a yes/no question about exactness gets its verdict."""
    shown = [e for e in (framework_names.by_name(n) for n in names) if e is not None]
    if not shown:
        b.add("None of those names is in the stored list of framework activation names.")
        return
    lines = []
    for e in shown:
        b.cite(framework_names.citation(e))
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
    elif framework_names.YES_NO.search(lowered) and len(shown) == 1 and re.search(r"\bexact\b|\berf\b", lowered):
        exact = shown[0]["activation"] == "gelu"
        lines.insert(0, "Yes, it is the exact (erf) GELU." if exact else "No, it is not the exact GELU.")
    b.add(" ".join(lines))
