"""The FFN hidden size ``d_ff`` a model's configuration gives, and what it costs per variant.

Four rules are how released models state their FFN width:

- ``dense``: ``d_ff = 4 · d_model``, the original Transformer's and BERT's ratio;
- ``llama``: LLaMA's ``model.py`` — ``h = int(2 * 4d / 3)``, then when set
  ``h = int(ffn_dim_multiplier * h)``, then ``h`` rounded up to a multiple of ``multiple_of``;
- ``gemma``: ``d_ff = factor · d_model`` with the factor the configuration implies (8 for Gemma 7B);
- ``explicit``: the configuration's ``intermediate_size`` as given.

Everything is integer arithmetic so that a served size is exact, never a float that happens to
round the right way. ``int(2 * 4d / 3)`` is written ``(8 * d) // 3``: Python's ``/`` on ints is the
correctly rounded quotient, and for ``8d < 2**52`` an exact third (``k``, ``k + 1/3`` or ``k + 2/3``)
is further than half a float step from the next integer, so truncating the float gives the same
integer as floor division — the test suite checks this for every ``d_model`` the service accepts.
``ffn_dim_multiplier`` is a :class:`~decimal.Decimal` parsed from its text, so ``"1.3"`` is 13/10
and ``int(1.3 · 21845)`` is 28398 by exact truncation (Llama 2 70B's 28672 after rounding up to
4096). LLaMA's own code multiplies by the binary float nearest the multiplier; where that float
product would truncate to another integer the result says so in its notes.

Parameter and FLOP counts come from :mod:`app.ffn` (the same functions a comparison reports), with
every variant given the same ``d_ff``: a configuration fixes the width, not a parameter budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, cast, get_args

from app import ffn
from app.domain import InvalidInputError

Rule = Literal["dense", "llama", "gemma", "explicit"]
FlopsMode = Literal["forward", "forward_backward"]
RULES: tuple[str, ...] = get_args(Rule)

#: Bounds on the inputs. They are properties of the arithmetic, not deployment settings: the largest
#: released d_model is 16384 (Llama 3.1 405B), so 131072 leaves room while every count stays far
#: below 2**63 and the float argument above holds.
D_MODEL_MAX = 131_072
MULTIPLE_OF_MAX = 65_536
MULTIPLIER_MAX = Decimal(16)
#: How a multiplier is written: plain decimal digits, no exponent (configurations print 1.3 or 1.5),
#: which also keeps the exact fraction small ("1e-999999999" would be a billion-digit denominator).
#: The pattern states the range (0, 16] itself — 1 to 15.x, 0.x with a non-zero digit, or 16 — so a
#: value the OpenAPI schema accepts is one the calculator accepts.
MULTIPLIER_PATTERN = r"^(?:(?:[1-9]|1[0-5])(?:\.[0-9]{1,20})?|0?\.[0-9]{0,19}[1-9][0-9]{0,19}|16(?:\.0{1,20})?)$"
MULTIPLIER_MAX_TEXT = 41
FACTOR_MAX = 64
D_FF_MAX = FACTOR_MAX * D_MODEL_MAX
#: LLaMA's ``ModelArgs.multiple_of`` default, used when the rule is ``llama`` and none is given.
LLAMA_DEFAULT_MULTIPLE_OF = 256

#: The inputs each rule reads besides d_model; giving another is an inconsistent request.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "dense": (),
    "llama": ("multiple_of", "ffn_dim_multiplier"),
    "gemma": ("factor",),
    "explicit": ("d_ff",),
}
RULE_FORMULAS: dict[str, str] = {
    "dense": "d_ff = 4 · d_model",
    "llama": "h = int(2 · 4d / 3); h = int(ffn_dim_multiplier · h) if set; round h up to a multiple of multiple_of",
    "gemma": "d_ff = factor · d_model",
    "explicit": "d_ff as given",
}
ASSUMPTIONS = (
    "Weights per FFN layer: dense variants have two matrices (2 · d_model · d_ff), gated variants three "
    "(3 · d_model · d_ff); no biases unless biases=true (then d_ff + d_model dense, 2 · d_ff + d_model gated).",
    "Matmul FLOPs per token: 2 per multiply-add, so 2 · matrix weights for a forward pass; biases, the "
    "activation and the gate product are element-wise and not counted.",
    "forward_backward counts three forward passes (the backward pass computes an input and a weight gradient).",
    "Every variant gets the same d_ff: the rule fixes the width, so gated variants have 1.5x the weights.",
)


@dataclass(frozen=True)
class SizingRequest:
    """A checked request: the rule and the inputs it reads (the others are None)."""

    d_model: int
    rule: Rule
    multiple_of: int | None = None
    ffn_dim_multiplier: Decimal | None = None
    factor: int | None = None
    d_ff: int | None = None
    biases: bool = False
    flops: FlopsMode = "forward"


@dataclass(frozen=True)
class Step:
    """One line of the derivation of d_ff, so a reader can check it against the configuration's code."""

    formula: str
    value: int


