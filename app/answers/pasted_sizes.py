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
from app.answers.computations import format_sig

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
    target = _equal_width_target(text)
    return {**sizes, "gated": gated} | ({} if target is None else {"equal_width": target})


#: "what d_ff would keep params equal if i switch to swiglu": the width of the other kind at equal weights.
EQUAL_PARAMS = re.compile(r"\b(?:keeps?|keeping|match(?:es|ing)?|same|equal|iso)[- ]?(?:the )?(?:param|weight)|"
                          r"\b(?:params|parameters|weights|parameter count)\s+(?:equal|the same|matched|constant)\b")
SWITCH_TO = re.compile(r"\b(?:to|for|with|into|by)\s+(?:an? )?(\w+)")


def _equal_width_target(text: str) -> bool | None:
    """Whether the asker wants the width of a gated FFN (True) or a dense one (False) with the same weight
    count as the FFN they wrote out; None when no equal-parameter width is asked."""
    if not EQUAL_PARAMS.search(text):
        return None
    targets = [m.group(1) for m in SWITCH_TO.finditer(text)]
    if any(GATED.search(t) for t in targets):
        return True
    if any(DENSE.search(t) or t in ("relu", "gelu") for t in targets):
        return False
    return None


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
    target = given.get("equal_width")
    if target is not None:
        _equal_width(b, given, gated_target=target)
        return
    b.add(lead + "; ".join(lines) + ".")


def _equal_width(b: Builder, given: dict[str, Any], gated_target: bool) -> None:
    """The other kind's d_ff at the same weight count: 2/3 of a dense width for a gated FFN (three matrices
    instead of two), 3/2 of a gated width for a dense one; both registered arithmetic on the asker's numbers."""
    times, by = (2, 3) if gated_target else (3, 2)
    scaled = b.computed("arith", {"op": "mul", "operands": [{"number": given["d_ff"]}, {"number": times}]},
                        f"{times} · d_ff")["result"]
    width = b.computed("arith", {"op": "div", "operands": [{"number": str(scaled)}, {"number": by}]},
                       f"{times}/{by} of the d_ff given")["result"]
    kind, other = ("gated", "dense") if gated_target else ("dense", "gated")
    weights = b.computed("arith", {"op": "mul", "operands": [{"number": given["d_model"]}, {"number": given["d_ff"]},
                                                               {"number": times}]},
                         f"{times} · d_model · d_ff from the sizes given")["result"]
    shown = f"{int(width)}" if width == int(width) else format_sig(float(width), 6)
    b.add(f"A {kind} FFN with **d_ff = {shown}** has the same weights as the {other} one given "
          f"(d_model {given['d_model']}, d_ff {given['d_ff']}): {times} × {given['d_model']} × {given['d_ff']} = "
          f"{int(weights):,} weights per layer either way, biases not counted. That is {times}/{by} of "
          f"{given['d_ff']}, the rule the GLU-variants paper uses to compare gated and dense FFNs at equal size.")
