"""Answers about activation functions themselves: formulas, values and derivatives, minima, and how far
an approximation lies from the exact function — each number computed by this service and registered.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from app import activations
from app.answers import function_gaps, function_minimums, second_paper_cells, value_reasons
from app.answers.approximation_errors import (
    SIDE_ASKED,
    SYMMETRY_ASKED,
    _closer_first,
    _error_ratio,
    _pointwise_errors,
    _why_even,
    _within_interval,
)
from app.answers.builder import Builder, activation_label
from app.answers.computations import ERROR_GRID, format_sig
from app.answers.explanations import activation_citation
from app.answers.intents import WHY, YES_NO, Intent
from app.vocabulary import BY_PAPER_NAME, GATE_VARIANT_OF

# Plain-text formulas (the registry's LaTeX is cited beside them; numbers here all appear in it).
PLAIN_FORMULAS = {
    "relu": "max(0, x)",
    "gelu": "x·Φ(x) = ½·x·(1 + erf(x/√2))",
    "gelu_tanh": "½·x·(1 + tanh(√(2/π)·(x + {c}·x³)))",
    "gelu_sigmoid": "x·σ({s}·x)",
    "silu": "x·σ(βx) = x / (1 + e^(−βx)), with β = 1 (SiLU)",
    "sigmoid": "σ(x) = 1 / (1 + e^(−x))",
    "tanh": "(eˣ − e^(−x)) / (eˣ + e^(−x))",
    "softplus": "ln(1 + eˣ)",
    "mish": "x·tanh(ln(1 + eˣ))",
    "elu": "x for x > 0, eˣ − 1 otherwise",
    "selu": "λ·x for x > 0, λ·α·(eˣ − 1) otherwise",
    "squared_relu": "max(0, x)²",
}
APPROXIMATIONS = {"gelu_tanh": "gelu", "gelu_sigmoid": "gelu"}


#: Words that ask about an approximation's error rather than its value.
ERROR_ASKED = re.compile(r"\berrors?\b|\bdiffer|\bgap\b|\baccura|\boff\b|\bwrong\b|\bfar\b|\bdeviat|\bclose\b|"
                         r"\bvs\.?\b|\bversus\b|\bcompared?\b|\bminus\b|\bbetween\b|\bexact\b|\bpeaks?\b|\bmax")
SECOND_DERIVATIVE = re.compile(r"second derivative|\bcurvature\b|2nd derivative|\bdouble prime\b|"
                               r"\w(?:''|″|′′)(?:\s*\(|(?=\s*(?:at\b|@|for x\b|x\s*=|[-−]?\d|\?|$)))|\bf(?:''|″|′′)|"
                               r"\bd\s*(?:²|\^2|2)\s*/\s*dx\s*(?:²|\^2|2)")
#: "gelu'(1)", "gelu' at x = 1", "silu′ @ 2": a prime after a function name, before its argument or a point.
FIRST_DERIVATIVE = re.compile(r"derivative|slope|gradient|\bgrads?\b|\bderivs?\b|\bprime\b|\w['′]\s*\(|\bf['′]|"
                              r"\bd\s*/\s*dx\b|differentiab|"
                              r"\w['′](?=\s*(?:at\b|@|for x\b|of x\b|x\s*=|[-−]?\d|\?|$))|"
                              # "d sigmoid / dx", "dσ/dx", "d gelu(x)/dx", "∂f/∂x": the function between d and dx
                              r"(?<![\w])[d∂]\s*[\w.σΦ]+(?:\s*\(\s*x\s*\))?\s*/\s*[d∂]\s*x\b")
MONOTONIC = re.compile(r"\bmonoton")
#: "how many times worse is the sigmoid approximation than the tanh one": the ratio of the two maximum errors.
TIMES = re.compile(r"\bhow many times\b|\btimes (?:worse|better|larger|bigger|smaller|more|less)\b|\bratio\b|"
                   r"\bby what factor\b|\bhow much (?:worse|better|more accurate|less accurate)\b")
#: "silu(-1) and its derivative", "value and slope at 2": both the value and the derivative are asked for.
VALUE_AND_DERIVATIVE = re.compile(r"(?:\band|&|\+|\bplus|\balso|\bas well as|,\s*then|\band then)\s+(?:also\s+)?"
                                  r"(?:what(?:'s|s| is| about)?\s+)?(?:its |the |their )?(?:first )?"
                                  r"(?:derivative|slope|gradient)s?\b|"
                                  r"\bvalues? and (?:its |the )?(?:derivative|slope|gradient)s?\b|"
                                  r"\b(?:derivative|slope|gradient)s? (?:and|&|\+) (?:the |its )?values?\b|"
                                  r"\bf(?:\(x\))? and f['′]")
#: "slope of gelu_tanh at 0.5, and how much does it differ from the erf one's": a later clause that sets the value
#: just asked against another function's at the same point, one computation rather than a second question.
DIFFERENCE_BACK = re.compile(r",?\s+(?:and|&)\s+(?:how (?:much|far)|by how much)\s+(?:does |do |is |are )?"
                             r"(?:it|that|this|they|those|the two)\s+(?:differ|deviate|lie|sit|from|off|away|apart)|"
                             r",?\s+(?:and|&)\s+(?:what(?:'s| is)\s+)?(?:its|the|their) "
                             r"(?:difference|gap|error|deviation)s?"
                             r" (?:from|to|vs\.?|versus|against|with)\b")
#: Functions with a kink at 0: their derivative there is a convention, not a value.
KINKED_AT_ZERO = {"relu": "zero on the left and one on the right", "squared_relu": ""}
#: Functions whose one-sided derivatives at 0 differ (the points just left and right of 0 where they are read).
ONE_SIDED_AT_ZERO = {"selu": (-1e-9, 1.0)}


def derivative_order(text: str) -> int:
    """Which derivative a question asks for at a point: f″ ("second derivative", "f''"), f′, or f itself."""
    if SECOND_DERIVATIVE.search(text):
        return 2
    return 1 if FIRST_DERIVATIVE.search(text) else 0


def plain_formula(b: Builder, activation_id: str) -> str | None:
    template = PLAIN_FORMULAS.get(activation_id)
    if template is None:
        return None
    b.cite(activation_citation(activation_id))
    return template.format(c=repr(activations.GELU_TANH_COEFF), s=repr(activations.GELU_SIGMOID_SCALE))


BOUND_CLAIM = re.compile(r"\bat most\b|\bbelow\b|\bunder\b|\bless than\b|\bwithin\b|\boff by\b|\bsmaller than\b|"
                         r"\bno more than\b|\bup to\b")


def _claimed_bound(text: str, numbers: list[float]) -> float | None:
    """The error bound a yes/no claim states ('off by at most about 5e-4, true?'), if it states one."""
    if not BOUND_CLAIM.search(text) or not YES_NO.search(text):
        return None
    small = [n for n in numbers if 0 < abs(n) < 1]
    return abs(small[-1]) if small else None


def asked_derivative(intent: Intent) -> int:
    """The derivative order asked for; a follow-up that names none ('and at 2?') keeps the earlier one."""
    order = derivative_order(intent.question.lower())
    if order or intent.follow_up_of is None:
        return order
    return derivative_order(intent.retrieval_query.lower())


def compose_math(b: Builder, intent: Intent, settings_max_abs_x: float) -> None:
    """Formulas, then what was asked of them; values at points, monotonicity and error peaks are moved in
    front of the formulas, so the answer comes first."""
    start = len(b.parts)
    direct: list[str] = []
    _compose_math(b, intent, settings_max_abs_x, direct)
    for line in reversed(direct):
        b.parts.remove(line)
        b.parts.insert(start, line)


def _compose_math(b: Builder, intent: Intent, settings_max_abs_x: float, direct: list[str]) -> None:
    slots = intent.slots
    text = intent.question.lower()
    targets = list(dict.fromkeys([*slots.gates, *slots.activations]))
    if not targets:
        for v in slots.variants:
            named = BY_PAPER_NAME.get(v)
            targets.append(named.label if named else b.facts.variants[v]["activation"])
    curve_functions: list[str] = []
    error_pairs: list[tuple[str, str]] = []
    for target in targets[:4]:
        entry = activations.get(target)
        b.cite(activation_citation(entry.id))
        if entry.family == "gate":
            inner = entry.gate_activation or ""
            inner_formula = plain_formula(b, inner)
            variant = GATE_VARIANT_OF.get(entry.id)
            line = f"**{entry.name}** gates a linear branch b with {activation_label(inner)} of the other branch a: " \
                   f"f(a, b) = {activation_label(inner)}(a) ⊙ b, an element-wise product"
            if inner_formula:
                line += f", where {activation_label(inner)}(x) = {inner_formula}"
            alias = second_paper_cells.alias_line(b, variant, intent.question) if variant else None
            b.add(f"{alias}\n\n{line}." if alias else line + ".")
            if variant and variant in b.facts.variants:
                vrow = b.facts.variants[variant]
                b.cite({"kind": "variant", "name": variant, "label": f"FFN variant {variant} (GLU-variants paper)",
                        "url": f"/variants/{variant}"})
                b.add(f"As a feed-forward layer ({variant}): `{vrow['formula_latex']}`, with d_ff = "
                      f"{vrow['d_ff_paper']} in the paper.")
            if inner and inner != "identity":
                curve_functions.append(inner)
            if inner in APPROXIMATIONS:
                error_pairs.append((inner, APPROXIMATIONS[inner]))
            continue
        formula = plain_formula(b, entry.id)
        b.add(f"**{entry.name}**: {formula}." if formula else f"**{entry.name}**: `{entry.formula}`.")
        curve_functions.append(entry.id)
        if entry.id in APPROXIMATIONS:
            error_pairs.append((entry.id, APPROXIMATIONS[entry.id]))
            if APPROXIMATIONS[entry.id] not in curve_functions:
                curve_functions.append(APPROXIMATIONS[entry.id])
        elif entry.id == "gelu" and not any(APPROXIMATIONS.get(t) == "gelu" for t in targets) and (
                re.search(r"approx|error|accura|tanh", text) or ("differ" in text and len(targets) == 1)):
            error_pairs.append(("gelu_tanh", "gelu"))  # "difference between gelu and silu" is no approximation
    error_pairs = list(dict.fromkeys(error_pairs))  # "tanh approximation of GELU" names the pair twice
    largest: dict[str, float] = {}
    for fn, ref in error_pairs[:2]:
        params = {"fn": fn, "reference": ref, **ERROR_GRID}
        out = b.computed("approx_error", params, f"max |{fn} − {ref}| on [−10, 10]")
        largest[fn] = float(out["max_abs_error"])
        side = "above" if out["signed_error"] > 0 else "below"
        line = (
            f"Computed by this service on {ERROR_GRID['points']:,} points of "
            f"[{ERROR_GRID['xmin']:g}, {ERROR_GRID['xmax']:g}]: the largest difference between "
            f"`{fn}` and exact `{ref}` is **{format_sig(float(out['max_abs_error']), 5)}**, at |x| ≈ "
            f"{format_sig(float(out['x']), 5)}, where the approximation lies {side} the exact curve; the "
            "error is even in x, so it peaks at both ±x."
        )
        b.add(line)
        direct.append(line)
        _why_even(b, fn, text, direct)
        bound = _claimed_bound(text, slots.numbers)
        if bound is not None:
            within = out["max_abs_error"] <= Decimal(repr(bound))
            verdict = (f"{'Yes' if within else 'No'}: the largest error of `{fn}` is "
                       f"{format_sig(float(out['max_abs_error']), 5)}, {'within' if within else 'above'} "
                       f"{format_sig(bound, 2)}.")
            b.add(verdict)
            direct.insert(0, verdict)
        b.attachments.append({"kind": "curve", "functions": [fn], "error_of": ref, "xmin": -6.0, "xmax": 6.0,
                              "title": f"{fn} − {ref}"})
    _closer_first(b, intent.question, largest, direct)
    if len(error_pairs) >= 2 and TIMES.search(text):
        _error_ratio(b, error_pairs[:2], direct)
    if error_pairs and re.search(r"bfloat16|\bbf16\b|float16|\bfp16\b|half.precision|low.precision|dtype", text):
        b.add("That figure is the float64 difference. Whether it survives rounding to bfloat16 or float16 depends on "
              "x, because the rounding step grows with |GELU(x)|: [the GELU approximations page](/gelu-approximations) "
              "computes each approximation's worst error against each dtype's rounding step.")
    scalar_targets = [t for t in curve_functions if activations.get(t).family == "scalar"]
    derivative = asked_derivative(intent)
    claimed = _claimed_bound(text, slots.numbers) if error_pairs else None
    xs = [] if error_pairs and _within_interval(b, text, error_pairs[:2], direct) else [
        x for x in dict.fromkeys(_points(slots.numbers, text))
        if math.isfinite(x) and abs(x) <= settings_max_abs_x and x != claimed][:5]  # an interval's ends are no points
    if xs and scalar_targets:
        values = []
        # a follow-up naming no order ('correction, i meant softplus') keeps both when both were just shown
        both = VALUE_AND_DERIVATIVE.search(text) or (intent.follow_up_of is not None and not derivative_order(text)
                                                     and VALUE_AND_DERIVATIVE.search(intent.retrieval_query.lower()))
        orders = [0, derivative] if derivative and both else [derivative]
        for fn, x, order in ((f, x, o) for f in list(dict.fromkeys(scalar_targets))[:3] for x in xs for o in orders):
            mark = {0: "", 1: "′", 2: "″"}[order]
            out = b.computed("activation_value", {"fn": fn, "x": x, "derivative": order}, f"{fn}{mark}({x:g})")
            values.append(f"{fn}{mark}({x:g}) = {format_sig(float(out['value']), 6)}")
            if order == 1 and x == 0:
                values[-1] += _at_kink(b, fn)
        line = "Computed: " + "; ".join(values) + "."
        line = _value_claim(b, text, scalar_targets, xs, derivative) + line
        b.add(line)
        # the value asked comes first; an approximation's largest error leads only where an error is asked
        # (a slope asked leads too: the largest error that follows is the values', not the slopes')
        direct.insert(0 if error_pairs and (derivative or not ERROR_ASKED.search(text)) else len(direct), line)
        _lead_reason(b, text, scalar_targets[0], xs[0], derivative, direct)
        if error_pairs and claimed is None and (derivative == 0 or ERROR_ASKED.search(text)):
            first = bool(ERROR_ASKED.search(text)) and not derivative
            _pointwise_errors(b, error_pairs[:2], xs[:3], direct, first=first, order=derivative,
                              side=bool(SIDE_ASKED.search(text)))
        function_gaps.compose(b, text, list(dict.fromkeys(scalar_targets)), error_pairs, xs, derivative, direct)
    _steeper(b, text, list(dict.fromkeys(scalar_targets))[:3], xs, direct)
    if MONOTONIC.search(text):
        for fn in scalar_targets[:2]:
            out = function_minimums.slope_minimum(b, fn)
            lowest = float(out["value"])
            if lowest < 0:
                low = function_minimums.curve_minimum(b, fn)
                line = (f"No: `{fn}` is not monotonic. It falls to its minimum {format_sig(float(low['value']), 5)} "
                        f"at x ≈ {format_sig(float(low['x']), 5)} and rises after it; its derivative is negative "
                        f"left of that point, lowest ({format_sig(lowest, 5)}) at x ≈ "
                        f"{format_sig(float(out['x']), 4)} (computed).")
            else:
                line = (f"Yes: `{fn}` is monotonic (non-decreasing): its smallest derivative on [−10, 10] is "
                        f"{format_sig(lowest, 5)} (computed).")
            b.add(line)
            direct.append(line)
    signs = _sign_questions(b, text, scalar_targets, direct)
    if not signs and not error_pairs:
        function_minimums.compose(b, text, scalar_targets, bool(xs), derivative, direct)
    if scalar_targets:
        b.attachments.insert(0, {"kind": "curve", "functions": list(dict.fromkeys(scalar_targets))[:4],
                                 "xmin": -4.0, "xmax": 4.0, "title": ", ".join(scalar_targets[:4])})
    exp = b.facts.explanations.get("approximated-gelu")
    if exp is not None and any(t in ("gelu_tanh", "gelu_sigmoid", "geglu_tanh") for t in [*targets, *curve_functions]):
        b.cite(exp.citation())
        b.add(f"More: [{exp.title}]({exp.citation()['url']}).")


#: "is the derivative of gelu ever negative", "does silu decrease anywhere": the sign of f′ somewhere.
NEGATIVE_SLOPE = re.compile(r"\b(?:derivative|slope|gradient)s?\b.{0,30}\b(?:ever |go |goes |become |get )?negative\b|"
                            r"\bnegative (?:derivative|slope|gradient)\b|\bever decreas|\bdecreas\w* anywhere\b|"
                            r"\bgo(?:es)? down anywhere\b")
#: "does silu dip below zero", "can gelu output negative values": the sign of f itself somewhere.
NEGATIVE_VALUE = re.compile(r"\bbelow (?:zero|0)\b|\bdips?\b|\bgo(?:es)? negative\b|\bnegative (?:values?|outputs?)\b|"
                            r"\b(?:output|return|give)s? (?:a )?negative\b|\bever negative\b")
#: Functions never negative, and those negative for every x < 0, by their definitions.
NEVER_NEGATIVE = frozenset({"relu", "softplus", "sigmoid", "squared_relu"})
NEGATIVE_LEFT = frozenset({"elu", "selu", "tanh"})


def _sign_questions(b: Builder, text: str, targets: list[str], direct: list[str]) -> bool:
    """Whether f′ or f is ever negative, answered yes or no first: by f′'s computed minimum, or by f's (computed
    where it has one inside the line, read off the definition where the function is bounded by 0 or falls
    below it for every negative x). True when the question asked one of these."""
    slope = bool(NEGATIVE_SLOPE.search(text))
    value = not slope and bool(NEGATIVE_VALUE.search(text))
    if not (slope or value):
        return False
    for fn in targets[:2]:
        if slope:
            out = function_minimums.slope_minimum(b, fn)
            lowest = float(out["value"])
            line = (f"Yes: `{fn}`′ is negative on part of the line; its lowest value is {format_sig(lowest, 5)} at "
                    f"x ≈ {format_sig(float(out['x']), 4)} (computed)." if lowest < 0 else
                    f"No: `{fn}` never decreases; its smallest derivative on [−10, 10] is {format_sig(lowest, 5)} "
                    "(computed).")
        elif fn in NEVER_NEGATIVE:
            line = f"No: `{fn}` is never negative (by its definition, {PLAIN_FORMULAS[fn]})."
        elif fn in NEGATIVE_LEFT:
            line = f"Yes: `{fn}` is negative for every negative x (by its definition, {PLAIN_FORMULAS[fn]})."
        else:
            low = function_minimums.curve_minimum(b, fn)
            line = (f"Yes: `{fn}` dips below zero for negative x; its minimum is {format_sig(float(low['value']), 5)} "
                    f"at x ≈ {format_sig(float(low['x']), 5)} (computed).")
        b.add(line)
        direct.append(line)
    return True


#: A constant of the function written beside the point ("swish at 2 with beta 1", "elu, alpha=1, at -1").
CONSTANT_GIVEN = re.compile(r"(?:\bbeta|β|\balpha|α|\blambda|λ)\s*(?:=|:|of|is)?\s*([-−]?\d+(?:\.\d+)?)", re.IGNORECASE)


#: "gelu(1) = 0.84?", "gelu at 1 is 0.8413, right?", "silu(1) ≈ 0.73": a value claimed for a function at a point.
CLAIMED_VALUE = re.compile(r"(?:\)|\bat\s+(?:x\s*=\s*)?[-−]?\d+(?:\.\d+)?)\s*(?:=|≈|~|\bis\b|\bequals\b|\bgives\b|"
                           r"\breturns\b|\bcomes out (?:to|as)\b)\s*(?:about\s+|around\s+|roughly\s+|approx\w*\.?\s+)?"
                           r"(?P<value>[-−]?\d+\.\d+|[-−]?\d+(?![\d.]))")


def _points(numbers: list[float], text: str) -> list[float]:
    """The question's numbers without those written as a constant of the function (β, α, λ) or as the value
    it claims ('gelu(1) = 0.84?'), one each."""
    points = list(numbers)
    claimed = CLAIMED_VALUE.search(text)
    if claimed is not None and float(claimed.group("value").replace("−", "-")) in points:
        points.remove(float(claimed.group("value").replace("−", "-")))
    for written in CONSTANT_GIVEN.findall(text):
        value = float(written.replace("−", "-"))
        if value in points:
            points.remove(value)
    return points


def _value_claim(b: Builder, text: str, targets: list[str], xs: list[float], order: int) -> str:
    """'Yes' or 'No' before the computed value when the question claims one for the first function at its
    first point: yes when the computed value rounds to the claimed one at the digits written."""
    claimed = CLAIMED_VALUE.search(text)
    if claimed is None or not targets or not xs:
        return ""
    written = Decimal(claimed.group("value").replace("−", "-"))
    value = b.computed("activation_value", {"fn": targets[0], "x": xs[0], "derivative": order},
                       f"{targets[0]}({xs[0]:g})")["value"]
    half = Decimal(5).scaleb(written.as_tuple().exponent - 1)  # type: ignore[operator]
    # strictly inside half a unit of the last digit written: a value halfway (gelu′(0) = 0.5 claimed as 1) does
    # not round to the claim unambiguously
    return "Yes, to the digits given. " if abs(Decimal(value) - written) < half else "No. "


def _lead_reason(b: Builder, text: str, fn: str, x: float, order: int, direct: list[str]) -> None:
    """'relu's slope at 0' … 'why?': what makes the value computed so, put before it."""
    if WHY.search(text) and not SYMMETRY_ASKED.search(text):  # why the error is even is said with the error
        kinked = order == 1 and x == 0 and (bool(KINKED_AT_ZERO.get(fn)) or fn in ONE_SIDED_AT_ZERO)
        kink = (KINKED_AT_ZERO.get(fn) or "both shown below") if kinked else None
        reason = value_reasons.why_value(fn, x, order, plain_formula(b, fn) or "", kink)
        b.add(reason)
        direct.insert(0, reason)


