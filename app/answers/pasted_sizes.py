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
D_MODEL = re.compile(rf"(?<!ffn-)\b(?:d_model|hidden_size|hidden-size|n_embd|dim|model dim(?:ension)?|d|h|hidden|"
                     rf"emb_dim|embed_dim|d model|width)\b[\"']?\s*(?:[:=]|of|is)?\s*{NUM}")
D_FF = re.compile(rf"\b(?:moe_intermediate_size|expert_intermediate_size|intermediate_size|d_ff|ffn_dim|"
                  rf"ffn_hidden_size|ffn-hidden-size|n_inner|mlp_dim|hidden_dim|ff|"
                  rf"ffn|d_inner|"
                  rf"inner|filter_size|intermediate)\b[\"']?\s*(?:[:=]|of|is)?\s*{NUM}")
HIDDEN_WIDTH = re.compile(rf"\bhidden(?: layer| width| size| dim(?:ension)?)?\b\s*(?:[:=]|of|is)?\s*{NUM}")
PARAMS = re.compile(r"\b(?:weights|parameters|params?|parameter count|param count)\b")
#: "how many extra weights vs the relu ffn": the gated and dense counts and their difference.
EXTRA = re.compile(r"\b(?:extra|additional|more|overhead|added|difference|increase)\b")
#: "the same params as a 4x dense one": a dense width given as a multiple of d_model.
TIMES_D_MODEL = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:x|×|times)\s*(?:d_model\s*)?(?:dense|wide|width|d_model|relu|gelu|"
                           r"mlp|ffn)\b|\b(?:dense|mlp|ffn)\s+(?:of\s+)?(\d+(?:\.\d+)?)\s*(?:x|×)\s*d(?:_model)?\b")
GATED = re.compile(r"\bgated\b|\bglu\b|\bswiglu\b|\bgeglu\b|\breglu\b|\bgate_proj\b|\bsilu\b|"
                   # T5X's ("gelu", "linear") pair, T5's "gated-gelu", Megatron's --swiglu
                   r"\(\s*[\"']?\w+[\"']?\s*,\s*[\"']?linear[\"']?\s*,?\s*\)|\bgated-\w+|--swiglu\b")
DENSE = re.compile(r"\bdense\b|\bungated\b|\bnon-gated\b|\bplain\b|\btwo[- ]matrix\b|\bvanilla\b|"
                   # the original Transformer's FFN is two matrices around a ReLU
                   r"\boriginal transformer\b|\bvaswani\b|\battention is all you need\b|"
                   # GPT-2-style configs (n_inner, activation_function) and T5's plain feed_forward_proj
                   r"\bn_inner\b|\bactivation_function\b|feed_forward_proj[\"']?\s*[:=]\s*[\"']?(?:relu|gelu)[\"']")


def _int(text: str) -> int:
    return int(text.replace("_", "").replace(",", ""))


def detect(text: str) -> dict[str, Any] | None:
    """d_model, d_ff and whether the FFN is gated (None: not said), when the question writes both widths out
    and asks for weights."""
    arrow = ARROW.search(text)
    if arrow is not None and PARAMS.search(text):  # "ffn is 768 -> 3072": d_model into the FFN's width
        sizes = {"d_model": _int(arrow.group(1)), "d_ff": _int(arrow.group(2))}
        if not all(0 < v <= 1_000_000 for v in sizes.values()) or sizes["d_ff"] <= sizes["d_model"]:
            return None
        gated = True if GATED.search(text[:arrow.start()]) else False if DENSE.search(text[:arrow.start()]) else None
        target = _equal_width_target(text)
        rest = text[arrow.end():]
        if target is None and EQUAL_PARAMS.search(text):  # "… what d_ff do the gated ones get": the kind named after
            target = True if GATED.search(rest) else False if DENSE.search(rest) else None
        return {**sizes, "gated": gated} | ({} if target is None else {"equal_width": target})
    d_model, d_ff = D_MODEL.search(text), D_FF.search(text)
    if d_model is None and d_ff is None and (pair := _width_pair(text)) is not None:
        return pair
    if d_model is None:
        return _width_only(text, d_ff or WIDE.search(text))
    if not PARAMS.search(text):
        return None
    if d_ff is None and not d_model.group(0).startswith("hidden"):
        # "d_model 4096 and hidden 11008": with d_model named, a bare "hidden" width is the FFN's
        d_ff = HIDDEN_WIDTH.search(text, d_model.end())
    if d_ff is None:
        return _dense_multiple(text, _int(d_model.group(1)))
    sizes = {"d_model": _int(d_model.group(1)), "d_ff": _int(d_ff.group(1))}
    if not all(0 < v <= 1_000_000 for v in sizes.values()):
        return None
    gated = True if GATED.search(text) else False if DENSE.search(text) else None
    target = _equal_width_target(text)
    extra: dict[str, Any] = {"extra": True} if EXTRA.search(text) and target is None else {}
    layers = _layers_given(text) if target is None and not extra else None
    extra |= {"layers": layers} if layers else {}
    return {**sizes, "gated": gated, **extra} | ({} if target is None else {"equal_width": target})


