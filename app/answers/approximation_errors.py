"""What an answer about an approximation's error says beyond its largest error on [−10, 10]: the largest
error on an interval asked, which of two approximations is closer, how many times worse one is, why the
error is even in x, and the error at the points asked.

Why a module of its own: each is a registered computation on an approximation and its exact function,
read only when a question asks about an approximation's error, and none of them touches the formulas or
the values at points that the rest of the function answers compose.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.answers import framing
from app.answers.builder import Builder
from app.answers.computations import ERROR_GRID, format_sig

#: "max abs error on [-5, 5]", "between -3 and 3", "for x from -4 to 4": an interval, asked with a maximum.
INTERVAL = re.compile(r"\[\s*([-−]?\d+(?:\.\d+)?)\s*,\s*([-−]?\d+(?:\.\d+)?)\s*\]|"
                      r"\bbetween\s+([-−]?\d+(?:\.\d+)?)\s+and\s+([-−]?\d+(?:\.\d+)?)|"
                      r"\bfrom\s+([-−]?\d+(?:\.\d+)?)\s+to\s+([-−]?\d+(?:\.\d+)?)")
LARGEST = re.compile(r"\bmax|\blargest\b|\bbiggest\b|\bworst\b|\bpeaks?\b|\bat most\b")


def _within_interval(b: Builder, text: str, pairs: list[tuple[str, str]], direct: list[str]) -> bool:
    """'quick gelu max error on [-5, 5]': the largest error on [−10, 10] answers it when its peaks lie inside the
    interval asked (said first); False when no such interval is asked or a peak lies outside it."""
    found = INTERVAL.search(text)
    if found is None or not LARGEST.search(text):
        return False
    lo, hi = sorted(float(g.replace("−", "-")) for g in found.groups() if g is not None)
    if not lo < hi or lo < ERROR_GRID["xmin"] or hi > ERROR_GRID["xmax"]:
        return False
    lines = []
    for fn, ref in pairs:
        grid = {"xmin": lo, "xmax": hi, "points": ERROR_GRID["points"]}
        out = b.computed("approx_error", {"fn": fn, "reference": ref, **grid},
                         f"max |{fn} − {ref}| on [{lo:g}, {hi:g}]")
        peak = float(out["x"])
        if peak >= max(abs(lo), abs(hi)) - (hi - lo) / 1000:  # at an end: no interior peak to report
            return False
        lines.append(f"On [{lo:g}, {hi:g}] the largest difference between `{fn}` and exact `{ref}` is "
                     f"**{format_sig(float(out['max_abs_error']), 5)}**, at x ≈ ±{format_sig(peak, 5)} (computed on "
                     f"{ERROR_GRID['points']:,} points of that interval).")
    for line in reversed(lines):
        b.add(line)
        direct.insert(0, line)
    return True


def _closer_first(b: Builder, question: str, largest: dict[str, float], direct: list[str]) -> None:
    """'is quick_gelu more accurate than gelu_new?': the yes or no on the two computed largest errors, first."""
    closer = framing.closer_verdict(question, largest)
    if closer:
        verdict = f"{closer}`{min(largest, key=lambda fn: largest[fn])}` has the smaller largest error."
        b.add(verdict)
        direct.insert(0, verdict)


def _error_ratio(b: Builder, pairs: list[tuple[str, str]], direct: list[str]) -> None:
    """How many times larger one approximation's largest error is than the other's, as a registered division
    of the two computed maxima (largest first)."""
    errors = []
    for fn, ref in pairs:
        out = b.computed("approx_error", {"fn": fn, "reference": ref, **ERROR_GRID}, f"max |{fn} − {ref}| on [−10, 10]")
        errors.append((Decimal(out["max_abs_error"]), fn))
    (worse, worse_fn), (better, better_fn) = sorted(errors, reverse=True)
    operands = [{"number": str(worse)}, {"number": str(better)}]  # the computed maxima, exactly
    ratio = b.computed("arith", {"op": "div", "operands": operands}, f"{worse_fn} error / {better_fn} error")["result"]
    line = (f"The largest error of `{worse_fn}` ({format_sig(float(worse), 5)}) is about "
            f"**{format_sig(float(ratio), 4)} times** that of `{better_fn}` ({format_sig(float(better), 5)}).")
    b.add(line)
    direct.insert(0, line)


SYMMETRY_ASKED = re.compile(r"\bsymmetr|\beven\b|\bodd\b|\bmirror|\bboth sides\b|\bnegative x\b|"
                            r"\bboth\b.{0,12}[+±]?\d[\d.]*\s*and\s*[-−]\d|\bboth signs\b|\bpositive and negative\b")


def _why_even(b: Builder, fn: str, text: str, direct: list[str]) -> None:
    """'Why is the error symmetric?': the identity that makes every approximation's error even in x."""
    if not SYMMETRY_ASKED.search(text):
        return
    why = (f"Why the error is even: exact GELU and `{fn}` both have the form x·s(x) with s(x) + s(−x) equal to "
           "one, so f(x) − f(−x) = x for each of them; their difference e(x) therefore satisfies "
           "e(−x) = e(x), and every peak has a twin at −x.")
    b.add(why)
    direct.append(why)


