"""Weights of a mixture-of-experts FFN layer: one expert, all the experts of a layer, and the experts one
token goes through (its shared experts plus the top-k routed ones).

Why its own module: an MoE row's width is one expert's (or, for DeepSeek, a leading dense layer's, with the
expert width in the row's note), and the three counts people ask for multiply it by different expert
counts. Read as a plain FFN the question got one expert's count, or, because "layer" was read as asking
for a layer count, a decline. The counts come from the catalog row's MoE note (the layout clauses that
open its source: "MoE: 2 shared + 160 routed experts, 6 routed active, expert intermediate size 1536") or
from the sizes the question writes out, each label bound to the number written after it ("expert width
1536, hidden 5120": 1536 is the expert's width, 5120 d_model, whatever their order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.answers import catalog_notes, pasted_sizes
from app.answers.builder import Builder
from app.answers.ffn_widths import DENSE_FIRST, moe_layout

NUM = r"(\d[\d_,]*)"
EXPERT = re.compile(r"\bexperts?\b")
#: The weights asked: "how many weights", "params", "weight count", "how big is one expert".
WEIGHTS = re.compile(r"\b(?:weights?|params?|parameters|parameter count|param count|weight count)\b|"
                     r"\bhow (?:big|large) is (?:one|a single|each|an?) expert\b")
#: "how many experts does mixtral have": an expert count, not weights (its own answer elsewhere).
LAYERS_WHOLE = re.compile(r"\b(?:all|every|across(?: all)?|over(?: all)?|summed over|in all)\s+(?:(?:of\s+)?"
                          r"(?:its|the)\s+)?(?:(\d+)\s+)?layers\b|\b(\d+)[\s-]+layers?\b|"
                          r"\b(?:whole|entire) (?:model|network|stack)\b")

#: One expert's count asked ("one expert", "a single routed expert", "per expert", "each expert").
ONE = re.compile(r"\b(?:one|a single|single|each|per|an?)\s+(?:routed\s+|shared\s+)?expert(?:'s)?(?!s)\b|"
                 r"\b(?:shared|routed) expert(?:'s)?(?!s)\b|\bexpert size\b")
#: All the experts of a layer asked ("all 8 experts", "every expert", "all 128 experts of a layer").
ALL = re.compile(r"\b(?:all|every|each of the|across(?: all)?(?: the)?|(?:summed|counted|counting) over|"
                 r"total(?: of)?(?: all)?)\s+(?:(?:its|the|of the)\s+)?(?:\d+\s+)?(?:routed\s+)?experts?\b|"
                 r"\b(?:whole|full|entire) (?:moe )?layer\b|\bin total\b|\btotal\b|\ball (?:\d+ )?of them\b")
#: The experts one token goes through asked ("active", "per token", "a single token actually goes through").
ACTIVE = re.compile(r"\bactive\b|\bactivated\b|\bper token\b|\bused per\b|\brouted to\b|"
                    r"\b(?:one|a|a single|single|each|every) token\b.{0,40}?\b(?:go(?:es)? through|pass(?:es)? "
                    r"through|uses?|touch(?:es)?|hits?|sees?|runs? through|actually uses?)\b|"
                    r"\b(?:go(?:es)? through|uses?|touch(?:es)?)\b.{0,20}\b(?:one|a|a single|each) token\b")

#: The expert's width written with its label, before the number ("expert width 1536", "moe_intermediate_size 768").
EXPERT_WIDTH = re.compile(rf"\b(?:moe_intermediate_size|expert_intermediate_size|moe[_-]ffn[_-]hidden[_-]size|"
                          rf"expert(?:'s)?\s+(?:width|size|intermediate(?:[_ ]size)?|hidden(?:[_ ](?:size|dim))?|"
                          rf"ffn(?:[_ ](?:width|size|dim))?|d_ff|dim(?:ension)?|inner(?:[_ ]dim)?))\b[\"']?\s*"
                          rf"(?:[:=]|of|is)?\s*{NUM}|\b{NUM}[- ]wide experts?\b")
#: Counts written out: "2 shared", "6 routed", "top-2", "8 active", "all 128 experts".
SHARED_WRITTEN = re.compile(r"\b(\d+)\s+shared\b")
TOPK_WRITTEN = re.compile(r"\btop[- ]?(\d+)\b|\b(\d+)\s+(?:routed\s+)?(?:experts?\s+)?(?:active|activated|per token|"
                          r"chosen|selected)\b")
ROUTED_WRITTEN = re.compile(r"\b(?:all|every)\s+(?:(?:its|the|of the)\s+)?(\d+)\s+(?:routed\s+)?experts?\b|"
                            r"(?<!top-)(?<!top )\b(\d+)\s+(?:routed\s+)?experts?\b|\b(\d+)\s+routed\b")
#: The catalog note's counts.
NOTE_SHARED = re.compile(r"\b(\d+) shared\b")
NOTE_ROUTED = re.compile(r"\b(\d+) (?:routed )?experts\b")
NOTE_ACTIVE = re.compile(r"\btop-(\d+)\b|\b(\d+) (?:routed )?active\b")
NOTE_WIDTH = re.compile(r"\bexpert intermediate size (\d+)\b")
NO_SHARED = re.compile(r"\bno shared expert")
SKIP_SHARED = re.compile(r"\b(?:skip(?:ping)?|without|exclud\w*|not counting|leav\w* out|ignor\w*|minus|except)\s+"
                         r"(?:the\s+|its\s+|any\s+)?shared\s+experts?\b")


@dataclass
class Layout:
    """An MoE layer's shape: the widths and the expert counts, each with where it came from."""

    d_model: int | None
    width: int | None
    routed: int | None
    shared: int
    active: int | None
    gated: bool | None


