"""Claims that an approximation stays within a bound ("the tanh GELU is within 1e-3 of the exact one, right?").

Why: such a claim names an approximation and a number, so it was read as the stored misreading about
exact and tanh GELU being interchangeable, and answered without a yes or no. The claim is decided by one
computed number, the approximation's largest error against the exact function on [−10, 10]: yes when that
maximum is below the bound the asker gives (for "within", "at most", "under", "off by"), no when it is not,
and the reverse for "exceeds" or "more than".
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder
from app.answers.computations import ERROR_GRID, format_sig
from app.answers.entities import Entities
from app.answers.explanations import activation_citation
from app.answers.functions import APPROXIMATIONS

#: The bound is an upper limit the error stays under ("within 1e-3", "at most 5e-4", "never more than").
WITHIN = re.compile(r"\bwithin\b|\bat most\b|\bno more than\b|\bnever (?:more|larger|bigger|greater) than\b|"
                    r"\bunder\b|\bless than\b|\bsmaller than\b|\bbelow\b|\boff by\b|\bbounded by\b|\bup to\b|"
                    r"\bat worst\b|\bmax(?:imum)? (?:abs(?:olute)? )?(?:error|difference) (?:is|of)\b")
#: The bound is one the error goes past ("the error exceeds 1e-2 somewhere").
EXCEEDS = re.compile(r"\bexceeds?\b|\bmore than\b|\bgreater than\b|\blarger than\b|\bbigger than\b|\babove\b|"
                     r"\bover\b")
ERROR_WORDS = re.compile(r"\berrors?\b|\boff\b|\bdiffer|\bdifference\b|\bclose\b|\bwithin\b|\bdeviat|\baccura|"
                         r"\bexact\b|\bapprox")
#: A number as the asker may write a bound ("1e-3", "5e-4", "0.001").
LITERAL = re.compile(r"\d+(?:\.\d+)?(?:e[-−+]?\d+)?", re.IGNORECASE)
ASKS_CHECK = re.compile(r"\?\s*$|\b(?:is it true|right|correct|true|confirm|really)\b")


def detect(text: str, entities: Entities) -> dict[str, Any] | None:
    """The approximation, its exact reference, the bound and its direction of an error-bound claim, or None."""
    approximations = [a for a in entities.activations if a in APPROXIMATIONS]
    bounds = [n for n in entities.numbers if 0 < n < 1]
    if len(approximations) != 1 or len(bounds) != 1 or len(entities.variants) > 1:
        return None
    if not (ERROR_WORDS.search(text) and ASKS_CHECK.search(text)):
        return None
    within = WITHIN.search(text)
    if not within and not EXCEEDS.search(text):
        return None
    fn = approximations[0]
    written = next((t for t in LITERAL.findall(text) if _value(t) == bounds[0]), f"{bounds[0]:g}")
    return {"fn": fn, "reference": APPROXIMATIONS[fn], "bound": bounds[0], "within": bool(within), "written": written}


def _value(token: str) -> float | None:
    try:
        return float(token.replace("−", "-"))
    except ValueError:
        return None


def compose(b: Builder, fn: str, reference: str, bound: float, within: bool, written: str = "") -> None:
    """Yes or no first, from the computed maximum error, then where that maximum lies."""
    b.cite(activation_citation(fn))
    b.cite(activation_citation(reference))
    params = {"fn": fn, "reference": reference, **ERROR_GRID, "bound": bound}  # the bound is the asker's number
    out = b.computed("approx_error", params, f"max |{fn} − {reference}| on [−10, 10]")
    largest = float(out["max_abs_error"])
    below = largest < bound
    answer = "Yes" if below == within else "No"
    relation = "below" if below else "not below"
    b.add(f"{answer}. The largest difference between `{fn}` and exact `{reference}` is "
          f"**{format_sig(largest, 5)}**, at |x| ≈ {format_sig(float(out['x']), 5)} (computed by this service on "
          f"{ERROR_GRID['points']:,} points of [{ERROR_GRID['xmin']:g}, {ERROR_GRID['xmax']:g}]), which is "
          f"{relation} the “{written or format(bound, 'g')}” asked about.")