#: "above or below exact gelu at x=1", "does it overestimate there": which side of the exact value it is on.
SIDE_ASKED = re.compile(r"\babove\b|\bbelow\b|\bunder\b|\bover\b|\bover(?:shoot|estimat)\w*|"
                        r"\bunder(?:shoot|estimat)\w*|"
                        r"\bwhich side\b|\bhigher or lower\b|\blower or higher\b|\bbigger or smaller\b|"
                        r"\bsmaller or bigger\b|\bless or more\b|\bmore or less than\b", re.IGNORECASE)


def _pointwise_errors(b: Builder, pairs: list[tuple[str, str]], xs: list[float], direct: list[str],
                      first: bool = True, order: int = 0, side: bool = False) -> None:
    """'How far apart are gelu and gelu_tanh at x=3' (or their slopes, ``order`` 1): the approximation minus the
    exact value at each point asked, as a registered subtraction of the two computed values (the maximum error
    answers a different question). A far-tail gap is shown to three digits, and one below float64's
    resolution of the values is said to be one, since a float64 subtraction of the two returns 0 there."""
    gaps, unresolved = [], False
    mark = {0: "", 1: "′", 2: "″"}[order]
    for (fn, ref), x in ((p, x) for p in pairs for x in xs):
        approx = b.computed("activation_value", {"fn": fn, "x": x, "derivative": order}, f"{fn}{mark}({x:g})")["value"]
        exact = b.computed("activation_value", {"fn": ref, "x": x, "derivative": order}, f"{ref}{mark}({x:g})")["value"]
        operands = [{"number": str(approx)}, {"number": str(exact)}]
        label = f"{fn}{mark}({x:g}) − {ref}{mark}({x:g})"
        gap = b.computed("arith", {"op": "sub", "operands": operands}, label)["result"]
        lost = gap != 0 and abs(gap) < abs(exact) * FLOAT64_RESOLUTION
        unresolved = unresolved or lost
        digits = 3 if lost or abs(gap) < TAIL_GAP else 5
        gaps.append(f"{fn}{mark}({x:g}) − {ref}{mark}({x:g}) = **{format_sig(float(gap), digits)}**")
        if side:  # the side asked, in words: the sign of the gap
            where = "above" if gap > 0 else "below" if gap < 0 else "equal to"
            # by how much, as a size (the error asked is the gap's magnitude, the side its sign)
            size = f"{format_sig(abs(float(gap)), digits)} " if gap else ""
            gaps[-1] += f" ({fn}{mark} is {size}{where} {ref}{mark} at x = {x:g})"
    line = "At the point asked: " + "; ".join(gaps) + "."
    if unresolved:
        line += (" That gap is far below what float64 resolves at values this size, so subtracting the two float64 "
                 "results gives exactly 0; it is computed here from how far each value falls short of x, which float64 "
                 "does resolve.")
    b.add(line)
    direct.insert(0 if first else 1, line)  # after the value asked, when the question asked for a value


#: A gap smaller than this fraction of the values is lost when the two float64 values are subtracted.
FLOAT64_RESOLUTION = Decimal("1e-15")
#: Gaps below this are far-tail differences (float32 cannot hold them beside values near one): three digits.
TAIL_GAP = Decimal("1e-6")