def _int(text: str) -> int:
    return int(text.replace("_", "").replace(",", ""))


def _stored(row: dict[str, Any]) -> Layout | None:
    """The shape the catalog row's MoE note states; None for a dense-FFN row."""
    layout = moe_layout(row)
    if not layout:
        return None
    d_model = str(row.get("d_model_text", "")).replace(",", "")
    d_ff = str(row.get("d_ff_text", "")).replace(",", "")
    noted = NOTE_WIDTH.search(layout)
    width = int(noted.group(1)) if noted else (int(d_ff) if "per expert" in layout and d_ff.isdigit() else None)
    routed, shared, active = NOTE_ROUTED.search(layout), NOTE_SHARED.search(layout), NOTE_ACTIVE.search(layout)
    return Layout(d_model=int(d_model) if d_model.isdigit() else None, width=width,
                  routed=int(routed.group(1)) if routed else None, shared=int(shared.group(1)) if shared else 0,
                  active=int(active.group(1) or active.group(2)) if active else None,
                  gated=row.get("ffn_type") == "gated")


def stored_layout(row: dict[str, Any]) -> Layout | None:
    """The expert layout a catalog row's MoE note states (None for a dense-FFN row), for other answers."""
    return _stored(row)


def _written(text: str, asks: dict[str, bool], stored: Layout | None) -> Layout:
    """The sizes and counts the question writes out (None where it writes none), each label read with the
    number after it; a bare expert count is the layer's total or the per-token one by what it matches."""
    width = EXPERT_WIDTH.search(text)
    rest = text[:width.start()] + " " * (width.end() - width.start()) + text[width.end():] if width else text
    d_model = pasted_sizes.D_MODEL.search(rest)
    if width is None and d_model is not None:  # "hidden 4096, intermediate_size 14336": a plain width label
        plain = pasted_sizes.D_FF.search(rest[:d_model.start()] + " " * (d_model.end() - d_model.start())
                                         + rest[d_model.end():])
        width = plain
    shared = SHARED_WRITTEN.search(text)
    topk = TOPK_WRITTEN.search(text)
    active = int(topk.group(1) or topk.group(2)) if topk else None
    routed = None
    for found in ROUTED_WRITTEN.finditer(text):
        count = int(next(g for g in found.groups() if g))
        if (topk and topk.start() <= found.start() < topk.end()) or (shared and found.start() == shared.start()):
            continue
        explicit_all = found.group(1) is not None
        # "all 128 experts", "64 experts, top-6" (the per-token count written apart), a count with no per-token
        # count asked: the layer's experts
        if explicit_all or (stored and count == stored.routed) or topk is not None or not asks["active"]:
            routed = count
        elif active is None:
            active = count  # "2 shared + 6 routed" of what a token uses: the routed experts it goes to
    gated = True if pasted_sizes.GATED.search(text) else False if pasted_sizes.DENSE.search(text) else None
    return Layout(d_model=_int(d_model.group(1)) if d_model else None,
                  width=_int(next(g for g in width.groups() if g)) if width else None,
                  routed=routed, shared=int(shared.group(1)) if shared else (0 if NO_SHARED.search(text) else -1),
                  active=active, gated=gated)


