"""Claims that an approximation stays within a bound ("the tanh GELU is within 1e-3 of the exact one, right?").

Why: such a claim names an approximation and a number, so it was read as the stored misreading about
exact and tanh GELU being interchangeable, and answered without a yes or no. The claim is decided by one
computed number, the approximation's largest error against the exact function on [−10, 10]: yes when that
maximum is below the bound the asker gives (for "within", "at most", "under", "off by"), no when it is not,
and the reverse for "exceeds" or "more than".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np

from app import activations
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
                         r"\bexact\b|\bapprox|"
                         # "swap gelu_new for nn.GELU(): outputs move by less than 5e-4": one swapped for the other
                         r"\bmov(?:e|es|ed)\b|\bchang(?:e|es|ed)\b|\bshifts?\b|\bswap|\breplac")
#: A number as the asker may write a bound ("1e-3", "5e-4", "0.001").
LITERAL = re.compile(r"\d+(?:\.\d+)?(?:e[-−+]?\d+)?", re.IGNORECASE)
ASKS_CHECK = re.compile(r"\?\s*$|\b(?:is it true|right|correct|true|confirm|really)\b")


#: "gelu_tanh always sits above exact gelu", "quick gelu never overshoots": a claim about the error's sign.
ALWAYS = re.compile(r"\balways\b|\beverywhere\b|\bfor (?:all|every|any) x\b|\bnever\b|\bat every (?:x|point)\b")
ZERO_SIDE = re.compile(r"\b(?:below|under|above|over|less than|greater than|lower than|higher than)\s+(?:zero|0)\b|"
                       r"\bnegative\b|\bpositive\b")
#: "does the tanh approx ever dip under exact gelu?": whether it leaves one side somewhere.
EVER = re.compile(r"\bever\b|\banywhere\b|\bsometimes\b|\bat any (?:x|point)\b|\bsomewhere\b")
ABOVE = re.compile(r"\babove\b|\bhigher\b|\bover(?:estimat\w*|shoots?)?\b|\b(?:greater|larger|bigger) than\b")
BELOW_SIDE = re.compile(r"\bbelow\b|\blower\b|\bunder(?:estimat\w*|shoots?)?\b|\b(?:smaller|less) than\b")


def _claimed_side(text: str, approximations: list[str], bounds: list[float]) -> dict[str, Any] | None:
    """The side of exact GELU an approximation is claimed to stay on, when no bound is given."""
    ever = bool(EVER.search(text))
    if len(approximations) != 1 or bounds or not ((ALWAYS.search(text) or ever) and ASKS_CHECK.search(text)):
        return None
    above, below = ABOVE.search(text), BELOW_SIDE.search(text)
    if bool(above) == bool(below) or ZERO_SIDE.search(text):  # "ever below zero" asks the function's own sign
        return None
    side = "above" if above else "below"
    if re.search(r"\bnever\b", text) or (ever and not ALWAYS.search(text)):
        # "never below" and "is it ever below?" both ask about the claim that it always lies above
        side = "below" if side == "above" else "above"
    fn = approximations[0]
    return {"fn": fn, "reference": APPROXIMATIONS[fn], "bound": 0.0, "within": True, "side": side,
            "ever": ever and not ALWAYS.search(text)}


def detect(text: str, entities: Entities) -> dict[str, Any] | None:
    """The approximation, its exact reference, the bound and its direction of an error-bound claim, or None."""
    approximations = [a for a in entities.activations if a in APPROXIMATIONS]
    bounds = [n for n in entities.numbers if 0 < n < 1]
    sided = _claimed_side(text, approximations, bounds)
    if sided is not None:
        return sided
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


def compose(b: Builder, fn: str, reference: str, bound: float, within: bool, written: str = "",
            side: str = "", ever: bool = False) -> None:
    """Yes or no first, from the computed maximum error, then where that maximum lies."""
    b.cite(activation_citation(fn))
    b.cite(activation_citation(reference))
    if side:
        _compose_side(b, fn, reference, side, ever)
        return
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


@lru_cache(maxsize=8)
def _signed_extremes(fn: str, reference: str) -> tuple[float, float]:
    """Where on [−10, 10] the approximation lies furthest below and furthest above the exact function (x ≥ 0,
    to three decimals: the error is even in x), from a float64 scan of 20,001 points."""
    grid = np.linspace(0.0, ERROR_GRID["xmax"], 10_001)
    error = activations.scalar_values(fn, grid, 0) - activations.scalar_values(reference, grid, 0)
    return round(float(grid[int(np.argmin(error))]), 3), round(float(grid[int(np.argmax(error))]), 3)


def _compose_side(b: Builder, fn: str, reference: str, side: str, ever: bool = False) -> None:
    """'Always above?': no when the computed difference changes sign, shown at the point on the other side
    where it is largest (and its mirror, the error being even), with the largest difference on [−10, 10] and
    its side; yes when it never does."""
    lowest, highest = _signed_extremes(fn, reference)
    against = lowest if side == "above" else highest
    approx = b.computed("activation_value", {"fn": fn, "x": against, "derivative": 0}, f"{fn}({against:g})")["value"]
    exact = b.computed("activation_value", {"fn": reference, "x": against, "derivative": 0},
                       f"{reference}({against:g})")["value"]
    operands = [{"number": str(approx)}, {"number": str(exact)}]
    label = f"{fn}({against:g}) − {reference}({against:g})"
    gap = b.computed("arith", {"op": "sub", "operands": operands}, label)["result"]
    peak = b.computed("approx_error", {"fn": fn, "reference": reference, **ERROR_GRID},
                      f"max |{fn} − {reference}| on [−10, 10]")
    peak_side = "above" if peak["signed_error"] > 0 else "below"
    largest = (f"The largest difference on [{ERROR_GRID['xmin']:g}, {ERROR_GRID['xmax']:g}] is "
               f"{format_sig(float(peak['max_abs_error']), 5)}, at |x| ≈ {format_sig(float(peak['x']), 5)}, where "
               f"`{fn}` lies {peak_side} the exact curve (computed by this service on {ERROR_GRID['points']:,} "
               "points).")
    holds = gap >= 0 if side == "above" else gap <= 0
    other = "below" if side == "above" else "above"
    if holds:
        lead = f"No: `{fn}` never goes {other} exact" if ever else f"Yes: `{fn}` stays on or {side} exact"
        b.add(f"{lead} `{reference}` anywhere on the line scanned. {largest}")
        return
    verdict = "Yes" if ever else "No, not always"
    b.add(f"{verdict}: `{fn}` lies {other} exact `{reference}` on part of the line. At x = ±{against:g}, where it "
          f"is furthest {other} on a scan of the line, {fn}({against:g}) − {reference}({against:g}) = "
          f"**{format_sig(float(gap), 5)}**. {largest} The difference is an even function of x, so each holds at "
          "−x too.")