#: A layer count in a pasted config ("num_hidden_layers": 64, n_layers=32).
LAYER_FIELD = re.compile(r"\b(?:num_hidden_layers|num_layers|n_layers?|n_layer)\b[\"']?\s*[:=]\s*(\d+)")


def _layers_given(text: str) -> int | None:
    """The layer count to multiply by, when the question asks over all layers and writes the count (in words
    or as a pasted config field)."""
    asked = LAYERS_ASKED.search(text)
    if asked is None:
        return None
    written = asked.group(1) or asked.group(2) or (field.group(1) if (field := LAYER_FIELD.search(text)) else None)
    return int(written) if written and 0 < int(written) <= 10_000 else None


#: "(512/2048)", "768 x 3072", "1024 by 4096": an FFN's d_model and hidden width written as an unlabelled pair.
WIDTH_PAIR = re.compile(r"(?<![\d.,/])(\d{2,6})\s*(?:/|×|x|\bby\b)\s*(\d{2,6})(?![\d.,/])")
FFN_NAMED = re.compile(r"\b(?:ffn|mlp|feed[- ]?forward)s?\b")


def _width_pair(text: str) -> dict[str, Any] | None:
    """'weights in one ffn of the original transformer base (512/2048)': an unlabelled pair of widths next to
    FFN and weight words is d_model and d_ff, when the second is the wider (an FFN widens, at most 16x)."""
    pair = WIDTH_PAIR.search(text)
    if pair is None or not (PARAMS.search(text) and FFN_NAMED.search(text)):
        return None
    if re.search(r"[×x*]\s*$", text[:pair.start()]) or re.match(r"\s*[×x*]", text[pair.end():]):
        return None  # "3 × 4608 × 73728 params": a product written out (a claim to check), not a pair of widths
    d_model, d_ff = int(pair.group(1)), int(pair.group(2))
    if not 0 < d_model < d_ff <= 16 * d_model:
        return None
    gated = True if GATED.search(text) else False if DENSE.search(text) else None
    return {"d_model": d_model, "d_ff": d_ff, "gated": gated}


#: "the ffn is 768 -> 3072", "768→3072": an FFN's input width into its hidden width.
ARROW = re.compile(rf"\b(?:ffn|mlp|feed[- ]?forward|layer)\b[^.?\d]{{0,12}}{NUM}\s*(?:->|→|=>)\s*{NUM}\b")
#: "a 4096-wide dense ffn": a width written as an adjective.
WIDE = re.compile(rf"\b{NUM}[- ](?:wide|width)\b")
#: "the matched gated d_ff", "param-matched": the width of the other kind at equal weights.
MATCHED = re.compile(r"\b(?:matched|matching|equivalent|param[- ]matched|equal[- ]params?|iso[- ]params?)\b")


def _width_only(text: str, width: re.Match[str] | None) -> dict[str, Any] | None:
    """'equal-param swiglu width for a 4096-wide dense ffn': only the FFN width is given, and the other kind's
    width at the same weights is asked (2/3 or 3/2 of it, whatever d_model is)."""
    if width is None or not (EQUAL_PARAMS.search(text) or MATCHED.search(text)):
        return None
    d_ff = _int(width.group(1))
    # the kind written nearest the width is the given FFN's ("a gated ffn with d_ff 2048", "4096-wide dense")
    kinds = [(min(abs(m.start() - width.start()), abs(m.end() - width.end())), gated)
             for gated, pattern in ((True, GATED), (False, DENSE)) for m in pattern.finditer(text)]
    if not kinds or not 0 < d_ff <= 1_000_000:
        return None
    target = not min(kinds)[1]
    return {"d_model": None, "d_ff": d_ff, "gated": not target, "equal_width": target}


