"""Direct answers read off catalog rows set side by side or taken apart: whether models use the same FFN
activation, which came out first, and how wide one expert of an MoE model is.

Why a module of its own: each is a one-sentence answer put before the rows the model answers list (the rows
alone leave the reader to compare them), and none needs the rest of the model answers' machinery.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import moe_sizes
from app.answers.builder import Builder
from app.answers.intents import SAME_AS
from app.answers.lexicon import ModelGroup

#: An MoE question about its experts ("how wide is each one" in a thread about them, "each expert's width").
EXPERTS_ASKED = re.compile(r"\bexperts?\b|\beach one\b|\beach of them\b|\bper token\b|\bactive\b|\brouted\b",
                           re.IGNORECASE)


def expert_line(row: dict[str, Any], keys: list[str], question: str) -> str:
    """The width asked of an MoE row's experts ("how wide is each one") as a direct answer ('' for a dense row or
    a question not about its experts' width): each expert's width, not a leading dense layer's, with the counts."""
    layout = moe_sizes.stored_layout(row)
    # the counts alone are the row's own note, shown whole; a width asked of the experts is one expert's
    if layout is None or not EXPERTS_ASKED.search(question) or "ff" not in keys or "experts" in keys:
        return ""
    counts = [f"d_model {row['d_model_text']}"] if "d_model" in keys else []  # "hidden_size and per-expert …"
    if layout.routed:
        counts.append(f"{layout.routed} routed experts" + (f" (plus {layout.shared} shared)" if layout.shared else ""))
    if layout.active:
        counts.append(f"{layout.active} active per token")
    if layout.width:
        counts.append(f"each expert {layout.width} wide (its intermediate size)")
    if len(counts) == ("d_model" in keys):
        return ""
    return f"- {row['model']}: " + ", ".join(counts) + " (model catalog)"


def release_order(rows: list[dict[str, Any]]) -> str:
    """The answer to "which is older": the earliest year's models first, or a tie, which years alone cannot
    break (the catalog holds release years, not dates)."""
    years = sorted({int(r["year"]) for r in rows})
    if len(years) == 1:
        both = "Both" if len(rows) == 2 else "All of them"
        return f"{both} came out in {years[0]}; the catalog holds release years, not dates, so it cannot order them."
    ordered = sorted(rows, key=lambda r: int(r["year"]))
    return "Oldest first: " + ", then ".join(f"{r['model']} ({r['year']})" for r in ordered) + "."


def same_activation(b: Builder, groups: list[ModelGroup], question: str) -> str:
    """Whether the models named use the same FFN activation, said first ('' unless two or more models are asked
    to be the same or different); a family with members that differ counts as each member."""
    groups = list({tuple(g.members): g for g in groups}.values())  # two names of one model count once
    if len(groups) < 2 or not SAME_AS.search(question):
        return ""
    used = [{str(b.facts.catalog[m]["activation"]) for m in g.members if m in b.facts.catalog} for g in groups]
    if any(not u for u in used):
        return ""
    if all(u == used[0] for u in used) and len(used[0]) == 1:
        return f"Yes: {' and '.join(g.name for g in groups)} use the same FFN activation, `{next(iter(used[0]))}`."
    return "No: " + "; ".join(f"{g.name} uses {', '.join(f'`{a}`' for a in sorted(u))}"
                             for g, u in zip(groups, used, strict=True)) + "."


#: "… instead of swiglu like llama", "unlike mistral, …": a model named as the comparison, not the one asked about.
COMPARED_WITH = re.compile(r"\b(?:like|unlike|as (?:in|with|does|did)|similar to|same as|compared to)\s+(?:the\s+)?"
                           r"(?P<name>[\w.\- ]{2,30}?)(?=\s*(?:[,?!.;]|\b(?:does|did|do|uses?|used)\b|$))",
                           re.IGNORECASE)


def asked_about(question: str, matches: list[dict[str, str]]) -> set[str]:
    """The models a why-question asks about: those it names, less those it names only as a comparison
    ('why did google go with geglu in gemma instead of swiglu like llama' asks about Gemma); empty where
    it names no comparison."""
    compared = {m.group("name").strip().casefold() for m in COMPARED_WITH.finditer(question)}
    models = [m for m in matches if m.get("kind") == "model"]
    if not compared or not models:
        return set()
    return {m["value"] for m in models if m["text"].casefold() not in compared}
