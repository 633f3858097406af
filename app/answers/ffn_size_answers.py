"""Answers about an FFN's size: LLaMA's width rule for a given d_model, what its two sizing fields do,
and a catalog model's d_ff / d_model ratio and FFN weight count.

Why a module of its own: these answers are arithmetic on a model's dimensions (a registered sizing
computation, or a division or product of cited catalog fields), not reads of a paper's table, so they sit
apart from the detection of which derived kind a question is.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers import pasted_sizes
from app.answers.builder import Builder
from app.answers.ffn_widths import moe_layout
from app.answers.lexicon import Lexicon
from app.catalog import EIGHT_THIRDS_TOLERANCE


def compose_hidden_size(b: Builder, d_model: int, multiple_of: int, multiple_of_given: bool,
                        ffn_dim_multiplier: str | None, row: dict[str, Any] | None = None,
                        call: str | None = None, compare: dict[str, Any] | None = None,
                        claimed: int | None = None, stored: dict[str, Any] | None = None) -> None:
    """LLaMA's rule, computed by the sizing calculator and registered so the check re-runs it; ``row`` is the
    catalog model whose d_model the rule is applied to, as a hypothetical; ``call`` a pasted call of the rule
    whose arguments the sizes are, and ``compare`` the catalog model its result is checked against; ``stored``
    names the catalog model whose own stored fields these are (its width is what the rule reproduces)."""
    if row is not None:
        b.cite(row)
        b.add(f"Applying LLaMA's SwiGLU sizing rule to {row['model']}'s d_model, {row['d_model_text']} (model "
              "catalog), as a hypothetical:")
    params = {"d_model": d_model, "multiple_of": multiple_of, "ffn_dim_multiplier": ffn_dim_multiplier}
    out = b.computed("ffn_hidden_size", params, f"LLaMA FFN width for d_model {d_model}")
    d_ff = int(out["d_ff"])
    first = int(out["step_0"])
    lines = [f"The FFN hidden size (intermediate_size) is **{d_ff}** for d_model {d_model}, multiple_of "
             f"{multiple_of}" + (f" and ffn_dim_multiplier {ffn_dim_multiplier}" if ffn_dim_multiplier else "")
             + " (computed with LLaMA's rule)."]
    if call is not None:
        lines[0] = f"`{call}` returns **{d_ff}**: " + lines[0][0].lower() + lines[0][1:]
    if stored is not None:
        lines[0] = _from_stored_fields(b, stored, d_model, d_ff, multiple_of, ffn_dim_multiplier) + lines[0]
    if claimed is not None and claimed == d_ff:  # the width a claim gives, said right or wrong first
        lines[0] = "Yes, that is what the rule gives. " + lines[0]
    elif claimed is not None:
        # the asker's number, registered as the stated number it is, so that it is shown as theirs
        b.computed("arith", {"op": "add", "operands": [{"number": claimed}]}, "the width the question claims")
        lines[0] = f"No: the rule gives {d_ff}, not {claimed}. " + lines[0]
    if compare is not None:
        lines.insert(1, _against_catalog(b, compare, d_model, d_ff))
    steps = [f"two-thirds of four times d_model, truncated, gives {first}"]
    if ffn_dim_multiplier:
        steps.append(f"times ffn_dim_multiplier {ffn_dim_multiplier}, truncated, gives {int(out['step_1'])}")
    steps.append(f"rounded up to a multiple of {multiple_of} gives {d_ff}")
    lines.append("Steps: " + "; ".join(steps) + ".")
    if not multiple_of_given:
        lines.append(f"multiple_of was not given, so LLaMA's default {multiple_of} was used.")
    lines.append("Try other values in the [FFN sizing calculator](/sizing).")
    b.add(" ".join(lines[:1]))
    for line in lines[1:]:
        b.add(line)


def _from_stored_fields(b: Builder, stored: dict[str, Any], d_model: int, d_ff: int, multiple_of: int,
                        multiplier: str | None) -> str:
    """'Llama 2 70B gets 28672 from LLaMA's rule with its stored fields: …': the model's catalog width, and the
    fields (cited where they are stored) that give it."""
    row = b.facts.catalog.get(str(stored.get("model")))
    citation = stored.get("citation")
    if row is None:
        return ""
    b.cite(row)
    if isinstance(citation, dict):
        b.cite(citation)
    same = str(row["d_ff_text"]).replace(",", "") == str(d_ff)
    fields = (f"ffn_dim_multiplier {multiplier} and " if multiplier else "") + f"multiple_of {multiple_of}"
    verdict = "lands on" if same else "does not land on"
    where = "its model catalog source" if not isinstance(citation, dict) or citation.get("kind") == "catalog" else (
        f"[{citation.get('label', '')!s}]({citation.get('url', '')})")
    return (f"**{row['model']}** {verdict} its intermediate_size {row['d_ff_text']} (model catalog) through LLaMA's "
            f"FFN sizing rule on d_model {d_model} with {fields}, the fields stored for it ({where}). ")


def _against_catalog(b: Builder, row: dict[str, Any], d_model: int, d_ff: int) -> str:
    """Whether a computed width is the catalog model's, with its d_model (the input the rule started from)."""
    b.cite(row)
    stored = str(row["d_ff_text"]).replace(",", "")
    same = stored == str(d_ff)
    start = "" if str(row["d_model_text"]).replace(",", "") == str(d_model) else (
        f" (its d_model is {row['d_model_text']}, not {d_model})")
    verdict = "Yes, it matches" if same else "No, it does not match"
    return (f"{verdict}: {row['model']}'s FFN width in the model catalog is {row['d_ff_text']}, d_model "
            f"{row['d_model_text']}{start}.")