def _dense_multiple(text: str, d_model: int) -> dict[str, Any] | None:
    """'d_model=2048 … same params as a 4x dense one': the dense width is that multiple of d_model, and the
    gated width at equal weights is asked."""
    times = TIMES_D_MODEL.search(text)
    if times is None or not (EQUAL_PARAMS.search(text) and GATED.search(text)) or not 0 < d_model <= 1_000_000:
        return None
    written = times.group(1) or times.group(2)
    multiple: int | float = int(written) if float(written).is_integer() else float(written)
    return {"d_model": d_model, "d_ff": None, "times": multiple, "gated": True, "equal_width": True}


#: "what d_ff would keep params equal if i switch to swiglu": the width of the other kind at equal weights.
EQUAL_PARAMS = re.compile(r"\b(?:keeps?|keeping|match(?:es|ing)?|same|equal|iso)[- ]?(?:the )?(?:param|weight)|"
                          r"\b(?:params|parameters|weights|parameter count)\s+(?:equal|the same|matched|constant)\b")
SWITCH_TO = re.compile(r"\b(?:to|for|with|into|by)\s+(?:an? )?(\w+)")
KIND_OF_WIDTH = re.compile(r"\b(?:what|which|the)\s+(\w+)\s+(?:width|d_ff|hidden size|intermediate[_ ]size|size)\b")


def _equal_width_target(text: str) -> bool | None:
    """Whether the asker wants the width of a gated FFN (True) or a dense one (False) with the same weight
    count as the FFN they wrote out; None when no equal-parameter width is asked."""
    if not EQUAL_PARAMS.search(text):
        return None
    # "… to swiglu", and "what geglu width gives the same param count": the kind named before the width asked
    targets = [m.group(1) for m in (*SWITCH_TO.finditer(text), *KIND_OF_WIDTH.finditer(text))]
    if any(GATED.search(t) for t in targets):
        return True
    if any(DENSE.search(t) or t in ("relu", "gelu") for t in targets):
        return False
    return None


#: "a single routed expert", "per expert", "each expert": the count asked is one expert's FFN, not a layer's.
ONE_EXPERT = re.compile(r"\b(?:one|a single|single|each|per|an?|the)\s+(?:routed\s+|shared\s+)?expert(?:'s)?\b|"
                        r"\b(?:shared|routed) expert\b")


def _catalog_int(text: object) -> int | None:
    value = str(text).replace(",", "")
    return int(value) if value.isdigit() else None


#: "keeps params the same", "matches bloom-176b's ffn param count", "with matched params": equal weights asked.
SAME_WEIGHTS = re.compile(r"\bmatch(?:es|ed|ing)?\b.{0,40}\b(?:params?|parameters|weights)\b|"
                          r"\b(?:params?|parameters|weights)\b.{0,12}\b(?:the same|equal|unchanged|matched)\b|"
                          r"\b(?:same|equal) (?:number of )?(?:params?|parameters|weights)\b|"
                          r"\bkeep(?:s|ing)? (?:the )?(?:params?|parameters|weights|param count)\b")


def detect_for_model(text: str, row: dict[str, Any]) -> dict[str, Any] | None:
    """Sizes asked of a named catalog model that its row does not answer as stored: widths written out that
    are not the row's (one expert's 'moe_intermediate_size 2048, hidden 7168', a hypothetical), counted with
    the row's FFN kind; or the other FFN kind's width at the row's weight count ('pythia-6.9b converted to
    geglu at the same param count'). None when the row's own sizes answer the question."""
    d_model, d_ff = _catalog_int(row.get("d_model_text")), _catalog_int(row.get("d_ff_text"))
    if d_model is None or d_ff is None:
        return None
    gated = row.get("ffn_type") == "gated"
    target = _equal_width_target(text)
    if target is None and SAME_WEIGHTS.search(text) and (DENSE if gated else GATED).search(text):
        target = not gated  # "what swiglu width keeps params the same" of a dense model: the other kind's width
    if target is not None and target != gated:
        return {"d_model": d_model, "d_ff": d_ff, "gated": gated, "equal_width": target, "row": row}
    written = detect(text)
    if written is None or written.get("equal_width") is not None or written.get("d_ff") in (None, d_ff):
        return None
    kind = written["gated"] if written["gated"] is not None else gated
    per = "per expert" if ONE_EXPERT.search(text) else "per layer"
    return {**written, "gated": kind, "per": per, "model": row["model"], "row": row}


