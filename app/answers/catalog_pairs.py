"""Two catalog models' widths set against each other: how many times one is the other, and by how much.

Why its own module: the architecture answer lists each model's row, and the FFN-ratio answer divides two
fields of one row; a question about two models ("how much wider is llama 3 70b's ffn than llama 3 8b's",
or "ratio between the two?" after one answer each) divides the same field of two rows, which neither does.
Both results are registered computations on the cited rows, so every number shown is grounded.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import models
from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Facts
from app.answers.ffn_widths import moe_layout
from app.answers.intents import Intent
from app.answers.lexicon import Lexicon, ModelGroup

#: Words that set two sizes against each other ("how many times wider", "ratio", "difference", "gap").
PAIR_WORDS = re.compile(r"\bratios?\b|\bquotient\b|\bhow many times\b|\btimes (?:as )?(?:wide|wider|big|bigger|large|"
                        r"larger)\b|\bdivided by\b|\bdifferences?\b|\bgap\b|\bhow much (?:wider|bigger|larger|narrower|"
                        r"smaller)\b|\b(?:wider|narrower|bigger|smaller|larger) than\b", re.IGNORECASE)
#: A question about the models' d_model rather than their FFN width.
D_MODEL = re.compile(r"\bd_model\b|\bhidden[_ ]size\b|\bmodel dim\w*\b|\bembedding (?:size|dim)\b", re.IGNORECASE)
FFN = re.compile(r"\bd_ff\b|\bffns?\b|\bmlps?\b|\bintermediate|\bfeed[- ]?forward\b|\bwidths?\b|\bwider\b|\bnarrower\b",
                 re.IGNORECASE)


def pair_rows(groups: list[ModelGroup], facts: Facts) -> list[dict[str, Any]]:
    """The catalog rows of two models named, one row each (a family with several rows names no one row)."""
    rows = []
    for group in groups:
        members = [m for m in group.members if m in facts.catalog]
        if len(members) != 1:
            return []
        rows.append(facts.catalog[members[0]])
    distinct = list({r["model"]: r for r in rows}.values())
    return distinct if len(distinct) == 2 else []


def asks_pair(text: str, entities: Entities, facts: Facts | None) -> bool:
    return facts is not None and bool(PAIR_WORDS.search(text)) and bool(pair_rows(list(entities.models), facts))


def compose_pair(b: Builder, intent: Intent, lexicon: Lexicon) -> None:
    """The same field of two catalog rows: the first over the second, and the first minus the second."""
    rows = pair_rows([lexicon.groups[m] for m in dict.fromkeys(intent.slots.models) if m in lexicon.groups], b.facts)
    if not rows:  # "… and qwen3-8b?" after a pair names one model: its sizes, as the architecture answer gives them
        models.compose_architecture(b, intent, lexicon)
        return
    field = "d_model_text" if D_MODEL.search(intent.question) and not FFN.search(intent.question) else "d_ff_text"
    label = "d_model" if field == "d_model_text" else "FFN hidden size"
    first, second = rows
    for row in rows:
        b.cite(row)
    operands = [{"citation": first, "field": field}, {"citation": second, "field": field}]
    ratio = b.computed("arith", {"op": "div", "operands": operands},
                       f"{first['model']} / {second['model']}, {label}")["result"]
    gap = b.computed("arith", {"op": "absdiff", "operands": operands},
                     f"|{first['model']} − {second['model']}|, {label}")["result"]
    larger = first if ratio >= 1 else second
    b.add(f"{label}: **{first['model']}** {first[field]} vs **{second['model']}** {second[field]} (model catalog): "
          f"{first['model']} / {second['model']} = **{float(ratio):.4g}**, and {larger['model']}'s is larger by "
          f"**{int(gap):,}** (computed from the catalog).")
    per_expert = [r["model"] for r in rows if moe_layout(r)]
    if per_expert and field == "d_ff_text":
        b.add(f"The width of {', '.join(per_expert)} is one expert's (a mixture-of-experts row).")
