"""Why a value computed at a point is what it is ('relu's slope at 0' … 'why?', 'why is relu's derivative
undefined at 0').

Why a module of its own: the reason is a sentence put before the computed value, read from what the value
was computed from: at a kink, the two one-sided slopes that differ (so the derivative shown is a convention);
elsewhere, the definition evaluated there. It prints no number of its own beyond the point asked.
"""

from __future__ import annotations

#: The words for each derivative order the value was computed at.
ORDER_WORDS = {0: "its definition", 1: "the derivative of its definition", 2: "the second derivative of its definition"}


def why_value(fn: str, x: float, order: int, formula: str, kink: str | None) -> str:
    """The reason sentence; ``kink`` describes the one-sided slopes where ``fn`` has a kink at ``x`` (None where
    it is differentiable there), ``formula`` is its plain-text definition ('' where none is written out)."""
    if kink is not None:
        return (f"Because `{fn}` has a kink (a corner) at {x:g}: its slope from the left and its slope from the right "
                f"differ ({kink}), so it has no single derivative there, and the value given is the one-sided "
                "derivative that frameworks use by convention.")
    return f"Because that is {ORDER_WORDS[order]} evaluated at x = {x:g}" + (
        f", with `{fn}`(x) = {formula}." if formula else ".")