def compose(b: Builder, given: dict[str, Any]) -> None:
    row = given.get("row")
    if row is not None:
        b.cite(row)
    if row is not None and given.get("equal_width") is not None:
        b.add(f"{row['model']} in the catalog: {'gated' if given['gated'] else 'dense'} FFN, d_model "
              f"{row['d_model_text']}, d_ff {row['d_ff_text']}.")
    if given.get("d_ff") is None and given.get("times"):
        dense = b.computed("arith", {"op": "mul", "operands": [{"number": given["times"]},
                                                               {"number": given["d_model"]}]},
                           f"{given['times']} · d_model")["result"]
        given = {**given, "d_ff": int(dense) if dense == int(dense) else dense}
        b.add(f"A dense FFN {given['times']} × d_model wide has d_ff = {given['times']} × {given['d_model']} = "
              f"{given['d_ff']}.")
    if given.get("extra"):
        _extra(b, given)
        return
    if given.get("equal_width") is not None:
        _equal_width(b, given, gated_target=given["equal_width"])
        return
    kinds = {True: (3, "gated: gate, up and down projections"), False: (2, "dense: up and down projections")}
    chosen = [given["gated"]] if given["gated"] is not None else [True, False]
    lines = []
    for gated in chosen:
        matrices, kind = kinds[gated]
        operands = [{"number": given["d_model"]}, {"number": given["d_ff"]}, {"number": matrices}]
        total = b.computed("arith", {"op": "mul", "operands": operands},
                           f"{matrices} · d_model · d_ff from the sizes given")["result"]
        lines.append(f"**{int(total):,}** FFN weights {given.get('per', 'per layer')} if the FFN is {kind} "
                     f"({matrices} × {given['d_model']} × {given['d_ff']}, biases not counted)")
    kind_of = "gated" if given["gated"] else "dense"
    of = f" for {given['model']} ({kind_of} in the catalog)" if given.get("model") else ""
    lead = "With d_model " + f"{given['d_model']} and d_ff {given['d_ff']} as given{of}: "
    b.add(lead + "; ".join(lines) + ".")
    if given.get("layers") and len(chosen) == 1:
        layers = given["layers"]
        whole = b.computed("arith", {"op": "mul", "operands": [{"number": str(total)}, {"number": layers}]},
                           f"per-layer FFN weights · {layers} layers")["result"]
        b.add(f"Over all {layers} layers: {layers} × {int(total):,} = **{int(whole):,}** FFN weights.")


def _equal_width(b: Builder, given: dict[str, Any], gated_target: bool) -> None:
    """The other kind's d_ff at the same weight count: 2/3 of a dense width for a gated FFN (three matrices
    instead of two), 3/2 of a gated width for a dense one; both registered arithmetic on the asker's numbers."""
    times, by = (2, 3) if gated_target else (3, 2)
    scaled = b.computed("arith", {"op": "mul", "operands": [{"number": given["d_ff"]}, {"number": times}]},
                        f"{times} · d_ff")["result"]
    width = b.computed("arith", {"op": "div", "operands": [{"number": str(scaled)}, {"number": by}]},
                       f"{times}/{by} of the d_ff given")["result"]
    kind, other = ("gated", "dense") if gated_target else ("dense", "gated")
    whole = width == int(width)
    shown = f"{int(width)}" if whole else format_sig(float(width), 6)
    nearest = "" if whole else (f" Widths are whole numbers: {round(width)} is the nearest (or round to a multiple "
                                "your kernels prefer).")
    if given["d_model"] is None:
        b.add(f"A {kind} FFN with **d_ff = {shown}** has the same weights as a {other} one with d_ff {given['d_ff']}, "
              f"whatever d_model is: {times}/{by} of {given['d_ff']}, because a gated FFN has three d_model × d_ff "
              "matrices and a dense one two (the rule the GLU-variants paper uses to compare them at equal size)."
              + nearest)
        return
    weights = b.computed("arith", {"op": "mul", "operands": [{"number": given["d_model"]}, {"number": given["d_ff"]},
                                                               {"number": times}]},
                         f"{times} · d_model · d_ff from the sizes given")["result"]
    b.add(f"A {kind} FFN with **d_ff = {shown}** has the same weights as the {other} one given "
          f"(d_model {given['d_model']}, d_ff {given['d_ff']}): {times} × {given['d_model']} × {given['d_ff']} = "
          f"{int(weights):,} weights per layer either way, biases not counted. That is {times}/{by} of "
          f"{given['d_ff']}, the rule the GLU-variants paper uses to compare gated and dense FFNs at equal size."
          + nearest)


