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


#: Words that name an FFN width ("the mlp looks 13696 wide", "intermediate_size", "ffn dim").
WIDTH_WORDS = re.compile(r"\b(?:ffn|mlp|feed[- ]?forward|intermediate(?:_size)?|d_ff|width|wide|hidden[_ ]dims?|"
                         r"gate_up(?:_proj)?|up_proj|gate_proj|mlp_hidden_size|ff dim)\b")
#: Two figures set against each other ("… but …, why the mismatch", "which one is right").
MISMATCH = re.compile(r"\bwhy\b|\bhow come\b|\bmismatch|\bdiffer|\bdiscrepan|\binconsisten|\bdisagree|"
                      r"\bdo(?:es)?n'?t match\b|\bnot match\b|\bwhich (?:one |number )?is (?:right|correct|true)\b|"
                      r"\bconfus|\bcontradict|\bvs\.?\b|\bversus\b|\bbut\b|\bwhereas\b|\bwhile\b")
#: A number the words before it label as something other than an FFN width (d_model 8192, multiple_of 4096).
OTHER_LABEL = re.compile(r"(?:d_model|hidden_size|n_embd|\bdim|multiple_of|layers?|heads?|steps?|vocab\w*|context|"
                         r"tokens?|seq\w*|batch|experts?|rank)\W{0,3}(?:of |is |=|:)?\s*$")
#: A width this small is not an FFN width (heads, layers, small factors).
MIN_WIDTH = 256


def _widths(text: str) -> list[int]:
    """The whole numbers of the text that may be FFN widths, in the order written."""
    out = []
    for found in re.finditer(r"(?<![\w.])\d[\d,_]*(?![\w.]|\.\d)", text):
        value = int(found.group(0).replace(",", "").replace("_", ""))
        if value >= MIN_WIDTH and not OTHER_LABEL.search(text[max(0, found.start() - 16):found.start()]):
            out.append(value)
    return out


def detect_two_widths(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """'X lists 27392 for the ffn but HF looks 13696 wide, why?': two FFN widths, one exactly twice the other,
    set against each other; the doubled one counts both gated branches. Any model, even one the catalog lacks:
    the numbers are the question's."""
    if not MISMATCH.search(text) or WEIGHT_WORDS.search(text):
        return None
    widths = list(dict.fromkeys(_widths(text)))
    if not 2 <= len(widths) <= 3:
        return None
    pair = next(((a, b) for a in widths for b in widths if a == 2 * b), None)
    if pair is None:
        return None
    model = entities.models[0].name if len(entities.models) == 1 else None
    stored = _branch_width(facts, entities.models[0]) if model is not None else None
    # without width words ("the report says 18432 for the 2b when config.json says 9216") the named model's
    # stored per-branch width says the numbers are its FFN widths
    if not WIDTH_WORDS.search(text) and (stored is None or stored[0] != pair[1]):
        return None
    return {"what": "width_premise", "two_widths": True, "doubled": pair[0], "branch": pair[1], "model": model}


def detect(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The product, the doubled width in it and the named model's per-branch width, or None; else two widths
    written side by side, one twice the other (:func:`detect_two_widths`)."""
    if len(entities.models) != 1 or not WEIGHT_WORDS.search(text):
        return detect_two_widths(text, entities, facts)
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


def compose_two_widths(b: Builder, inputs: dict[str, Any], lexicon_groups: dict[str, Any]) -> None:
    """The doubled width is 2 × the per-branch width (computed from the question's numbers), both branches
    counted together; the named model's stored width and Gemma's reports as the stored instance."""
    doubled, branch = int(inputs["doubled"]), int(inputs["branch"])
    # both directions, so each of the question's two numbers is a computed value, not only an input
    b.computed("arith", {"op": "mul", "operands": [{"number": 2}, {"number": branch}]}, "2 × per-branch width")
    b.computed("arith", {"op": "div", "operands": [{"number": doubled}, {"number": 2}]}, "doubled width / 2")
    b.add(f"No mismatch: {doubled} = 2 × {branch}, the same gated FFN counted two ways. {doubled} is the doubled "
          f"width, both branches together: the gate and up projections side by side, as a fused gate+up layer "
          f"(one matrix for both) or a report's feed-forward dimension counts it. Each branch, `gate_proj` and "
          f"`up_proj` — Hugging Face's `intermediate_size` — is **{branch}** wide, and `down_proj` maps {branch} "
          f"back to d_model. Count weights with {branch}: three matrices of d_model × {branch}.")
    group = lexicon_groups.get(inputs["model"]) if inputs.get("model") else None
    stored = _branch_width(b.facts, group) if group is not None else None
    if stored is not None and stored[0] == branch:
        b.cite(stored[1])
        where = "model catalog" if stored[1].get("kind") == "catalog" else str(stored[1].get("source", ""))
        b.add(f"{inputs['model']}'s stored per-branch width is {stored[0]} ({where}).")
    paper = b.facts.arch_fact("Gemma 2", "9B", "Feedforward dim (paper)")
    hf = b.facts.arch_fact("Gemma 2", "9B", "HF intermediate_size")
    exp = b.facts.explanations.get("two-thirds-rule")
    shown = {str(doubled), str(branch)}
    same = paper is not None and hf is not None and {paper["value_text"], hf["value_text"]} == shown
    if paper is not None and hf is not None and exp is not None and not same:
        b.cite(paper)
        b.cite(hf)
        b.cite(exp.citation())
        b.add(f"Gemma's reports do the same: Gemma 2 9B's report prints a feed-forward dimension of "
              f"{paper['value_text']}, its Hugging Face configuration `intermediate_size` {hf['value_text']} — see "
              f"[{exp.title}]({exp.citation()['url']}).")


def compose(b: Builder, inputs: dict[str, Any], lexicon_groups: dict[str, Any]) -> None:
    """No first: the width used is both branches; then the count with one branch's width, computed."""
    if inputs.get("two_widths"):
        compose_two_widths(b, inputs, lexicon_groups)
        return
    group = lexicon_groups[inputs["model"]]
    stored = _branch_width(b.facts, group)
    assert stored is not None
    width, source, d_model_source = stored
    factors: list[int] = inputs["factors"]
    b.cite(source)
    doubled = b.computed("arith", {"op": "mul", "operands": [{"number": 2}, _width_operand(source)]},
                         f"{inputs['model']}: 2 × per-branch width")["result"]
    written = " × ".join(map(str, factors))
    if inputs.get("product", True):  # the asker's own product, corrected
        as_written = b.computed("arith", {"op": "mul", "operands": [{"number": f} for f in factors]},
                                written)["result"]
        twice = f"{written} = {_whole(as_written)} counts both branches twice."
    else:  # a product nobody asked for is not printed: the wrong number would read as an answer
        twice = f"Using the doubled width ({written}) would count both branches twice."
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
          f"{twice}")
    if d_model_source is not None:
        b.cite(d_model_source)


def _width_operand(source: dict[str, Any]) -> dict[str, Any]:
    if source.get("kind") == "catalog":
        return {"citation": source, "field": "d_ff_text"}
    return {"citation": source}


def _whole(value: Decimal) -> str:
    return f"{int(value):,}" if value == value.to_integral_value() else f"{float(value):.6g}"
