"""Number grounding: every number an answer shows must come from a cited stored fact or a computation.

Why as code: "never invent a number" is only a promise if something checks it. The check takes the
visible text of an answer (rendered Markdown, link targets dropped), removes names that contain digits
and are themselves stored names ("Gemma 2 9B", "SST-2", "arXiv:2002.05202v1", "Table 1"), and requires
every remaining number to be

* a number printed in a cited fact, looked up again in the database by the citation's key (the
  citation's own copy of the value is not trusted), or
* an output or an input of a computation the answer lists, re-run here from its name and parameters.
  A computed value may be shown rounded (4.73235e-4 as 4.7324e-4); a stored value must appear as
  stored (1.633 may be written 1.6330 but not 1.63).

The same function runs when an answer is composed (sentences that fail are dropped, and the answer says
so) and in the evaluation test (where any failure fails the test).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Any

from app import activations
from app.answers.facts import Facts
from app.answers.lexicon import Lexicon
from app.markup import plain_text

NUMBER = re.compile(r"(?<![0-9])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+−]?\d+)?")


def normalize_text(text: str) -> str:
    """NFKC turns superscripts, subscripts and fractions into ASCII digits, so none of them hides a number."""
    return unicodedata.normalize("NFKC", text).replace("\u2044", "/")


def to_decimal(token: str) -> Decimal | None:
    try:
        return abs(Decimal(token.replace(",", "").replace("−", "-")))
    except InvalidOperation:
        return None


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(normalize_text(text))


def decimals_of(strings: Iterable[str | None]) -> set[Decimal]:
    out: set[Decimal] = set()
    for s in strings:
        if s is None:
            continue
        for token in numbers_in(str(s)):
            value = to_decimal(token)
            if value is not None:
                out.add(value)
    return out


# --------------------------------------------------------------------------------------------------
# Citations -> the stored strings they stand for
# --------------------------------------------------------------------------------------------------


def citation_strings(facts: Facts, citation: dict[str, Any]) -> list[str | None] | None:
    """The stored strings a citation refers to, looked up by its key; None when it refers to nothing."""
    kind = citation.get("kind")
    if kind == "result":
        cell = facts.cell(int(citation.get("table", -1)), str(citation.get("row")), str(citation.get("column")))
        if cell is None or cell.paper != citation.get("paper"):
            return None
        return [cell.value_text, cell.stddev_text, str(cell.steps), cell.column, cell.benchmark, cell.arxiv,
                f"Table {cell.table}", cell.row]
    if kind == "paper_fact":
        fact = facts.paper_fact(str(citation.get("paper")), str(citation.get("key")))
        if fact is None:
            return None
        return [fact["value"], fact["location"], fact["fact_label"], facts.papers[fact["paper"]]["arxiv"]]
    if kind == "architecture":
        fact = facts.arch_fact(str(citation.get("family")), str(citation.get("size")), str(citation.get("parameter")))
        if fact is None:
            return None
        return [fact["value_text"], fact["source"], fact["family"], fact["size"], fact["parameter"]]
    if kind == "catalog":
        model = facts.catalog.get(str(citation.get("model")))
        if model is None:
            return None
        return [model["model"], str(model["year"]), model["d_model_text"], model["d_ff_text"], model["source"]]
    if kind == "paper":
        paper = facts.papers.get(str(citation.get("paper")))
        if paper is None:
            return None
        return [paper["arxiv"], str(paper["year"]), paper["title"]]
    if kind == "table":
        table = facts.tables.get((str(citation.get("paper")), int(citation.get("table", -1))))
        if table is None:
            return None
        return [f"Table {table['table']}", table["title"], table["caption"], facts.papers[table["paper"]]["arxiv"]]
    if kind == "activation":
        try:
            entry = activations.get(str(citation.get("id")))
        except LookupError:
            return None
        strings: list[str | None] = [entry.formula, entry.name, *(f"{k} = {v!r}" for k, v in entry.parameters)]
        if entry.introduced_by is not None:
            strings += [str(entry.introduced_by.year), entry.introduced_by.arxiv]
        if entry.id in ("gelu_tanh", "geglu_tanh"):
            strings.append(repr(activations.GELU_TANH_COEFF))
        if entry.id == "gelu_sigmoid":
            strings.append(repr(activations.GELU_SIGMOID_SCALE))
        return strings
    if kind == "variant":
        variant = facts.variants.get(str(citation.get("name")))
        if variant is None:
            return None
        return [variant["formula_latex"], str(variant["d_ff_paper"]), variant["description"]]
    if kind == "explanation":
        explanation = facts.explanations.get(str(citation.get("key")))
        return None if explanation is None else [explanation.title]
    if kind == "computation":
        return []
    return None


# --------------------------------------------------------------------------------------------------
# Computations: pure functions of their parameters, re-run by the check
# --------------------------------------------------------------------------------------------------

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
    return float(activations.scalar_values(fn, [x], derivative)[0])


def _d(value: float | Decimal | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)


def _cell_value(facts: Facts, citation: dict[str, Any], what: str = "value") -> Decimal:
    strings = citation_strings(facts, citation)
    if strings is None:
        raise ValueError(f"citation not found: {citation.get('label')}")
    cell = facts.cell(int(citation["table"]), str(citation["row"]), str(citation["column"]))
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
    value = activation_value(params["fn"], float(params["x"]), int(params.get("derivative", 0)))
    return {"value": _d(value)}


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


COMPUTATIONS: dict[str, Callable[[Facts, dict[str, Any]], dict[str, Decimal]]] = {
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


# --------------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------------


@dataclass
class Allowed:
    exact: set[Decimal] = field(default_factory=set)
    computed: set[Decimal] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def matches(self, token: str) -> bool:
        value = to_decimal(token)
        if value is None:
            return False
        if value in self.exact or value in self.computed:
            return True
        return any(_rounds_to(c, token, value) for c in self.computed)


def _rounds_to(computed: Decimal, token: str, shown: Decimal) -> bool:
    """Whether ``shown`` (as written in ``token``) is ``computed`` rounded to the digits written."""
    mantissa = token.lower().split("e", 1)[0].replace(",", "")
    if "e" in token.lower():
        digits = len(mantissa.replace(".", "").lstrip("0")) or 1
        if computed == 0:
            return shown == 0
        exponent = computed.adjusted()
        quantum = Decimal(1).scaleb(exponent - digits + 1)
    else:
        places = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
        quantum = Decimal(1).scaleb(-places)
    try:
        return abs(computed.quantize(quantum, rounding=ROUND_HALF_EVEN) - shown) == 0 or abs(
            computed.quantize(quantum, rounding="ROUND_HALF_UP") - shown
        ) == 0
    except InvalidOperation:
        return False


def allowed_numbers(
    facts: Facts, citations: Iterable[dict[str, Any]], computations: Iterable[dict[str, Any]]
) -> Allowed:
    """What an answer with these citations and computations may show."""
    allowed = Allowed()
    for citation in citations:
        strings = citation_strings(facts, citation)
        if strings is None:
            allowed.problems.append(f"citation not found in the database: {citation.get('label')}")
            continue
        allowed.exact |= decimals_of(strings)
    for comp in computations:
        try:
            outputs = run_computation(facts, comp["name"], comp["params"])
        except (KeyError, ValueError, LookupError, InvalidOperation, ZeroDivisionError) as exc:
            allowed.problems.append(f"computation {comp.get('name')} cannot be re-run: {exc}")
            continue
        allowed.computed |= {abs(v) for v in outputs.values() if v.is_finite()}
        allowed.exact |= param_numbers(comp["params"])
        for operand in comp["params"].get("operands", []) if isinstance(comp["params"], dict) else []:
            if "citation" in operand:
                strings = citation_strings(facts, operand["citation"])
                allowed.exact |= decimals_of(strings or [])
    return allowed


def mask_names(text: str, lexicon: Lexicon) -> str:
    return lexicon.name_mask.sub(" ", text)


@dataclass
class GroundingReport:
    ok: bool
    checked: int
    ungrounded: list[str]
    problems: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "numbers_checked": self.checked, "ungrounded": self.ungrounded,
                "problems": self.problems}


def visible_text(markdown: str) -> str:
    return normalize_text(plain_text(markdown))


def check_text(text: str, allowed: Allowed, lexicon: Lexicon) -> tuple[int, list[str]]:
    """(how many numbers were checked, the ones that are not grounded) in already-visible text."""
    masked = mask_names(normalize_text(text), lexicon)
    tokens = NUMBER.findall(masked)
    return len(tokens), [t for t in tokens if not allowed.matches(t)]


def check(
    markdown: str, citations: Iterable[dict[str, Any]], computations: Iterable[dict[str, Any]],
    facts: Facts, lexicon: Lexicon,
) -> GroundingReport:
    """Check a whole answer body (Markdown) against its citations and computations."""
    allowed = allowed_numbers(facts, list(citations), list(computations))
    checked, bad = check_text(visible_text(markdown), allowed, lexicon)
    return GroundingReport(ok=not bad and not allowed.problems, checked=checked, ungrounded=bad,
                           problems=allowed.problems)


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