@dataclass(frozen=True)
class Sizing:
    """The d_ff a rule gives, how it was reached, and the notes a reader needs to trust it."""

    request: SizingRequest
    d_ff: int
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = field(default=())


def _bounded_int(value: int | None, name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not low <= value <= high:
        raise InvalidInputError(name, f"must be a whole number from {low} to {high}", limit=high)
    return value


def parse_multiplier(text: str | None) -> Decimal | None:
    """``ffn_dim_multiplier`` from its text as an exact decimal in (0, 16]; empty means not set.

    Text rather than a float so that "1.3" is exactly 13/10: the JSON number a float query would give
    is 1.3000000000000000444…, and the truncation ``int(m · h)`` must not depend on that tail.
    """
    if text is None or not text.strip():
        return None
    raw = text.strip()
    if not re.fullmatch(MULTIPLIER_PATTERN, raw):
        raise InvalidInputError(
            "ffn_dim_multiplier", "must be a decimal in (0, 16] such as 1.3 (no exponent)", limit="(0, 16]"
        )
    return Decimal(raw)


def make_request(
    d_model: int,
    rule: str,
    *,
    multiple_of: int | None = None,
    ffn_dim_multiplier: str | None = None,
    factor: int | None = None,
    d_ff: int | None = None,
    biases: bool = False,
    flops: str = "forward",
) -> SizingRequest:
    """Check the inputs together: bounds, the one a rule needs, and none it does not read."""
    if rule not in RULES:
        raise InvalidInputError("rule", f"must be one of {', '.join(RULES)}")
    if flops not in ("forward", "forward_backward"):
        raise InvalidInputError("flops", "must be forward or forward_backward")
    checked_d_model = _bounded_int(d_model, "d_model", 1, D_MODEL_MAX)
    assert checked_d_model is not None
    given: dict[str, Any] = {
        "multiple_of": _bounded_int(multiple_of, "multiple_of", 1, MULTIPLE_OF_MAX),
        "ffn_dim_multiplier": parse_multiplier(ffn_dim_multiplier),
        "factor": _bounded_int(factor, "factor", 1, FACTOR_MAX),
        "d_ff": _bounded_int(d_ff, "d_ff", 1, D_FF_MAX),
    }
    for name, value in given.items():
        if value is not None and name not in RULE_FIELDS[rule]:
            readers = [r for r, fields in RULE_FIELDS.items() if name in fields]
            raise InvalidInputError(name, f"is not read by rule={rule}; only by rule={readers[0]}")
    if rule == "gemma" and given["factor"] is None:
        raise InvalidInputError("factor", "is required with rule=gemma (d_ff = factor · d_model)")
    if rule == "explicit" and given["d_ff"] is None:
        raise InvalidInputError("d_ff", "is required with rule=explicit")
    if rule == "llama" and given["multiple_of"] is None:
        given["multiple_of"] = LLAMA_DEFAULT_MULTIPLE_OF
    return SizingRequest(
        checked_d_model,
        cast(Rule, rule),
        multiple_of=given["multiple_of"],
        ffn_dim_multiplier=given["ffn_dim_multiplier"],
        factor=given["factor"],
        d_ff=given["d_ff"],
        biases=biases,
        flops=cast(FlopsMode, flops),
    )


def _round_up(h: int, multiple_of: int) -> int:
    """LLaMA's ``multiple_of * ((h + multiple_of - 1) // multiple_of)``."""
    return multiple_of * ((h + multiple_of - 1) // multiple_of)


def _truncate(multiplier: Decimal, h: int) -> int:
    """``int(multiplier * h)`` exactly: both are non-negative, so truncation is floor division."""
    numerator, denominator = multiplier.as_integer_ratio()
    return (numerator * h) // denominator


def llama_hidden_size(d_model: int, multiple_of: int, ffn_dim_multiplier: Decimal | None = None) -> Sizing:
    """LLaMA's FFN width: 2/3 of 4d, the optional multiplier, then up to a multiple of ``multiple_of``."""
    request = SizingRequest(d_model, "llama", multiple_of=multiple_of, ffn_dim_multiplier=ffn_dim_multiplier)
    h = (8 * d_model) // 3
    steps = [Step("h = int(2 · 4 · d_model / 3)", h)]
    notes: list[str] = []
    if ffn_dim_multiplier is not None:
        exact = _truncate(ffn_dim_multiplier, h)
        as_float = int(float(ffn_dim_multiplier) * h)
        steps.append(Step(f"h = int({ffn_dim_multiplier} · h)", exact))
        if as_float != exact:
            notes.append(
                f"With the multiplier as a binary float (as LLaMA's code holds it) int(m · h) is {as_float}, "
                f"not {exact}; the rounding up to multiple_of gives "
                f"{_round_up(as_float, multiple_of)} that way."
            )
        h = exact
    d_ff = _round_up(h, multiple_of)
    steps.append(Step(f"d_ff = {multiple_of} · ceil(h / {multiple_of})", d_ff))
    return Sizing(request, d_ff, tuple(steps), tuple(notes))


def hidden_size(request: SizingRequest) -> Sizing:
    """The d_ff ``request``'s rule gives, with the steps that reach it."""
    d = request.d_model
    if request.rule == "llama":
        assert request.multiple_of is not None
        sizing = llama_hidden_size(d, request.multiple_of, request.ffn_dim_multiplier)
        return Sizing(request, sizing.d_ff, sizing.steps, sizing.notes)
    if request.rule == "gemma":
        assert request.factor is not None
        d_ff = request.factor * d
        return Sizing(request, d_ff, (Step(f"d_ff = {request.factor} · d_model", d_ff),))
    if request.rule == "explicit":
        assert request.d_ff is not None
        return Sizing(request, request.d_ff, (Step("d_ff as given", request.d_ff),))
    return Sizing(request, 4 * d, (Step("d_ff = 4 · d_model", 4 * d),))


def variant_cost(variant: str, d_model: int, d_ff: int, biases: bool = False, flops: str = "forward") -> dict[str, Any]:
    """Weights and matmul FLOPs per token of one FFN layer of ``variant`` at width ``d_ff``.

    ``matched=False`` asks :mod:`app.ffn` for the width as given (no 2/3 shrink for gated variants).
    """
    cls = ffn.get_variant(variant)
    matrices = ffn.n_matrices(variant)
    weights = ffn.param_count(variant, d_model, d_ff, matched=False)
    bias_params = ((matrices - 1) * d_ff + d_model) if biases else 0
    forward = ffn.flops_per_token(variant, d_model, d_ff, matched=False)
    factor = ffn.FWD_BWD_FLOPS_FACTOR if flops == "forward_backward" else 1
    return {
        "name": cls.name,
        "gated": cls.gated,
        "matrices": matrices,
        "d_ff": d_ff,
        "weights": weights,
        "bias_params": bias_params,
        "params": weights + bias_params,
        "flops_per_token": factor * forward,
    }


def variant_costs(sizing: Sizing) -> list[dict[str, Any]]:
    """:func:`variant_cost` for every variant of the vocabulary, in its order."""
    r = sizing.request
    return [variant_cost(name, r.d_model, sizing.d_ff, r.biases, r.flops) for name in ffn.VARIANTS]
