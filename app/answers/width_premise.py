"""A weight count the asker works out from a doubled FFN width ("paper says 32768, so 3*2048*32768 weights per
layer?"): the premise is corrected and the count computed with the per-branch width.

Why a module of its own: a report's feed-forward dimension (Gemma's) or a fused gate+up width (Phi-3's) is twice
the width of one gated branch, so 3 · d_model · that width counts the gate and up projections twice; the
correction needs the named model's stored per-branch width, whichever store holds it (the catalog row, or a
report family's Hugging Face intermediate_size).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Facts

#: "3*2048*32768", "3 × 2048 × 32768", "3·d·32768 weights": a product of written numbers.
PRODUCT = re.compile(r"(?<![\d.])(\d[\d,]*)\s*[*×·x]\s*(\d[\d,]*)(?:\s*[*×·x]\s*(\d[\d,]*))?(?![\d.])")
WEIGHT_WORDS = re.compile(r"\b(?:weights?|params?|parameters|parameter count)\b")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _branch_width(facts: Facts, group: Any) -> tuple[int, dict[str, Any], dict[str, Any] | None] | None:
    """(per-branch width, its citation, a d_model citation) for a gated model: its catalog row, else its
    report family's HF intermediate_size."""
    row = next((facts.catalog[m] for m in group.members if m in facts.catalog), None)
    if row is not None and row["ffn_type"] == "gated" and str(row["d_ff_text"]).isdigit():
        return int(row["d_ff_text"]), row, row
    if group.arch_family and group.arch_size:
        fact = facts.arch_fact(group.arch_family, group.arch_size, "HF intermediate_size")
        d_model = facts.arch_fact(group.arch_family, group.arch_size, "d_model")
        if fact is not None and str(fact["value_text"]).isdigit():
            return int(fact["value_text"]), fact, d_model
    return None


def detect(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The product, the doubled width in it and the named model's per-branch width, or None."""
    if len(entities.models) != 1 or not WEIGHT_WORDS.search(text):
        return None
    stored = _branch_width(facts, entities.models[0])
    if stored is None:
        return None
    found = PRODUCT.search(text)
    if found is not None:
        factors = [_int(g) for g in found.groups() if g]
    elif 2 * stored[0] in entities.numbers and stored[2] is not None and (
            d_model := str(stored[2].get("d_model_text", stored[2].get("value_text", ""))).replace(",", "")).isdigit():
        factors = [3, int(d_model), 2 * stored[0]]  # "gemma 2 9b with d_ff 28672: mlp params?": the count it implies
    else:
        return None
    if 2 * stored[0] not in factors or stored[0] in factors:
        return None
    return {"what": "width_premise", "factors": factors, "model": entities.models[0].name,
            "product": found is not None}


def compose(b: Builder, inputs: dict[str, Any], lexicon_groups: dict[str, Any]) -> None:
    """No first: the width used is both branches; then the count with one branch's width, computed."""
    group = lexicon_groups[inputs["model"]]
    stored = _branch_width(b.facts, group)
    assert stored is not None
    width, source, d_model_source = stored
    factors: list[int] = inputs["factors"]
    b.cite(source)
    doubled = b.computed("arith", {"op": "mul", "operands": [{"number": 2}, _width_operand(source)]},
                         f"{inputs['model']}: 2 × per-branch width")["result"]
    as_written = b.computed("arith", {"op": "mul", "operands": [{"number": f} for f in factors]},
                            " × ".join(map(str, factors)))["result"]
    others = [f for f in factors if f != int(doubled)]
    operands = [{"number": f} for f in others] + [_width_operand(source)]
    corrected = b.computed("arith", {"op": "mul", "operands": operands},
                           f"{inputs['model']}: FFN weights with the per-branch width")["result"]
    where = "model catalog" if source.get("kind") == "catalog" else str(source.get("source", ""))
    lead = "No: " if inputs.get("product", True) else "Careful: "
    b.add(f"{lead}{int(doubled)} is 2 × {width}, the gate and up projections side by side (how the report or a "
          f"fused gate+up layer counts the width); one branch, `intermediate_size`, is **{width}** ({where}). "
          f"Each of the three matrices (gate, up, down) is d_model × {width}, so per layer: "
          f"{' × '.join(map(str, others))} × {width} = **{_whole(corrected)}** weights, biases not counted. "
          f"{' × '.join(map(str, factors))} = {_whole(as_written)} counts both branches twice.")
    if d_model_source is not None:
        b.cite(d_model_source)


def _width_operand(source: dict[str, Any]) -> dict[str, Any]:
    if source.get("kind") == "catalog":
        return {"citation": source, "field": "d_ff_text"}
    return {"citation": source}


def _whole(value: Decimal) -> str:
    return f"{int(value):,}" if value == value.to_integral_value() else f"{float(value):.6g}"