def _extra(b: Builder, given: dict[str, Any]) -> None:
    """'geglu but keep d_ff=3072: how many extra weights?': both counts at the width given and the gated
    layer's surplus, one d_model × d_ff matrix (the gate projection)."""
    counts = {}
    for matrices in (3, 2):
        operands = [{"number": given["d_model"]}, {"number": given["d_ff"]}, {"number": matrices}]
        counts[matrices] = b.computed("arith", {"op": "mul", "operands": operands},
                                      f"{matrices} · d_model · d_ff from the sizes given")["result"]
    surplus = b.computed("arith", {"op": "sub", "operands": [{"number": str(counts[3])}, {"number": str(counts[2])}]},
                         "gated minus dense weights")["result"]
    b.add(f"At d_model {given['d_model']} and d_ff {given['d_ff']} a gated FFN (gate, up and down projections) has "
          f"{int(counts[3]):,} weights per layer and a dense one (up and down) {int(counts[2]):,}: the gated layer "
          f"has **{int(surplus):,}** more, one extra d_model × d_ff matrix ({given['d_model']} × {given['d_ff']}), "
          "biases not counted. The GLU-variants paper avoids that surplus by shrinking d_ff to 2/3 for its gated "
          "variants.")


#: "counting all 8 experts", "over all its layers", "whole model": a per-layer count scaled up.
EXPERTS_ASKED = re.compile(r"\b(?:all|every|each of the|across(?: all)?(?: the)?|(?:summed|counted|counting) over)\s+"
                           r"(?:(?:its|the)\s+)?(?:(\d+)\s+)?experts?\b|\b(\d+)\s+experts\b")
LAYERS_ASKED = re.compile(r"\b(?:all|every|across(?: all)?|over(?: all)?|summed over|in all)\s+"
                          r"(?:(?:of\s+)?(?:its|the)\s+)?(?:(\d+)\s+)?layers\b|\b(\d+)[\s-]+layers?\b|"
                          r"\bwhole (?:model|network|stack)\b|\bentire (?:model|network|stack)\b|\bin total\b|"
                          r"\btotal (?:ffn |mlp )?(?:params|parameters|weights)\b")
#: "active ffn params per token": the experts a token is routed to, not all of them.
ACTIVE_ASKED = re.compile(r"\bactive\b|\bper token\b|\bactivated\b|\bused per\b")
_SOURCE_ACTIVE = re.compile(r"\btop-(\d+)\b|\b(\d+) (?:routed )?active\b")
_SOURCE_EXPERTS = re.compile(r"^MoE: (\d+) (?:routed )?experts\b")
_SOURCE_LAYERS = re.compile(r"(?<![\w.])(\d+) layers\b")


