"""FFN widths read with what they are the width of: a mixture-of-experts row's expert layout, a fused
gate+up width, a configuration's per-branch value against a report's, a width stated for checking.

Why its own module: a width is the number most often misread (one expert's or a dense layer's, one branch
or both), and these checks hold the rules for reading one, apart from the composers that list widths.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from app.answers.builder import Builder
from app.answers.intents import Intent
from app.answers.lexicon import ModelGroup

#: A catalog verification note that hedges the row ("activation inferred …", "UNVERIFIED", "single-source").
HEDGED = re.compile(r"UNVERIFIED|\binferred\b|single-source", re.IGNORECASE)


#: A mixture-of-experts row: its source opens with the expert layout ("MoE: 8 experts, top-2; d_ff column is …").
MOE_SOURCE = re.compile(r"^\s*MoE:\s*")
#: The later clauses of that layout: what the width column holds (one expert's, or a leading dense layer's).
WIDTH_CLAUSE = re.compile(r"\bd_ff column\b|\bdense layers?\b|\bcarries intermediate_size\b")
#: An MoE row whose FFN width column is a leading dense layer's, not an expert's.
DENSE_FIRST = re.compile(r"\bdense layers?\b")
EVERY_LAYER = re.compile(r"\b(?:every|each|all(?: the)?|in all) (?:layers?|blocks?)\b|\beverywhere\b", re.IGNORECASE)


def moe_note(model: dict[str, Any]) -> str:
    """The expert layout of a mixture-of-experts row, so a width is never read without what it is the width of
    (Qwen3-30B-A3B's 768 is one expert's; DeepSeek-V3's 18432 is its first dense layers', its experts' 2048)."""
    return f"; {layout}" if (layout := moe_layout(model)) else ""


def moe_layout(model: dict[str, Any]) -> str:
    """The expert-layout clauses that open an MoE row's source, '' for a dense-FFN model."""
    source = str(model.get("source", ""))
    found = MOE_SOURCE.match(source)
    if found is None:
        return ""
    clauses = source[found.end():].split("; ")
    kept = [clauses[0], *itertools.takewhile(lambda c: bool(WIDTH_CLAUSE.search(c)), clauses[1:])]
    return "; ".join(c.strip() for c in kept)


def key_wants(keys: list[str], wanted: tuple[str, ...]) -> bool:
    return any(k in wanted for k in keys)


#: The per-branch field named: a doubled width is then wrong even where a report prints it.
PER_BRANCH = re.compile(r"\bintermediate[_ ]size\b|\bconfig\b|\bhf\b|\bhugging ?face\b|\bper[- ]branch\b",
                        re.IGNORECASE)


def _doubled_widths(b: Builder, groups: list[ModelGroup], numbers: list[float], out: list[str]) -> list[str]:
    """'phi-3's gate_up_proj is 16384 wide, so intermediate_size is 16384?': a stated width that is twice a
    gated model's catalog d_ff is the gate and up projections side by side, not one branch's width (a report
    that prints the doubled width, Gemma's, is quoted as such, not contradicted)."""
    shown = "\n".join(out)
    lines = []
    for group in groups:
        for name in group.members:
            row = b.facts.catalog.get(name)
            if row is None or row["ffn_type"] != "gated" or not str(row["d_ff_text"]).replace(",", "").isdigit():
                continue
            d_ff = int(str(row["d_ff_text"]).replace(",", ""))
            if not any(n == 2 * d_ff for n in numbers):
                continue
            b.cite(row)
            both = b.computed("arith", {"op": "mul", "operands": [{"citation": row, "field": "d_ff_text"},
                                                                  {"number": 2}]}, f"{name}: 2 · d_ff")["result"]
            printed = re.search(rf"(?<![\d,]){int(both)}(?![\d,])", shown) is not None
            lead, how = ("", ", as the report prints it") if printed else ("No: ", "")
            lines.append(f"{lead}{int(both)} is 2 × {d_ff}, the gate and up projections of {name} side by side (a "
                         f"fused or concatenated gate+up width{how}); the per-branch width, `intermediate_size`, is "
                         f"**{d_ff}** (model catalog).")
    return lines


#: The question places the value in a released configuration, not in the report ("… in config.json too?").
CONFIG_WORD = re.compile(r"\bconfig(?:uration)?(?:\.json)?\b|\bhf\b|\bhugging ?face\b|\btransformers\b|"
                         r"\bintermediate_size\b|\bvocab_size\b|\bhidden_size\b", re.IGNORECASE)
_VALUE = re.compile(r"(?<![\w.])\d[\d,]{2,}(?![\w])")


def config_differs(question: str, lines: list[str]) -> bool:
    """'gemma 2 vocab is 256128 in config.json too?', 'is gemma-2-27b's intermediate_size 73728 in the HF
    config?': the stated value is the report's, and the configuration lines shown hold another one."""
    stated = {v.replace(",", "") for v in _VALUE.findall(question)}
    config = [line for line in lines if ", HF " in line]
    if not (stated and config and CONFIG_WORD.search(question)):
        return False
    values = {v.replace(",", "") for line in config for v in _VALUE.findall(line.split(": ", 1)[-1].split(" (")[0])}
    return not stated <= values


def hedge_note(model: dict[str, Any]) -> str:
    """The catalog's verification note where it hedges a row (a single-source width, an inferred activation)."""
    verified = str(model.get("verified", ""))
    return f" — verification: {verified}" if HEDGED.search(verified) else ""


#: A hedge note at the end of a line shown (what :func:`hedge_note` appends).
_HEDGE_TAIL = re.compile(r" — verification: .*$", re.MULTILINE)


def values_shown(lines: list[str]) -> str:
    """The lines shown without their verification notes, for checking a stated value: a note may quote the
    wrong value a model card prints ("the model card prints 14,436"), which is no stored value."""
    return _HEDGE_TAIL.sub("", "\n".join(lines))


#: "which is wider, llama 3 70b or qwen2.5-32b": two or more models' FFN widths set against each other.
WIDER = re.compile(r"\bwider\b|\bwidest\b|\bnarrower\b|\bnarrowest\b|\b(?:bigger|larger|smaller) (?:ffn|mlp|d_ff)\b|"
                   r"\b(?:ffn|mlp|d_ff) (?:is )?(?:bigger|larger|smaller)\b", re.IGNORECASE)


#: "have the exact same ffn width?", "is the d_ff identical", "did llama 3 change it": the widths set equal.
SAME = re.compile(r"\bsame\b|\bidentical\b|\bequal\b|\bdiffer(?:ent|s)?\b|\bchanged?\b", re.IGNORECASE)
WIDTH_WORD = re.compile(r"\bwidths?\b|\bwide\b|\bd_ff\b|\bintermediate[_ ]size\b|\b(?:ffn|mlp) (?:sizes?|dims?)\b|"
                        r"\bhidden[_ ](?:dim|size)\b", re.IGNORECASE)


def _wider(b: Builder, groups: list[ModelGroup], question: str) -> list[str]:
    """The widest FFN among the catalog rows of the models named, first, when the question asks which is wider;
    whether their widths are the same, first, when it asks that."""
    wider = bool(WIDER.search(question))
    if not wider and not (SAME.search(question) and WIDTH_WORD.search(question)):
        return []
    rows = [b.facts.catalog[n] for g in groups for n in g.members if n in b.facts.catalog]
    widths = [(str(r["d_ff_text"]).replace(",", ""), r) for r in rows]
    sized = [(int(text), r) for text, r in widths if text.isdigit()]
    if len({r["model"] for _, r in sized}) < 2:
        return []
    if not wider:
        names = " and ".join(dict.fromkeys(r["model"] for _, r in sized))
        if len({w for w, _ in sized}) == 1:
            return [f"Yes: {names} have the same FFN width, d_ff **{sized[0][0]}** (model catalog"
                    + ("; MoE rows give one expert's width" if any(moe_layout(r) for _, r in sized) else "") + ")."]
        return ["No: the FFN widths differ: " + "; ".join(f"{r['model']} d_ff **{w}**" for w, r in sized)
                + " (model catalog)."]
    width, widest = max(sized, key=lambda p: p[0])
    return [f"Widest FFN: **{widest['model']}**, d_ff {width} (model catalog; MoE rows give one expert's width)."]


#: "is mistral 7b d_ff 11008?", "qwen3-8b ffn = 22016?": a size stated for checking.
STATED_CHECK = re.compile(r"^\s*(?:is|are|does|do|was|has|have)\b|=|\b(?:right|correct|true)\s*\??\s*$|"
                          r"^(?!\s*(?:what|which|wich|how|why|who|where|when|whats)\b)[^?]*\?+\s*$", re.IGNORECASE)


def _stated_elsewhere(intent: Intent, out: list[str]) -> bool:
    """Whether a yes/no question states a width that none of the stored values shown is."""
    stated = [n for n in intent.slots.numbers if n >= 64 and float(n).is_integer()]
    if not stated or not STATED_CHECK.search(intent.question):
        return False
    shown = {float(t.replace(",", "")) for t in re.findall(r"(?<![\w.])\d[\d,]*(?![\w.])", values_shown(out))}
    return not any(n in shown for n in stated)
