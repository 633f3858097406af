"""Claims that released gated models share one FFN width ratio ("every swiglu/geglu model uses d_ff = 8/3 ·
d_model, right?", "all gated LLMs are 4x d_model?"), checked against every gated row of the model catalog.

Why a module of its own: such a claim names no model, so the lookups answer it with a paper comparison of the
gates it names, which never says whether the ratio holds. The catalog decides it: each gated model's
intermediate_size / d_model is a division of its two cited fields, and the answer gives how many sit at the
claimed ratio and the whole range, with the models at each ratio. Mixture-of-experts rows are left out (their
width column is one expert's or a leading dense layer's, not the model's FFN), and so is a row whose widths
are not plain numbers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Facts
from app.answers.ffn_widths import moe_layout
from app.catalog import EIGHT_THIRDS_TOLERANCE

#: The 8/3 rule written out: "8/3", "2/3 of 4d", "two-thirds of 4x", "2.67x".
EIGHT_THIRDS = re.compile(r"\b8\s*/\s*3\b|\b2\s*/\s*3\s*(?:of|\*|×|x|·)\s*\(?\s*4|\btwo[- ]thirds\b|"
                          r"\b2\.6[67]\d*\s*(?:x|×|\*|times)")
#: Another ratio claimed: "4x d_model", "d_ff = 3.5 * d_model", "3 times the hidden size".
TIMES_D = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:x|×|\*|·|times)\s*(?:the\s+)?(?:d_model|d\b|hidden(?:_size| size)?|"
                     r"model dim(?:ension)?)")
#: All (or most) models, not one: "every released …", "all gated models", "they all", "always".
QUANTIFIER = re.compile(r"\b(?:every|all|each|most|always|everyone|everybody|universally|standard)\b|"
                        r"\b(?:any|every) (?:released|modern|open|gated|swiglu|geglu)\b")
MODEL_WORDS = re.compile(r"\bmodels?\b|\bllms?\b|\bcheckpoints?\b|\bconfigs?\b|\barchitectures?\b|\bnetworks?\b|"
                         r"\bthey\b")
WIDTH_WORDS = re.compile(r"\bd_ff\b|\bintermediate[_ ]size\b|\bhidden[_ ]dim\b|\bffn\b|\bmlp\b|\bwidth\b|\bwide\b|"
                         r"\bratio\b|\bexpansion\b|\bd_model\b|\bfeed[- ]?forward\b")
CLAIM = re.compile(r"\?\s*$|\b(?:right|correct|true|yeah|yes|really|isn't it|don't they|aren't they)\b")
#: The catalog activations each gate name covers.
GATE_ACTIVATIONS = {"swiglu": ("swiglu", "clamped_swiglu"), "geglu": ("geglu",), "reglu": ("reglu",)}
GATE_LABELS = {"swiglu": "SwiGLU", "geglu": "GEGLU", "reglu": "ReGLU"}


def detect(text: str, entities: Entities) -> dict[str, Any] | None:
    """The claimed ratio (as a numerator and denominator) and the gates a claim about all gated models' widths
    names, or None."""
    if entities.models or not (QUANTIFIER.search(text) and MODEL_WORDS.search(text) and WIDTH_WORDS.search(text)
                               and CLAIM.search(text)):
        return None
    ratio: list[int | float]
    if EIGHT_THIRDS.search(text):
        ratio = [8, 3]
    else:
        times = TIMES_D.search(text)
        if times is None:
            return None
        ratio = [float(times.group(1)) if "." in times.group(1) else int(times.group(1)), 1]
    gates = [g for g in dict.fromkeys(entities.gates) if g in GATE_ACTIVATIONS]
    if not gates and not re.search(r"\bgated\b|\bglu\b", text):
        return None
    quantifier = QUANTIFIER.search(text)
    return {"what": "width_ratio_claim", "ratio": ratio, "gates": gates,
            "quantifier": quantifier.group(0) if quantifier else ""}


def _rows(facts: Facts, gates: list[str]) -> list[dict[str, Any]]:
    wanted = tuple(a for g in gates for a in GATE_ACTIVATIONS[g])
    return [r for r in facts.catalog.values() if r["ffn_type"] == "gated" and not moe_layout(r)
            and str(r["d_model_text"]).isdigit() and str(r["d_ff_text"]).isdigit()
            and (not wanted or str(r["activation"]).startswith(wanted))]


def _shown(value: Decimal) -> str:
    return f"{float(value):.4g}"


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """No (or yes) first: how many gated catalog models sit at the claimed ratio, and the range of the rest;
    then the models at each ratio, every ratio a registered division of the row's two fields."""
    numerator, denominator = inputs["ratio"]
    gates = [str(g) for g in inputs.get("gates", [])]
    rows = _rows(b.facts, gates)
    kind = "/".join(GATE_LABELS[g] for g in gates) or "gated"
    if not rows:
        b.add(f"The catalog holds no {kind} model with a dense FFN width to check that against.")
        return
    claimed = b.computed("arith", {"op": "div", "operands": [{"number": numerator}, {"number": denominator}]},
                         "the claimed d_ff / d_model")["result"]
    by_ratio: dict[Decimal, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        b.cite(row)
        params = {"op": "div", "operands": [{"citation": row, "field": "d_ff_text"},
                                            {"citation": row, "field": "d_model_text"}]}
        by_ratio[b.computed("arith", params, f"{row['model']}: d_ff / d_model")["result"]].append(row)
    tolerance = Decimal(str(EIGHT_THIRDS_TOLERANCE))
    at = [r for ratio, group in by_ratio.items() if abs(ratio / claimed - 1) <= tolerance for r in group]
    total = b.computed("arith", {"op": "add", "operands": [{"number": 1} for _ in rows]}, "gated models checked")
    claim = f"{numerator}/{denominator}" if denominator != 1 else f"{numerator}×"
    low, high = min(by_ratio), max(by_ratio)
    approx = f" (≈ {_shown(claimed)})" if denominator != 1 else ""
    if at:
        count = b.computed("arith", {"op": "add", "operands": [{"number": 1} for _ in at]}, f"models at {claim}")
        how_many = f"only **{int(count['result'])}** are at {claim}{approx}, counting rounding to a multiple"
    else:
        how_many = f"none is at {claim}{approx}"
    most = bool(re.search(r"\bmost\b", str(inputs.get("quantifier", ""))))
    if most and len(at) * 2 > len(rows):
        count = b.computed("arith", {"op": "add", "operands": [{"number": 1} for _ in at]}, f"models at {claim}")
        b.add(f"Yes, most: **{int(count['result'])}** of the catalog's **{int(total['result'])}** {kind} models with "
              f"a dense FFN width are at d_ff ≈ {claim} · d_model; intermediate_size / d_model runs from "
              f"**{_shown(low)}** to **{_shown(high)}** (computed from the catalog).")
    elif len(at) == len(rows):
        b.add(f"Yes: all **{int(total['result'])}** {kind} models of the catalog with a dense FFN width are at "
              f"d_ff ≈ {claim} · d_model (computed from the catalog).")
    else:
        names = lambda ratio: ", ".join(r["model"] for r in by_ratio[ratio])  # noqa: E731
        b.add(f"No. Of the catalog's **{int(total['result'])}** {kind} models with a dense FFN width, {how_many}; "
              f"intermediate_size / d_model runs from **{_shown(low)}** ({names(low)}) to **{_shown(high)}** "
              f"({names(high)}) (computed from the catalog; mixture-of-experts rows, whose width column is one "
              "expert's or a dense layer's, are left out).")
    lines = ["| d_ff / d_model | models (d_ff / d_model) |", "|---|---|"]
    for ratio in sorted(by_ratio):
        listed = ", ".join(f"{r['model']} ({r['d_ff_text']} / {r['d_model_text']})" for r in by_ratio[ratio])
        lines.append(f"| {_shown(ratio)} | {listed} |")
    b.add("\n".join(lines))