def asks(text: str) -> dict[str, bool]:
    """Which of the three counts the question asks; all three when it names none of them."""
    found = {"one": bool(ONE.search(text)), "all": bool(ALL.search(text)), "active": bool(ACTIVE.search(text))}
    return found if any(found.values()) else {"one": True, "all": True, "active": True}


def detect(text: str, row: dict[str, Any] | None) -> dict[str, Any] | None:
    """The MoE layer's shape and the counts asked, when the question asks for the weights of experts of a
    catalog MoE model (``row``) or of an MoE layer whose sizes it writes out; None otherwise (and for a count
    over all layers, which :func:`pasted_sizes.scale_totals` multiplies)."""
    if not (EXPERT.search(text) and WEIGHTS.search(text)):
        return None
    whole = LAYERS_WHOLE.search(text)
    stored = _stored(row) if row is not None else None
    if row is not None and stored is None:
        return None
    wanted = asks(text)
    # "all 160 routed experts of a layer": the routed ones only, the shared experts left out
    wanted["routed_only"] = bool(re.search(r"\brouted\b", found.group(0))) if (found := ALL.search(text)) else False
    written = _written(text, wanted, stored)
    if stored is None and (written.d_model is None or written.width is None):
        return None
    base = stored or Layout(None, None, None, 0, None, None)
    shape = Layout(d_model=written.d_model or base.d_model, width=written.width or base.width,
                   routed=written.routed or base.routed,
                   # "skip the shared expert": the routed experts only, whatever the layout has besides
                   shared=0 if SKIP_SHARED.search(text) else base.shared if written.shared < 0 else written.shared,
                   active=written.active or base.active,
                   gated=written.gated if written.gated is not None else base.gated)
    if shape.d_model is None or shape.width is None or not (0 < shape.d_model <= 1_000_000
                                                             and 0 < shape.width <= 1_000_000):
        return None
    given = {k for k in ("d_model", "width") if getattr(written, k) is not None}
    return {"what": "moe_sizes", "model": row["model"] if row else None, "row": row, "asks": wanted,
            "shape": shape.__dict__, "given": sorted(given),
            "layers": (whole.group(1) or whole.group(2) or "stored") if whole else None,
            "stored": stored.__dict__ if stored else None}


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """One expert's weights (3 or 2 × d_model × expert width), then the layer's experts and a token's experts
    as registered products of it, each counted over the experts it is made of."""
    row, shape, wanted = inputs.get("row"), inputs["shape"], inputs["asks"]
    name = inputs.get("model") or "this MoE layer"
    if row is not None:
        b.cite(row)
    gated = shape["gated"] if shape["gated"] is not None else True
    matrices = 3 if gated else 2
    kind = "gate, up and down projections" if gated else "up and down projections"
    assumed = "" if shape["gated"] is not None else " (gated experts assumed, as in released MoE models)"
    operands: list[dict[str, Any]] = [{"number": shape["d_model"]}, {"number": shape["width"]}, {"number": matrices}]
    one = int(b.computed("arith", {"op": "mul", "operands": operands},
                         f"{name}: {matrices} · d_model · expert width")["result"])
    given = inputs.get("given") or []
    where = "as given" if given else "model catalog"
    if row is not None and given:
        stored = inputs.get("stored") or {}
        differs = [f"{k.replace('width', 'expert width')} {stored[k]}" for k in ("d_model", "width")
                   if stored.get(k) is not None and stored[k] != shape[k]]
        where = "as given" + (f"; the catalog's {row['model']} row has {', '.join(differs)}" if differs else
                              ", matching the catalog row")
    lines = [f"{name[0].upper()}{name[1:]} has **{one:,}** FFN weights per expert: {matrices} matrices ({kind}) "
             f"of d_model × expert width = {shape['d_model']} × {shape['width']} ({where}){assumed}, biases not "
             "counted."]
    totals: list[tuple[int, str]] = []
    if wanted["all"]:
        routed_only = wanted.get("routed_only") and shape["shared"]
        lines.append(_times(b, name, one, _all_count({**shape, "shared": 0} if routed_only else shape),
                            "all routed experts of one layer" if routed_only else "all experts of one layer", totals))
    if wanted["active"]:
        lines.append(_times(b, name, one, _active_count(shape), "the experts one token goes through", totals))
    b.add(" ".join(line for line in lines if line))
    if inputs.get("layers"):
        _over_layers(b, inputs, totals or [(one, "one expert")])
    if row is not None and moe_layout(row):
        b.add(f"{row['model']}'s MoE layout (model catalog): {moe_layout(row)}. Router weights not counted.")


