"""FFN weights per layer from sizes the asker writes out ('{"hidden_size": 3584, "intermediate_size": 14336}').

Why: the parameter count of a catalog model is computed from its catalog row, but a pasted config or a
bare pair of widths names no model, so the question fell through to the sizing misreading. The count is
the same arithmetic on the asker's own numbers: 3 · d_model · d_ff for a gated FFN (gate, up and down
projections), 2 · d_model · d_ff for a dense one, both given when the question does not say which.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder

NUM = r"(\d[\d_,]*)"
D_MODEL = re.compile(rf"\b(?:d_model|hidden_size|n_embd|dim|model dim(?:ension)?)\b[\"']?\s*(?:[:=]|of|is)?\s*{NUM}")
D_FF = re.compile(rf"\b(?:intermediate_size|d_ff|ffn_dim|ffn_hidden_size|n_inner|mlp_dim|hidden_dim)\b[\"']?\s*"
                  rf"(?:[:=]|of|is)?\s*{NUM}")
PARAMS = re.compile(r"\b(?:weights|parameters|params|parameter count)\b")
GATED = re.compile(r"\bgated\b|\bglu\b|\bswiglu\b|\bgeglu\b|\breglu\b|\bgate_proj\b|\bsilu\b")
DENSE = re.compile(r"\bdense\b|\bungated\b|\bnon-gated\b|\bplain\b|\btwo[- ]matrix\b")


def _int(text: str) -> int:
    return int(text.replace("_", "").replace(",", ""))


def detect(text: str) -> dict[str, Any] | None:
    """d_model, d_ff and whether the FFN is gated (None: not said), when the question writes both widths out
    and asks for weights."""
    d_model, d_ff = D_MODEL.search(text), D_FF.search(text)
    if d_model is None or d_ff is None or not PARAMS.search(text):
        return None
    sizes = {"d_model": _int(d_model.group(1)), "d_ff": _int(d_ff.group(1))}
    if not all(0 < v <= 1_000_000 for v in sizes.values()):
        return None
    gated = True if GATED.search(text) else False if DENSE.search(text) else None
    return {**sizes, "gated": gated}


def compose(b: Builder, given: dict[str, Any]) -> None:
    kinds = {True: (3, "gated: gate, up and down projections"), False: (2, "dense: up and down projections")}
    chosen = [given["gated"]] if given["gated"] is not None else [True, False]
    lines = []
    for gated in chosen:
        matrices, kind = kinds[gated]
        operands = [{"number": given["d_model"]}, {"number": given["d_ff"]}, {"number": matrices}]
        total = b.computed("arith", {"op": "mul", "operands": operands},
                           f"{matrices} · d_model · d_ff from the sizes given")["result"]
        lines.append(f"**{int(total):,}** FFN weights per layer if the FFN is {kind} ({matrices} × "
                     f"{given['d_model']} × {given['d_ff']}, biases not counted)")
    lead = "With d_model " + f"{given['d_model']} and d_ff {given['d_ff']} as given: "
    b.add(lead + "; ".join(lines) + ".")