def scale_totals(b: Builder, entry: dict[str, Any], group: Any, per_layer: Any, question: str) -> None:
    """A catalog model's per-layer FFN count times its experts or its layers, where the question asks for
    them: the number the asker writes, else the one the stored evidence gives (the catalog row's MoE
    sentence, the report's layer count, the layer count the row's sources name), else say it is not stored."""
    text = question.lower()
    total, factors = per_layer, []
    source = str(entry["source"])
    experts, active = EXPERTS_ASKED.search(text), ACTIVE_ASKED.search(text)
    if (experts or active) and source.startswith("MoE:") and "per expert" not in source:
        b.add(f"The catalog's d_ff for {entry['model']} is not one expert's width (see its MoE note), so the "
              "per-layer figure is not multiplied by experts.")
        experts = active = None
    if active and source.startswith("MoE:"):
        stored_active = _SOURCE_ACTIVE.search(source.split(";")[0])
        if stored_active:
            factors.append((int(stored_active.group(1) or stored_active.group(2)), "active experts per token"))
    elif experts:
        written = experts.group(1) or experts.group(2)
        stored = _SOURCE_EXPERTS.match(source)
        count = written or (stored.group(1) if stored else None)
        if count is None:
            b.add(f"The catalog gives no expert count for {entry['model']} to multiply by.")
        else:
            factors.append((int(count), "experts"))
    layers = LAYERS_ASKED.search(text)
    if layers:
        written = layers.group(1) or layers.group(2)
        fact = (b.facts.arch_fact(group.arch_family, group.arch_size, "Layers")
                if group is not None and group.arch_family and group.arch_size else None)
        named = _SOURCE_LAYERS.findall(str(entry["source"]))
        count = written or (fact["value_text"] if fact else (named[0] if len(set(named)) == 1 else None))
        if fact is not None and not written:
            b.cite(fact)
        setup = _paper_layers(b, entry, text) if count is None else None
        if setup is not None:  # "shazeer's t5-base setup … encoder + decoder layers": the paper states them
            count = str(setup)
        if count is None:
            b.add(f"The stored evidence gives no layer count for {entry['model']}, so the per-layer figure is not "
                  "multiplied up; give the number of layers to get the total.")
        else:
            factors.append((int(count), "layers"))
    for count, what in factors:
        total = b.computed("arith", {"op": "mul", "operands": [{"number": str(total)}, {"number": count}]},
                           f"{entry['model']}: FFN weights × {count} {what}")["result"]
    if factors:
        times = " × ".join(f"{count} {what}" for count, what in factors)
        where = "" if any(what == "layers" for _, what in factors) else " per layer"
        used = " used per token" if any(what.startswith("active") for _, what in factors) else ""
        b.add(f"Times {times}: **{int(total):,}** FFN weights{where}{used} in {entry['model']} (biases and routers "
              "not counted).")


#: The GLU-variants paper named as the setup whose layers are asked ("shazeer's t5-base setup").
_GLU_PAPER = re.compile(r"\bshazeer\b|\bglu[- ]variants?\b|\b2002\.05202\b", re.IGNORECASE)


def _paper_layers(b: Builder, entry: dict[str, Any], text: str) -> int | None:
    """The layer count the GLU-variants paper states for its T5-base setup (encoder plus decoder), cited, when
    the question asks it of that paper's setup; None otherwise."""
    if not (_GLU_PAPER.search(text) and str(entry["model"]).startswith("T5-base")):
        return None
    fact = b.facts.paper_fact(b.facts.main_paper()["id"], "layers")
    counts = [int(n) for n in re.findall(r"\d+", str(fact["value"]))] if fact else []
    if fact is None or not counts:
        return None
    b.cite(fact)
    b.add(f"The GLU-variants paper's setup has {fact['value']} ({fact['location']}).")
    return sum(counts)


#: "and if dense?", "what about a gated one": the other FFN kind, asked of the same sizes.
KIND_ONLY = re.compile(r"\b(?:dense|ungated|non-gated|plain|gated|glu|swiglu|geglu|reglu)\b")


def rescaled(before: str, follow_up: str) -> str | None:
    """A sizing question asked again with a follow-up's scale or FFN kind ('… weights per layer' … 'and over all
    32 layers?', 'and if dense?'); None when the follow-up adds neither."""
    text = follow_up.lower()
    scale = LAYERS_ASKED.search(text) or EXPERTS_ASKED.search(text) or ACTIVE_ASKED.search(text)
    kind = KIND_ONLY.search(text)
    if not (scale or kind):
        return None
    read = before.rstrip(" ?")
    if kind:  # the follow-up's kind replaces the earlier one
        read = KIND_ONLY.sub(" ", read.lower()) + (" dense" if DENSE.search(text) else " gated")
    if scale:
        read += " " + scale.group(0)
    return " ".join(read.split()) + "?"
