"""The derived answers' texts for a bound on a derivative and for the specific declines (a model, benchmark or
activation the store does not hold, a false premise, and the claims decided by stored notes or counts).

Why a module of its own: :mod:`app.answers.derived` reads which kind a question is; these compose the kinds whose
answer is a refusal or a short verdict, each from the stored evidence it names.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers import (
    benchmark_lengths,
    config_defaults,
    declines,
    family_members,
    misplaced_values,
    other_paper_steps,
    size_claims,
    unknown_functions,
    unreported,
    width_premise,
)
from app.answers.builder import Builder, activation_label
from app.answers.computations import ERROR_GRID, activation_value, format_sig
from app.answers.explanations import activation_citation
from app.answers.lexicon import Lexicon
from app.answers.tables import describe, direction


def compose_derivative_bound(b: Builder, fn: str, bound: float, which: str) -> None:
    """Whether f′ ever exceeds (or drops below) ``bound``: decided by f′'s extremum, computed."""
    b.cite(activation_citation(fn))
    grid = {"xmin": ERROR_GRID["xmin"], "xmax": ERROR_GRID["xmax"]}
    out = b.computed("derivative_extremum", {"fn": fn, "which": which, "bound": bound, **grid},
                     f"{which} of {fn}′ on [−10, 10]")
    value, where = float(out["value"]), float(out["x"])
    crosses = value > bound if which == "maximum" else value < bound
    verb = "exceed" if which == "maximum" else "drop below"
    label = activation_label(fn)
    answer = "Yes" if crosses else "No"
    plateau = activation_value(fn, where + 0.25, 1) == value  # ReLU: f′ = 1 for every x > 0, no single peak
    at = " on a plateau, not at one point" if plateau else f" at x ≈ {format_sig(where, 4)}"
    b.add(f"{answer}: {label}'s derivative {'does' if crosses else 'does not'} {verb} {bound:g}. Its "
          f"{which} is {format_sig(value, 5)}{at} (computed on [−10, 10]).")
    b.attachments.append({"kind": "curve", "functions": [fn], "xmin": -4.0, "xmax": 4.0, "title": fn})


def compose_decline(b: Builder, inputs: dict[str, Any], lexicon: Lexicon | None = None) -> None:
    """A specific decline: name what was asked for and what the store does hold instead."""
    if inputs["what"] == "unreported":
        unreported.compose(b, inputs)
        return
    if inputs["what"] == "width_premise" and lexicon is not None:
        width_premise.compose(b, inputs, lexicon.groups)
        return
    if inputs["what"] == "config_defaults":
        config_defaults.compose(b, inputs)
        return
    if inputs["what"] == "misplaced_values":
        misplaced_values.compose(b, inputs)
        return
    if inputs["what"] == "other_paper_steps":
        other_paper_steps.compose(b, inputs)
        return
    if inputs["what"] == "unknown_function":
        unknown_functions.compose(b, inputs)
        return
    if inputs["what"] == "benchmark_steps":
        benchmark_lengths.compose(b, inputs)
        return
    if inputs["what"] == "param_claim":
        size_claims.compose(b, inputs["larger"])
        return
    name = inputs["name"][:1].upper() + inputs["name"][1:]
    b.quoted_names.append(name)
    if inputs["what"] == "model":
        asked = list(dict.fromkeys(inputs.get("asked", [])))
        for activation_id in asked:  # what the question did name that the store holds
            b.cite(activation_citation(activation_id))
        _decline_model(b, name, asked)
    elif inputs["what"] == "benchmark":
        name = f"“{name}”" if re.search(r"\d", name) else name  # the asker's wording, digits and all
        if inputs.get("author"):  # "dauphin et al's gated cnn on billion word": another paper's result
            b.add(f"{inputs['author']} et al.'s results are not in the stored evidence, and neither stored paper "
                  f"reports {name}: the stored results are the GLU-variants paper's (C4 log-perplexity, GLUE, "
                  "SuperGLUE, SQuAD) and Narang et al.'s Table 1.")
            return
        if inputs.get("paper") == "second":
            b.add(f"{name} is not in the stored evidence: Narang et al.'s Table 1 reports pre-training loss, "
                  "SuperGLUE, XSum, WebQuestions and WMT En-De translation.")
        elif inputs.get("perplexity"):
            b.add(f"The GLU-variants paper reports C4 only for perplexity (held-out log-perplexity on its C4 shard); "
                  f"{name} is not in the stored evidence.")
        else:
            b.add(f"{name} is not in the stored evidence: the GLU-variants paper's fine-tuning results are GLUE, "
                  "SuperGLUE and SQuAD.")
    elif inputs["what"] == "premise":
        compose_false_premise(b, inputs["name"], inputs["columns"])
    elif inputs["what"] in declines.KINDS:
        declines.compose(b, inputs)
    else:
        variants = ", ".join(sorted(b.facts.variants))
        b.cite(activation_citation(name))  # its label may carry a constant ("ELU (α = 1)")
        b.add(f"The GLU-variants paper has no {activation_label(name)} variant: it is not one of its FFN "
              f"variants, so its results are not in the stored evidence; the variants are {variants}.")


def _decline_model(b: Builder, name: str, asked: list[str]) -> None:
    """An unknown model named, with its family's stored members by name when the catalog holds some."""
    text = (f"“{name}” is not in the catalog, so I cannot say which activation or FFN sizes it has; the stored "
            "evidence covers the catalog's models and the two papers.")
    family = family_members.stored_members(name, b.facts.catalog)
    if family is not None:
        members = ", ".join(family[1])
        which = "it is a different model, so its sizes are" if len(family[1]) == 1 else (
            "they are different models, so their sizes are")
        b.add(f"{text} Of the {family[0]} family the catalog holds {members}; {which} no answer for “{name}”.")
        return
    example = activation_label(asked[0]) if asked else "GeGLU"
    b.add(f"{text} Ask \"which models use {example}?\" for the catalog's answer.")


def compose_false_premise(b: Builder, variant: str, columns: list[tuple[str, str, int]]) -> None:
    """Name the premise that does not hold, with the column's actual best and the variant's own cell."""
    lines = []
    for column in columns[:3]:
        cells = b.facts.column_cells(*column)
        best = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=cells[0].higher_is_better)[0]
        own = next((c for c in cells if c.row == variant), None)
        line = f"- {describe(best)} ({direction(best)}): **{best.row}** is best at {b.value(best)}"
        if own is not None:
            line += f"; {variant} has {b.value(own)}"
        lines.append(line + ".")
    b.add(f"The premise does not hold: {variant} is not the best variant in the GLU-variants paper for what "
          "you asked about.\n\n" + "\n".join(lines))