def _all_count(shape: dict[str, Any]) -> tuple[int | None, str]:
    routed, shared = shape["routed"], shape["shared"]
    if routed is None:
        return None, "experts per layer"
    if shared:
        return routed + shared, f"{shared} shared + {routed} routed experts"
    return routed, f"{routed} experts"


def _active_count(shape: dict[str, Any]) -> tuple[int | None, str]:
    active, shared = shape["active"], shape["shared"]
    if active is None:
        return None, "experts a token is routed to"
    if shared:
        return active + shared, f"{shared} shared + {active} routed experts"
    return active, f"top-{active} routed experts"


def _times(b: Builder, name: str, one: int, count: tuple[int | None, str], what: str,
           totals: list[tuple[int, str]]) -> str:
    number, label = count
    if number is None:
        return f"The number of {label} is neither given nor stored for {name}, so {what} is not counted."
    if "+" in label:  # the shared and routed experts added first, so the sum is a registered number too
        parts = [int(p.split()[0]) for p in label.split(" + ")]
        number = int(b.computed("arith", {"op": "add", "operands": [{"number": p} for p in parts]},
                                f"{name}: {label}")["result"])
    total = int(b.computed("arith", {"op": "mul", "operands": [{"number": one}, {"number": number}]},
                           f"{name}: one expert × {number}")["result"])
    totals.append((total, what))
    return f"{what.capitalize()} ({label}): {number} × {one:,} = **{total:,}** weights."


def _over_layers(b: Builder, inputs: dict[str, Any], totals: list[tuple[int, str]]) -> None:
    """'… over all 32 layers': the per-layer figures shown times the layer count written, else the one the
    row's source note states; not multiplied where the row's first layers are dense (their FFN is no expert's)."""
    row, name = inputs.get("row"), inputs.get("model") or "this MoE layer"
    written = inputs["layers"] if str(inputs["layers"]).isdigit() else None
    if row is not None and DENSE_FIRST.search(moe_layout(row)):
        b.add(f"{name}'s first layers are dense (see its MoE note), so the per-layer figures are not multiplied by "
              "a layer count.")
        return
    counts = catalog_notes.layer_counts(row) if row is not None and written is None else []
    count = written or (counts[0][0] if len(counts) == 1 else None)
    if count is None:
        b.add(f"The stored evidence gives no single layer count for {name}, so the per-layer figures are not "
              "multiplied up; give the number of layers to get the total.")
        return
    if row is not None and written is None:
        b.cite(row)
    shown = []
    for total, what in totals:
        scaled = int(b.computed("arith", {"op": "mul", "operands": [{"number": total}, {"number": int(count)}]},
                                f"{name}: {total} × {count} layers")["result"])
        shown.append(f"**{scaled:,}** for {what.replace(' of one layer', '')} in every layer")
    b.add(f"Over {count} layers: " + "; ".join(shown) + " (biases and routers not counted).")
