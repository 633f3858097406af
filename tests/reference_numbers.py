"""Every number an answer shows, traced to tests/reference or recomputed here — never by the service's own check.

A number is grounded when

* its text (thousands separators and the sign aside) is a number printed in a reference file, or
* it shows four or more significant digits and is the rounding, to those, of a reference value printed
  with six or more (the computed facts of gelu_math.md and activation_reference_values.csv; a printed table
  value such as 1.634 may not be shown rounded), or
* it is the rounding of a computation the answer lists, recomputed here from reference values with
  decimal (arithmetic on cited cells) or with mpmath (approximation errors, activation values, extrema), or
  one of such a computation's stated inputs (a grid of 200,001 points on [−10, 10]).

The answers' names that contain digits (Gemma 2, Llama 3.1 8B, C4, arXiv ids) need no masking: the same
names are printed in the reference files, so their digits are found there.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np
from scipy import special

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-−]?\d+)?")
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
POWER_OF_TEN = re.compile(r"(?<![\w.])10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")  # 10⁻⁷ is the number 1e-7
#: Significant digits from which a reference value is a computed fact that an answer may show rounded.
COMPUTED_DIGITS = 6


def normalized(text: str) -> str:
    return text.replace(",", "").replace("−", "-")


def numbers_in(text: str) -> list[str]:
    """The numbers a text shows: link targets left out, powers of ten and other superscripts read as numbers."""
    text = LINK_TARGET.sub("]", text)
    text = POWER_OF_TEN.sub(lambda m: "1e" + m.group(1).translate(SUPERSCRIPTS), text)
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: "^" + m.group().translate(SUPERSCRIPTS).lstrip("-"), text)
    return [m.group() for m in NUMBER.finditer(text)]


def significant_digits(text: str) -> int:
    mantissa = normalized(text).lower().split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


@dataclass(frozen=True)
class Reference:
    texts: frozenset[str]  # every number printed in tests/reference, normalized
    computed: tuple[Decimal, ...]  # those printed with COMPUTED_DIGITS or more significant digits


@cache
def reference() -> Reference:
    texts: set[str] = set()
    for path in sorted(REFERENCE_DIR.iterdir()):
        if path.suffix == ".md":
            texts.update(normalized(n) for n in numbers_in(path.read_text(encoding="utf-8")))
        elif path.suffix == ".csv":
            # cell by cell: "5120,27648" in a CSV row is two numbers, not one thousands-grouped number
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle):
                    for cell in row:
                        texts.update(normalized(n) for n in numbers_in(cell))
    computed = tuple(
        Decimal(t) for t in sorted(texts) if "." in t.lower().split("e")[0] and significant_digits(t) >= COMPUTED_DIGITS
    )
    return Reference(frozenset(texts), computed)


def rounds_to(shown: str, value: Decimal) -> bool:
    """Whether ``shown`` is ``value`` rounded to the digits it shows (sign aside)."""
    number = abs(Decimal(normalized(shown)))
    half = Decimal(5).scaleb(number.as_tuple().exponent - 1)  # type: ignore[operator]
    return abs(abs(value) - number) <= half * Decimal("1.000000001")


# --- recomputing what the answers compute ---------------------------------------------------------------

SQRT_2_OVER_PI = mp.sqrt(2 / mp.pi)
MP_FUNCTIONS: dict[str, Callable[[mp.mpf], mp.mpf]] = {
    "gelu": lambda x: x * mp.ncdf(x),
    "gelu_tanh": lambda x: x / 2 * (1 + mp.tanh(SQRT_2_OVER_PI * (x + mp.mpf("0.044715") * x**3))),
    "gelu_sigmoid": lambda x: x / (1 + mp.exp(-mp.mpf("1.702") * x)),
    "silu": lambda x: x / (1 + mp.exp(-x)),
    "swish": lambda x: x / (1 + mp.exp(-x)),
    "sigmoid": lambda x: 1 / (1 + mp.exp(-x)),
    "tanh": mp.tanh,
    "softplus": lambda x: mp.log1p(mp.exp(x)),
    "mish": lambda x: x * mp.tanh(mp.log1p(mp.exp(x))),
    "elu": lambda x: x if x > 0 else mp.expm1(x),
    "relu": lambda x: max(x, mp.mpf(0)),
    "squared_relu": lambda x: max(x, mp.mpf(0)) ** 2,
    "identity": lambda x: x,
}
NP_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "gelu": lambda x: x * special.ndtr(x),
    "gelu_tanh": lambda x: x * special.expit(2 * np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)),
    "gelu_sigmoid": lambda x: x * special.expit(1.702 * x),
}


def _mp_function(name: str) -> Callable[[mp.mpf], mp.mpf]:
    if name not in MP_FUNCTIONS:
        raise KeyError(f"no mpmath form of {name!r} in tests/reference_numbers.py")
    return MP_FUNCTIONS[name]


@cache
def approximation_error(fn: str, ref: str, xmin: float, xmax: float, points: int) -> tuple[Decimal, Decimal]:
    """Largest |fn − ref| on the grid and where (|x|): a float64 scan, then the stationary point in mpmath."""
    x = np.linspace(xmin, xmax, points)
    i = int(np.argmax(np.abs(NP_FUNCTIONS[fn](x) - NP_FUNCTIONS[ref](x))))
    f, g = _mp_function(fn), _mp_function(ref)
    with mp.workdps(50):
        x_star = mp.findroot(lambda t: mp.diff(lambda u: f(u) - g(u), t), mp.mpf(float(x[i])))
        worst = abs(f(x_star) - g(x_star))
        return Decimal(mp.nstr(worst, 30)), Decimal(mp.nstr(abs(x_star), 30))


@cache
def activation_value(fn: str, x: float, derivative: int) -> Decimal:
    with mp.workdps(50):
        value = mp.diff(_mp_function(fn), mp.mpf(x), derivative) if derivative else _mp_function(fn)(mp.mpf(x))
        return Decimal(mp.nstr(value, 30))


@cache
def extremum(fn: str, which: str) -> tuple[Decimal, Decimal]:
    """(x, f(x)) of the function's minimum or maximum: a coarse scan of [−10, 10], then f′ = 0 in mpmath."""
    f = _mp_function(fn)
    with mp.workdps(50):
        grid = [mp.mpf(k) / 50 for k in range(-500, 501)]
        values = [f(t) for t in grid]
        start = grid[values.index(min(values) if which == "minimum" else max(values))]
        x_star = mp.findroot(lambda t: mp.diff(f, t), start)
        return Decimal(mp.nstr(x_star, 30)), Decimal(mp.nstr(f(x_star), 30))


