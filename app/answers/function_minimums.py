"""A function's minimum, or its derivative's, asked in words ("gelu minimum", "where is its slope smallest").

Kept apart from the curve answers: it is one computed extremum, said first, and reads nothing but the
question's words and the derivative order already asked.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.answers.builder import Builder
from app.answers.computations import ERROR_GRID, format_sig

#: "gelu minimum", "min value of swish", "can it be negative": the minimum, points asked or not.
MINIMUM_ASKED = re.compile(r"\bmin(?:imum|ima)?\b|\blowest value\b|"
                           r"\bnegative\b(?!\s*[-−]?\d|\s+(?:zero|one|two|three|four|five|half)\b)")
#: Words that ask for the minimum only where no point is asked ("which is smallest at x = 1" compares values).
MINIMUM_WORDS = re.compile(r"\blowest\b|\bsmallest\b|\bbottoms? out\b")


def slope_minimum(b: Builder, fn: str) -> dict[str, Decimal]:
    """f′'s computed minimum on the error grid's interval (registered, so the check re-runs it)."""
    return b.computed("derivative_extremum", {"fn": fn, "which": "minimum", "xmin": ERROR_GRID["xmin"],
                                              "xmax": ERROR_GRID["xmax"]}, f"minimum of {fn}′ on [−10, 10]")


def curve_minimum(b: Builder, fn: str) -> dict[str, Decimal]:
    """f's computed minimum (registered, so the check re-runs it)."""
    return b.computed("extremum", {"fn": fn, "which": "minimum"}, f"minimum of {fn}")


def compose(b: Builder, text: str, functions: list[str], points_asked: bool, derivative: int,
            direct: list[str]) -> None:
    """The computed minimum of each function asked (of f′ when the derivative is asked), as a direct answer."""
    if not (MINIMUM_ASKED.search(text) or (not points_asked and MINIMUM_WORDS.search(text))):
        return
    for fn in functions[:2]:
        if derivative == 1:
            out = slope_minimum(b, fn)
            line = (f"The smallest value of `{fn}`′ on [−10, 10] is {format_sig(float(out['value']), 5)} at "
                    f"x ≈ {format_sig(float(out['x']), 5)} (computed).")
        else:
            out = curve_minimum(b, fn)
            line = (f"The minimum of `{fn}` is {format_sig(float(out['value']), 5)} at x ≈ "
                    f"{format_sig(float(out['x']), 5)} (computed).")
        b.add(line)
        direct.append(line)
