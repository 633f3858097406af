"""A framework's activation call checked against what a catalog model computes ("porting gemma to jax: is
jax.nn.gelu's default fine?").

Why a module of its own: a question naming a model was never read for its framework names, so a port's
question got the model's activation or a formula, not whether the call the asker is about to write computes
that activation. The answer sets the two side by side: the model's function (model catalog), the call's
default (the verified framework names), a yes or no, and the computed size of the difference between the two
GELU forms, which is what a wrong choice costs.
"""

from __future__ import annotations

import re

from app.answers import framework_answer, framework_names
from app.answers.builder import Builder, activation_label
from app.answers.computations import ERROR_GRID, format_sig
from app.answers.entities import Entities
from app.answers.explanations import activation_citation
from app.answers.lexicon import Lexicon
from app.answers.models import GATE_FUNCTION

#: Words of a question about reproducing a model in another framework or with another call.
PORTING = re.compile(r"\bport(?:s|ed|ing)?\b|\bre-?implement\w*|\bconvert\w*|\bto match\b|\bmatch(?:es|ing)?\b|"
                     r"\bsame (?:as|function)\b|\bfine\b|\bsafe\b|\bok(?:ay)?\b|\bneed\b|\bshould i\b|"
                     r"\bweights?\b|\bcheckpoints?\b|\bequivalent\b|\breproduc\w*|\bswap\w*|\breplac\w*|"
                     r"\b(?:to|in|into|for) (?:jax|flax|pytorch|torch|t5x)\b|"
                     r"\b(?:jax|flax|pytorch|torch) (?:port|version)\b")
#: A framework named without a call ("for a flax port of gemma, which gelu setting"): its GELU calls are the
#: candidates, as the verified framework names list them.
FRAMEWORKS = {"JAX / Flax": re.compile(r"\bjax\b|\bflax\b|\bt5x\b"),
              "PyTorch": re.compile(r"\bpytorch\b|\btorch\b")}
GELU_WORD = re.compile(r"\bgelu\b|\bactivation\b|\bapproximate\b")
#: "which one do i need", "x or y": a choice among calls, answered by naming the call to use.
CHOICE = re.compile(r"\bwhich\b|\bwhat\b|\bor\b|\bneed\b|\bshould\b")
#: The two GELU forms whose difference a wrong call introduces.
GELU_FORMS = frozenset({"gelu", "gelu_tanh"})


def detect(question: str, entities: Entities) -> list[str]:
    """The framework names of a porting question that also names a catalog model; else an empty list."""
    if not entities.models or entities.numbers or not PORTING.search(question.lower()):
        return []  # with a number written out ("less than 5e-4?") it is a claim to check, not a port
    named = framework_names.detect(f"what does {question.rstrip(' ?')} compute?")  # asked of the call itself
    if named:
        return named
    lowered = question.lower()
    frameworks = [f for f, pattern in FRAMEWORKS.items() if pattern.search(lowered)]
    if len(frameworks) != 1 or not GELU_WORD.search(lowered):
        return []
    return [str(e["name"]) for e in framework_names.entries() if e["framework"] == frameworks[0]]


def compose(b: Builder, names: list[str], models: list[str], question: str, lexicon: Lexicon) -> None:
    """The model's function, then whether each call's default computes it, then each call as verified."""
    facts = b.facts
    rows = [facts.catalog[m] for name in models if name in lexicon.groups
            for m in lexicon.groups[name].members if m in facts.catalog]
    needed = {GATE_FUNCTION.get(str(r["activation"]), str(r["activation"])) for r in rows}
    entries = [e for e in (framework_names.by_name(n) for n in names) if e is not None]
    if not rows or len(needed) != 1 or not entries:
        framework_answer.compose(b, names, question)
        return
    function = needed.pop()
    for r in rows:
        b.cite(r)
    b.cite(activation_citation(function))
    shown = ", ".join(dict.fromkeys(str(r["model"]) for r in rows[:4]))
    activation = str(rows[0]["activation"])
    inside = f" (its gate computes {activation_label(function)}, `{function}`)" if function != activation else ""
    verdicts = []
    for e in entries:
        default = str(e["activation"])
        same = default == function
        verdicts.append(f"`{e['name']}` ({e['framework']}) computes {activation_label(default)} (`{default}`) by "
                        f"default, {'the same function' if same else 'not the function'} {shown} "
                        f"{'uses' if len(rows) == 1 else 'use'}.")
    matching = [str(e["activation"]) == function for e in entries]
    chosen = [f"`{e['name']}`" for e, same in zip(entries, matching, strict=True) if same]
    choice = bool(CHOICE.search(question.lower()))
    if len(entries) > 1 and chosen and not all(matching) and choice:
        lead = f"Use {' or '.join(chosen)}: "
    elif len(entries) == 1 and choice:
        lead = f"Use {chosen[0]} with its default: " if chosen else "Not with its default: "
    else:
        lead = "Yes: " if all(matching) else "No: " if len(entries) == 1 or not any(matching) else (
            "Not the same function: ")
    b.add(lead + " ".join(verdicts) + f" The model catalog lists `{activation}` for {shown}{inside}.")
    if function in GELU_FORMS and any(str(e["activation"]) in GELU_FORMS for e in entries):
        out = b.computed("approx_error", {"fn": "gelu_tanh", "reference": "gelu", **ERROR_GRID},
                         "max |gelu_tanh − gelu| on [−10, 10]")
        b.cite(activation_citation("gelu"))
        b.cite(activation_citation("gelu_tanh"))
        b.add("Choosing the other GELU form (exact erf instead of the tanh approximation, or the reverse) changes "
              f"each activation by at most **{format_sig(float(out['max_abs_error']), 5)}** (at |x| ≈ "
              f"{format_sig(float(out['x']), 5)}; computed by this service on {ERROR_GRID['points']:,} points of "
              f"[{ERROR_GRID['xmin']:g}, {ERROR_GRID['xmax']:g}]): small, but not the function the weights were "
              "trained with.")
    framework_answer.compose(b, names, question)