def compose_sizing_rule(b: Builder) -> None:
    """What ``ffn_dim_multiplier`` and ``multiple_of`` do in LLaMA's FFN sizing, in words (the same steps
    :func:`compose_hidden_size` computes when a d_model is given), pointing to the calculator for numbers."""
    b.add("In LLaMA's FeedForward code the FFN width (intermediate_size) is derived from d_model in three steps: "
          "start from two-thirds of four times d_model, truncated; if `ffn_dim_multiplier` is set, multiply by it "
          "and truncate again (it widens or narrows the layer); then round up to a multiple of `multiple_of` "
          "(a hardware-friendly width). Neither field changes the activation, only the width of the SwiGLU layer.")
    b.add("Give d_model (and the two fields) to get the width computed, or try values in the "
          "[FFN sizing calculator](/sizing).")


def _catalog_rows(b: Builder, lexicon: Lexicon, models: list[str], question: str) -> list[str]:
    """The catalog entries the question names: a family's members named in full, else its first four."""
    rows = []
    for name in models:
        group = lexicon.groups.get(name)
        members = [m for m in (group.members if group else [name]) if m in b.facts.catalog]
        named = [m for m in members if m.lower() in question.lower()]
        rows += named or members[:4]
    return list(dict.fromkeys(rows))


def compose_ffn_ratio(b: Builder, lexicon: Lexicon, models: list[str], question: str,
                      claim: list[int | float] | None = None) -> None:
    """d_ff / d_model from the catalog: a ratio users ask for is a division of two cited fields; a ratio the
    question claims ("is that 8/3?") is answered yes or no first, against the same division."""
    rows = _catalog_rows(b, lexicon, models, question)
    if not rows:
        b.add("That model is not in the catalog, so its FFN size is not in the stored evidence.")
        return
    for model in rows:
        entry = b.facts.catalog[model]
        b.cite(entry)
        params = {"op": "div", "operands": [{"citation": entry, "field": "d_ff_text"},
                                            {"citation": entry, "field": "d_model_text"}]}
        ratio = b.computed("arith", params, f"{model}: d_ff / d_model")["result"]
        division = f"{entry['d_ff_text']} / {entry['d_model_text']} = **{float(ratio):.4g}**"
        if claim:
            b.add(_against_claim(b, model, division, ratio, claim))
            continue
        b.add(f"**{model}**: d_ff / d_model = {division} (computed from the catalog).")


def _against_claim(b: Builder, model: str, division: str, ratio: Any, claim: list[int | float]) -> str:
    """'No: X's d_ff / d_model is …, not 8/3 (≈ 2.667)': the claimed ratio, computed, against the model's; within
    the catalog's tolerance for rounding to a multiple it counts as the claimed one."""
    numerator, denominator = claim
    claimed = b.computed("arith", {"op": "div", "operands": [{"number": numerator}, {"number": denominator}]},
                         "the claimed d_ff / d_model")["result"]
    written = f"{numerator}/{denominator} (≈ {float(claimed):.4g})" if denominator != 1 else f"{numerator}×"
    if ratio == claimed:
        return f"Yes: **{model}**'s d_ff / d_model is {division}, exactly {written} (computed from the catalog)."
    if abs(ratio / claimed - 1) <= Decimal(str(EIGHT_THIRDS_TOLERANCE)):
        return (f"Yes, about {written}: **{model}**'s d_ff / d_model is {division} (computed from the catalog), "
                "within rounding to a multiple.")
    return f"No: **{model}**'s d_ff / d_model is {division}, not {written} (computed from the catalog)."