def llama_width(d_model: int, multiple_of: int, multiplier: str | None) -> list[Decimal]:
    """LLaMA's FFN width in exact fractions: (8d/3 truncated, times the multiplier truncated, rounded up)."""
    h = Fraction(8 * d_model, 3).__floor__()
    steps = [h]
    if multiplier:
        h = (Fraction(multiplier) * h).__floor__()
        steps.append(h)
    steps.append(-(-h // multiple_of) * multiple_of)
    return [Decimal(s) for s in steps] + ([Decimal(multiplier)] if multiplier else [])


@cache
def derivative_extremum(fn: str, which: str) -> tuple[Decimal, Decimal]:
    """(f′ at its extremum, x there): a scan of [−10, 10] for the start, then f″ = 0 in mpmath; a plateau
    (ReLU's f′ = 1 for every x > 0) has no root of f″, so the scanned value stands."""
    f = _mp_function(fn)
    with mp.workdps(30):
        grid = [mp.mpf(k) / 50 for k in range(-500, 501)]
        slopes = [mp.diff(f, t, 1) for t in grid]
        start = grid[slopes.index(max(slopes) if which == "maximum" else min(slopes))]
        try:
            x_star = mp.findroot(lambda t: mp.diff(f, t, 2), start)
        except (ValueError, ZeroDivisionError):
            x_star = start
        return Decimal(mp.nstr(mp.diff(f, x_star, 1), 20)), Decimal(mp.nstr(x_star, 20))


@dataclass
class Computed:
    """What the test recomputed from an answer's computations, and the inputs they state."""

    values: list[Decimal] = field(default_factory=list)
    inputs: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _operand(operand: Mapping[str, Any], computed: Computed) -> Decimal | None:
    """A cited reference value (checked against tests/reference) or a stated number (a known value)."""
    if "citation" in operand:
        citation = operand["citation"]
        key = operand.get("field") or ("stddev_text" if operand.get("what") == "stddev" else "value_text")
        text = citation.get(key)
        if text is None or normalized(str(text)) not in reference().texts:
            computed.problems.append(f"operand {text!r} of {citation.get('label')!r} is not in tests/reference")
            return None
        return Decimal(normalized(str(text)))
    number = Decimal(str(operand["number"]))
    known = [*reference().computed, *computed.values]
    if number == number.to_integral_value() or any(abs(number - k) <= abs(k) * Decimal("1e-9") for k in known):
        return number
    computed.problems.append(f"stated operand {operand['number']} is neither a reference value nor recomputed")
    return None


def _arith(params: Mapping[str, Any], computed: Computed) -> Decimal | None:
    values = [_operand(o, computed) for o in params["operands"]]
    if any(v is None for v in values):
        return None
    v = [x for x in values if x is not None]
    with localcontext() as ctx:
        ctx.prec = 50
        match params["op"]:
            case "add":
                return sum(v, Decimal(0))
            case "sub":
                return v[0] - sum(v[1:], Decimal(0))
            case "absdiff":
                return abs(v[0] - v[1])
            case "div":
                quotient = v[0]
                for x in v[1:]:
                    quotient /= x
                return quotient
            case "mul":
                product = Decimal(1)
                for x in v:
                    product *= x
                return product
            case "sqrt_sum_squares":
                return sum((x * x for x in v), Decimal(0)).sqrt()
    computed.problems.append(f"arithmetic {params['op']!r} is not recomputed by tests/reference_numbers.py")
    return None


def recompute(computations: Iterable[Mapping[str, Any]]) -> Computed:
    """Re-run each listed computation here; arithmetic last, since it may use the others' results."""
    computed = Computed()
    listed = list(computations)
    for spec in sorted(listed, key=lambda s: s.get("name") == "arith"):
        name, params = spec.get("name"), spec.get("params", {})
        try:
            if name == "approx_error":
                args = (params["fn"], params["reference"], params["xmin"], params["xmax"], params["points"])
                computed.values += approximation_error(*args)
                computed.inputs |= {normalized(str(params[k])).lstrip("-") for k in ("xmin", "xmax", "points")}
            elif name == "activation_value":
                computed.values.append(activation_value(params["fn"], params["x"], params.get("derivative", 0)))
                computed.inputs.add(normalized(str(params["x"])).lstrip("-"))
            elif name == "extremum":
                computed.values += extremum(params["fn"], params["which"])
            elif name == "ffn_hidden_size":
                computed.values += llama_width(params["d_model"], params["multiple_of"], params["ffn_dim_multiplier"])
                computed.inputs |= {str(params["d_model"]), str(params["multiple_of"])}
            elif name == "derivative_extremum":
                computed.values += derivative_extremum(params["fn"], params["which"])
                computed.inputs.add(normalized(str(params["bound"])).lstrip("-"))
            elif name == "arith":
                result = _arith(params, computed)
                if result is not None:
                    computed.values.append(result)
            # Other computations (e.g. counting wins over table columns) show counts found in the references.
        except KeyError as exc:
            computed.problems.append(f"computation {name} {params}: {exc}")
    return computed


def _is_input(shown: str, inputs: set[str]) -> bool:
    text = normalized(shown)
    return any(text == i or (i.endswith(".0") and text == i[:-2]) for i in inputs)


@dataclass
class Report:
    checked: int
    ungrounded: list[str]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.ungrounded and not self.problems


#: A name with digits in it, as a question may write it ("WikiText-103", "GPT-4", "Qwen2.5-7B").
NAME_WITH_DIGITS = re.compile(r"(?<![\w.-])(?=[\w.-]*[A-Za-z])(?=[\w.-]*\d)[A-Za-z0-9][\w.]*(?:-[\w.]+)+(?![\w-])")


def check(text: str, computations: Iterable[Mapping[str, Any]], question: str = "") -> Report:
    """Trace every number of ``text``; list those found nowhere (with their context).

    A name with digits that the question itself wrote ("WikiText-103 is not in the stored evidence"), and
    words of the question quoted back in “…”, are the asker's words repeated, not numbers the answer
    claims: their digits are not traced."""
    ref = reference()
    computed = recompute(computations)
    for name in set(NAME_WITH_DIGITS.findall(question)):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text, flags=re.IGNORECASE)
    for quoted in set(re.findall(r"“([^”]{1,200})”", text)):  # the asker's words, quoted back verbatim
        if quoted.casefold() in question.casefold():
            text = text.replace(f"“{quoted}”", " ")
    shown = numbers_in(text)
    ungrounded = []
    for number in shown:
        n = normalized(number)
        if n in ref.texts or _is_input(number, computed.inputs):
            continue
        if any(rounds_to(number, v) for v in computed.values):
            continue
        if significant_digits(number) >= 4 and any(rounds_to(number, v) for v in ref.computed):
            continue
        ungrounded.append(number)
    return Report(len(shown), ungrounded, computed.problems)