def _at_kink(b: Builder, fn: str) -> str:
    """What f′(0) means where f has no derivative at 0: ReLU's convention, or SELU's two one-sided derivatives
    (λα and λ), both computed just either side of 0; '' where f is differentiable there."""
    if KINKED_AT_ZERO.get(fn):
        return (f" by convention: `{fn}` is not differentiable at 0 (its one-sided derivatives "
                f"are {KINKED_AT_ZERO[fn]}); PyTorch and JAX use the left one")
    if fn not in ONE_SIDED_AT_ZERO:
        return ""
    sides = [b.computed("activation_value", {"fn": fn, "x": side, "derivative": 1}, f"{fn}′ just {name} of 0")["value"]
             for side, name in zip(ONE_SIDED_AT_ZERO[fn], ("left", "right"), strict=True)]
    return (f", the left-hand value: `{fn}` is not differentiable at 0 (its one-sided derivatives are "
            f"{format_sig(float(sides[0]), 6)} on the left and {format_sig(float(sides[1]), 6)} on the right)")


#: "which of the two is steeper there", "which rises faster at 1", "which is flatter at -2": the functions'
#: slopes at the point, set against each other.
STEEPER = re.compile(r"\bsteep(?:er|est)?\b|\bflatter\b|\bflattest\b|\brises? (?:faster|more steeply)\b|"
                     r"\b(?:larger|bigger|greater|smaller|higher|lower) (?:slope|derivative|gradient)\b")
