"""The computations an answer may show: pure functions of their parameters, re-run by the grounding check.

An answer lists each computation by name and parameters (the cells it subtracts, the function and grid
of an approximation error), so the check can run it again rather than trust the number in the text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Any

from app import activations
from app.answers.citations import citation_strings
from app.answers.facts import Facts
from app.sizing import llama_hidden_size

ERROR_GRID = {"xmin": -10.0, "xmax": 10.0, "points": 200_001}


@lru_cache(maxsize=64)
def approx_error(fn: str, reference: str, xmin: float, xmax: float, points: int) -> tuple[float, float, float]:
    """Largest |fn − reference| on a grid, refined around its peak: (max error, |x| there, signed error).

    The grid locates the peak to its spacing; a second grid of 2,001 points across two spacings around it
    pins the position to about 1e-7, which is what the four significant digits we print need.
    """
    spec = activations.ErrorSpec(fn, reference, xmin, xmax, points)
    coarse = activations.compute_error(spec)
    x0 = coarse.stats.argmax_abs_error
    if x0 is None:
        return float("nan"), float("nan"), float("nan")
    step = (xmax - xmin) / (points - 1)
    fine = activations.compute_error(
        activations.ErrorSpec(fn, reference, max(xmin, x0 - step), min(xmax, x0 + step), 2001)
    )
    best = fine if fine.stats.max_abs_error >= coarse.stats.max_abs_error else coarse
    where = best.stats.argmax_abs_error if best.stats.argmax_abs_error is not None else x0
    return float(best.stats.max_abs_error), abs(float(where)), float(best.error_at_argmax)


@lru_cache(maxsize=1024)
def activation_value(fn: str, x: float, derivative: int) -> float:
    """f(x), f′(x) or f″(x) in float64. Bounded by count: each entry is a few numbers (the same holds for
    ``approx_error`` and ``derivative_extremum``, three floats each)."""
    return float(activations.scalar_values(fn, [x], derivative)[0])


def _d(value: float | Decimal | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)


def _cell_value(facts: Facts, citation: dict[str, Any], what: str = "value") -> Decimal:
    strings = citation_strings(facts, citation)
    if strings is None:
        raise ValueError(f"citation not found: {citation.get('label')}")
    key = (int(citation["table"]), str(citation["row"]), str(citation["column"]))
    cell = facts.cell(*key)
    if cell is None or cell.paper != citation.get("paper"):
        cell = facts.side_cell(str(citation.get("paper")), *key)
    assert cell is not None
    text = cell.value_text if what == "value" else cell.stddev_text
    if text is None:
        raise ValueError("no stddev stored for this cell")
    return Decimal(text)


def _operand(facts: Facts, operand: dict[str, Any]) -> Decimal:
    if "citation" in operand:
        citation = operand["citation"]
        if citation.get("kind") == "result":
            return _cell_value(facts, citation, operand.get("what", "value"))
        strings = citation_strings(facts, citation)
        if not strings:
            raise ValueError("operand citation not found")
        field_name = operand.get("field")
        if citation.get("kind") == "architecture":
            fact = facts.arch_fact(citation["family"], citation["size"], citation["parameter"])
            assert fact is not None
            return Decimal(fact["value_text"].replace(",", ""))
        if citation.get("kind") == "paper_fact":  # a number the stored fact quotes ("the text gives 70.97")
            quoted = str(citation.get("value_text", ""))
            if not quoted or not re.search(rf"(?<![\d.]){re.escape(quoted)}(?![\d])", str(strings[0])):
                raise ValueError("the quoted number is not in the stored fact")
            return Decimal(quoted)
        if citation.get("kind") == "catalog" and field_name in ("d_model_text", "d_ff_text"):
            return Decimal(facts.catalog[citation["model"]][field_name].replace(",", ""))
        raise ValueError("unsupported operand citation")
    if "number" in operand:
        return Decimal(str(operand["number"]))
    raise ValueError("operand needs a citation or a number")


def _compute_arith(facts: Facts, params: dict[str, Any]) -> dict[str, Decimal]:
    values = [_operand(facts, o) for o in params["operands"]]
    op = params["op"]
    with localcontext() as ctx:
        ctx.prec = 40
        if op == "mul":
            result = math.prod(values, start=Decimal(1))
        elif op == "add":
            result = sum(values, Decimal(0))
        elif op == "sub":
            result = values[0] - sum(values[1:], Decimal(0))
        elif op == "div":
            result = values[0]
            for v in values[1:]:
                result /= v
        elif op == "absdiff":
            result = abs(values[0] - values[1])
        elif op == "sqrt_sum_squares":
            result = sum((v * v for v in values), Decimal(0)).sqrt()
        elif op == "ceil_multiple":  # smallest multiple of values[1] that is >= values[0]
            result = (values[0] / values[1]).to_integral_value(rounding="ROUND_CEILING") * values[1]
        else:
            raise ValueError(f"unknown operation {op}")
    return {"result": result}


def _compute_approx_error(facts: Facts, params: dict[str, Any]) -> dict[str, Decimal]:
    err, where, signed = approx_error(
        params["fn"], params["reference"], float(params["xmin"]), float(params["xmax"]), int(params["points"])
    )
    return {"max_abs_error": _d(err), "x": _d(where), "signed_error": _d(signed)}


def _compute_value(facts: Facts, params: dict[str, Any]) -> dict[str, Decimal]:
    order = int(params.get("derivative", 0))
    precise = tail_value(params["fn"], float(params["x"])) if order == 0 else None
    return {"value": precise if precise is not None else _d(activation_value(params["fn"], float(params["x"]), order))}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _gate_and_tail(fn: str, x: float) -> tuple[float, float] | None:
    """s(x) and 1 − s(x) for the GELU forms x·s(x), each computed without subtracting from one."""
    if fn == "gelu":
        return 0.5 * math.erfc(-x / math.sqrt(2.0)), 0.5 * math.erfc(x / math.sqrt(2.0))
    if fn == "gelu_tanh":
        z = 2.0 * math.sqrt(2.0 / math.pi) * (x + activations.GELU_TANH_COEFF * x**3)
    elif fn == "gelu_sigmoid":
        z = activations.GELU_SIGMOID_SCALE * x
    else:
        return None
    return _sigmoid(z), _sigmoid(-z)


def tail_value(fn: str, x: float) -> Decimal | None:
    """x·s(x) for a GELU form, exact to about 1e-16 of the tail x·(1 − s(x)) rather than of the value: for
    large positive x the two forms differ by far less than float64 resolves (7.6e-23 at x = 10), so their
    difference is only right when each is written as x minus its tail, in decimal. None for other functions."""
    parts = _gate_and_tail(fn, x)
    if parts is None or not math.isfinite(x):
        return None
    gate, tail = parts
    with localcontext() as ctx:
        ctx.prec = 40
        if x <= 0:  # s(x) is itself small and exact to float64's relative precision: no cancellation
            return Decimal(x) * Decimal(gate)
        return Decimal(x) - Decimal(x) * Decimal(tail)


def _compute_curve_extremum(facts: Facts, params: dict[str, Any]) -> dict[str, Decimal]:
    props = activations.properties(params["fn"])
    ext = props.minimum if params.get("which", "minimum") == "minimum" else props.maximum
    return {"value": _d(ext.value), "x": _d(ext.x)}


def _compute_wins(facts: Facts, params: dict[str, Any]) -> dict[str, Decimal]:
    """In how many of the given columns variant a beats b, b beats a, or they tie."""
    a_wins = b_wins = ties = 0
    for bench, metric, steps in params["columns"]:
        ca = facts.find(variant=params["a"], benchmark=bench, metric=metric, steps=int(steps))
        cb = facts.find(variant=params["b"], benchmark=bench, metric=metric, steps=int(steps))
        if not ca or not cb:
            continue
        va, vb = Decimal(ca[0].value_text), Decimal(cb[0].value_text)
        if va == vb:
            ties += 1
        elif (va > vb) == ca[0].higher_is_better:
            a_wins += 1
        else:
            b_wins += 1
    return {"a_wins": Decimal(a_wins), "b_wins": Decimal(b_wins), "ties": Decimal(ties),
            "total": Decimal(a_wins + b_wins + ties)}


def _compute_derivative_extremum(facts: Facts, params: dict[str, Any]) -> dict[str, Decimal]:
    """The largest (or smallest) f′ on [−10, 10]: a bound such as "does GELU's slope exceed 1?" is decided
    by this number, not by a table value."""
    value, where = derivative_extremum(params["fn"], params.get("which", "maximum"))
    return {"value": _d(value), "x": _d(where)}


@lru_cache(maxsize=64)
def derivative_extremum(fn: str, which: str) -> tuple[float, float]:
    """Extremum of f′ on a 200,001-point grid of [−10, 10], refined on 2,001 points across two spacings."""
    sign = 1.0 if which == "maximum" else -1.0
    xmin, xmax, points = ERROR_GRID["xmin"], ERROR_GRID["xmax"], int(ERROR_GRID["points"])
    grid = [xmin + (xmax - xmin) * i / (points - 1) for i in range(0, points, 100)]
    coarse = activations.scalar_values(fn, grid, 1) * sign
    x0 = grid[int(coarse.argmax())]
    step = (xmax - xmin) / (points - 1) * 100
    fine = [max(xmin, x0 - step) + (min(xmax, x0 + step) - max(xmin, x0 - step)) * i / 20_000 for i in range(20_001)]
    values = activations.scalar_values(fn, fine, 1) * sign
    i = int(values.argmax())
    return float(values[i] * sign), float(fine[i])


def _compute_ffn_hidden_size(facts: Facts, params: dict[str, Any]) -> dict[str, Decimal]:
    """LLaMA's FFN width from d_model, multiple_of and ffn_dim_multiplier (the sizing calculator's code)."""
    multiplier = params.get("ffn_dim_multiplier")
    sizing = llama_hidden_size(int(params["d_model"]), int(params["multiple_of"]),
                               Decimal(str(multiplier)) if multiplier else None)
    out = {f"step_{i}": Decimal(step.value) for i, step in enumerate(sizing.steps)}
    if multiplier:
        out["ffn_dim_multiplier"] = Decimal(str(multiplier))
    return {**out, "d_ff": Decimal(sizing.d_ff)}


COMPUTATIONS: dict[str, Callable[[Facts, dict[str, Any]], dict[str, Decimal]]] = {
    "derivative_extremum": _compute_derivative_extremum,
    "ffn_hidden_size": _compute_ffn_hidden_size,
    "wins": _compute_wins,
    "arith": _compute_arith,
    "approx_error": _compute_approx_error,
    "activation_value": _compute_value,
    "extremum": _compute_curve_extremum,
}


def run_computation(facts: Facts, name: str, params: dict[str, Any]) -> dict[str, Decimal]:
    return COMPUTATIONS[name](facts, params)


def param_numbers(params: Any) -> set[Decimal]:
    """Numbers a computation was asked for (grid bounds, points, x): inputs are part of its result."""
    out: set[Decimal] = set()
    if isinstance(params, dict):
        for key, value in params.items():
            if key == "citation":
                continue
            out |= param_numbers(value)
    elif isinstance(params, list | tuple):
        for value in params:
            out |= param_numbers(value)
    elif isinstance(params, int | float) and not isinstance(params, bool) and math.isfinite(params):
        out.add(abs(_d(params)))
    return out


def format_sig(value: float, digits: int = 5) -> str:
    """Scientific notation for small or large magnitudes ('4.7324e-4'), plain otherwise."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < 5:
        places = max(digits - 1 - exponent, 0)
        return f"{value:.{places}f}"
    mantissa = value / 10**exponent
    text = f"{mantissa:.{digits - 1}f}".rstrip("0").rstrip(".")
    if text in ("10", "-10"):
        exponent += 1
        text = text.replace("10", "1")
    return f"{text}e{exponent}"
