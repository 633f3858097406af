"""The two groups of variants a question may narrow to: the gated (GLU-family) and the dense (ungated) ones.

Why its own module: the orderings, the differences between groups and the second paper's rankings all
read "gated variants" / "ungated (dense) FFNs" the same way, and the cells of a group come from the
table's own ``gated`` flag, not from a list of names.
"""

from __future__ import annotations

import re

from app.answers.facts import Cell, Facts

#: "gated (GLU) variants", "ungated (dense) FFN": a group of variants, an aside in parentheses allowed.
_ASIDE = r"\s+(?:\([^)]{0,20}\)\s*)?"
#: "non-gated ffns" is the other group: "gated" after "non-" or "not " does not name the gated one.
_NOT = r"(?<!non-)(?<!non )(?<!not )"
GATED_ONLY = re.compile(rf"{_NOT}\bgated{_ASIDE}(variants?|ones?|ffns?|layers?|activations?|rows?)\b|"
                        rf"\bamong (the )?{_NOT}gated\b|\bglu[- ]family\b")
DENSE_ONLY = re.compile(rf"\b(ungated|non-gated|non gated|not gated|dense){_ASIDE}"
                        r"(variants?|ones?|ffns?|layers?|activations?|rows?)\b|"
                        r"\bamong (the )?(ungated|non-gated|non gated|dense)\b")


def _group(facts: Facts, text: str) -> tuple[str, list[Cell]] | None:
    """('gated', keep) for a question about one group of variants, else None."""
    if GATED_ONLY.search(text):
        wanted, label = True, "gated"
    elif DENSE_ONLY.search(text):
        wanted, label = False, "dense (ungated)"
    else:
        return None
    return label, [c for c in facts.cells if not c.is_reference
                   and bool((facts.variants.get(c.variant or "") or {}).get("gated")) == wanted]