#: The same question asked the other way round: the function with the smaller slope.
FLATTER = re.compile(r"\bflatter\b|\bflattest\b|\bless steep\b|\b(?:smaller|lower) (?:slope|derivative|gradient)\b")


def _steeper(b: Builder, text: str, functions: list[str], xs: list[float], direct: list[str]) -> None:
    """Which of two or more functions is steeper (or flatter) at the point asked: each one's derivative there,
    computed, and the one whose slope is largest (smallest) in magnitude named first, since that is what was
    asked; nothing where the words set no slopes against each other."""
    if not xs or len(functions) < 2 or not STEEPER.search(text):
        return
    x = xs[0]
    slopes = {fn: float(b.computed("activation_value", {"fn": fn, "x": x, "derivative": 1}, f"{fn}′({x:g})")["value"])
              for fn in functions}
    flatter = bool(FLATTER.search(text))
    ranked = sorted(slopes, key=lambda fn: abs(slopes[fn]), reverse=not flatter)
    listed = " vs ".join(f"{fn}′({x:g}) = {format_sig(slopes[fn], 6)}" for fn in ranked)
    if abs(slopes[ranked[0]]) == abs(slopes[ranked[1]]):
        line = f"Neither is steeper at x = {x:g}: their slopes there are equal in size ({listed}, computed)."
    else:
        word = "flatter" if flatter else "steeper"
        line = f"`{ranked[0]}` is {word} at x = {x:g}: {listed} (slopes computed by this service)."
    b.add(line)
    direct.insert(0, line)