def compose_ffn_params(b: Builder, lexicon: Lexicon, models: list[str], question: str) -> None:
    """Weights of one FFN layer: 3 · d_model · d_ff for a gated layer, 2 · d_model · d_ff for a dense one."""
    if not models:
        b.add("That names neither a model nor the sizes of its FFN (d_model and d_ff), so there is no FFN to count "
              "the weights of.")
        return
    rows = _catalog_rows(b, lexicon, models, question)
    if not rows and not any([_from_report_facts(b, lexicon, m) for m in models]):
        b.add("That model is not in the catalog, so its FFN size is not in the stored evidence.")
        return
    for model in dict.fromkeys(rows):
        entry = b.facts.catalog[model]
        gated = entry["ffn_type"] == "gated"
        matrices = 3 if gated else 2
        b.cite(entry)
        params = {"op": "mul", "operands": [{"citation": entry, "field": "d_model_text"},
                                            {"citation": entry, "field": "d_ff_text"}, {"number": matrices}]}
        total = b.computed("arith", params, f"{model}: {matrices} · d_model · d_ff")["result"]
        kind = "gated: gate, up and down projections" if gated else "dense: up and down projections"
        per_expert = "per expert" in moe_layout(entry)  # an MoE row whose width is one expert's
        unit = "per expert (one expert's FFN in each layer)" if per_expert else "per layer"
        b.add(f"**{model}** has **{int(total):,}** FFN weights {unit}: {matrices} matrices ({kind}) of "
              f"d_model × d_ff = {entry['d_model_text']} × {entry['d_ff_text']}, biases not counted (computed "
              "from the catalog).")
        pasted_sizes.scale_totals(b, entry, lexicon.groups.get(model), total, question)
        if gated and DENSE_4X.search(question):
            _against_dense_4x(b, entry, total)


def _from_report_facts(b: Builder, lexicon: Lexicon, model: str) -> bool:
    """A report family's size with no catalog row ("gemma 2b"): 3 · d_model · intermediate_size from its stored
    architecture facts, when the report names a gated activation; False when they do not give both sizes."""
    group = lexicon.groups.get(model)
    if group is None or not group.arch_family or not group.arch_size:
        return False
    facts = {p: f for (family, size, p), f in b.facts.arch.items() if (family, size) == (group.arch_family,
                                                                                         group.arch_size)}
    d_model, width = facts.get("d_model"), facts.get("HF intermediate_size")
    gated = any("glu" in str(f["value_text"]).lower() for p, f in facts.items() if "activation" in p.lower()
                or "linearity" in p.lower())
    if d_model is None or width is None or not gated or not all(
            str(f["value_text"]).isdigit() for f in (d_model, width)):
        return False
    b.cite(d_model)
    b.cite(width)
    total = b.computed("arith", {"op": "mul", "operands": [{"citation": d_model}, {"citation": width},
                                                           {"number": 3}]}, f"{model}: 3 · d_model · intermediate_size")
    doubled = str(2 * int(width["value_text"]))
    reported = [f for p, f in facts.items() if "feedforward" in p.lower() and str(f["value_text"]) == doubled]
    note = (f"; the report's feed-forward dimension, {doubled}, counts the gate and up branches together, so it is "
            "not the width to use") if reported else ""
    for fact in reported:
        b.cite(fact)
    b.add(f"**{model}** has **{int(total['result']):,}** FFN weights per layer: 3 matrices (gated: gate, up and down "
          f"projections) of d_model × intermediate_size = {d_model['value_text']} × {width['value_text']}, biases not "
          f"counted (computed from {group.arch_family}'s stored architecture facts{note}).")
    return True


#: "… or a dense 4x mlp", "vs a plain 4·d_model ffn": the ungated layer of four times d_model set beside it.
DENSE_4X = re.compile(r"\bdense\b.{0,25}\b(?:4\s*[x×*·]|four times|4 ?d\b)|\b4\s*[x×*·]\s*(?:d_model|d\b|mlp|ffn|"
                      r"expansion|width)|\bfour times d_model\b|\b4d\b", re.IGNORECASE)


def _against_dense_4x(b: Builder, entry: dict[str, Any], gated_total: Any) -> None:
    """A gated row's layer against the dense layer of width 4·d_model at the same d_model: which has more."""
    width = b.computed("arith", {"op": "mul", "operands": [{"citation": entry, "field": "d_model_text"},
                                                           {"number": 4}]},
                       f"four times {entry['model']}'s d_model")["result"]
    dense = b.computed("arith", {"op": "mul", "operands": [{"citation": entry, "field": "d_model_text"},
                                                           {"number": str(width)}, {"number": 2}]},
                       "a dense FFN of that width: two matrices of d_model × width")["result"]
    more = "the gated layer" if gated_total > dense else "the dense layer" if dense > gated_total else "neither"
    b.add(f"A dense FFN four times d_model wide ({int(width):,}) at the same d_model has two matrices of "
          f"{entry['d_model_text']} × {int(width):,}: **{int(dense):,}** weights per layer, so {more} has more.")
