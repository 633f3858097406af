"""Which stored report-table parameters a question's architecture fields read, and the counts derived from them.

Why apart from the model answers: a field asked by its config name ("num_key_value_heads", "head_dim") or one
of a report's two parameter counts ("non-embedding") must read exactly the parameters it names — not the
neighbouring count — and a whole model's count is the sum of the two, computed from the cited cells.
"""

from __future__ import annotations

import re

from app.answers.builder import Builder
from app.answers.lexicon import ModelGroup

ARCH_PARAMETERS = {
    "layers": ("Layers",), "d_model": ("d_model",),
    "ff": ("Feedforward dim (paper)", "Feedforward hidden dims (paper)", "HF intermediate_size"),
    "heads": ("Num heads",), "kv": ("Num KV heads", "Head type"), "vocab": ("Vocab size", "HF vocab_size"),
    "context": ("Context length", "Global attention span"), "window": ("Sliding window",),
    "head_size": ("Head size",), "tokens": ("Training tokens",),
    "params": ("Embedding parameters", "Non-embedding parameters"), "norm": ("Pre-norm", "Post-norm"),
    "attn_scalar": ("HF query_pre_attn_scalar",), "softcap": ("Attention logit soft-cap", "Final logit soft-cap"),
    "vision": ("Vision encoder parameters",), "tied": ("Tied embedding",),
}


def never_stored(keys: list[str]) -> bool:
    """Whether every field asked is one that no report table or catalog row holds for any model (RoPE base,
    norm epsilon, bias settings): the catalog's widths are then no part of the answer, and printing them beside
    the decline would read as the value asked for."""
    return bool(keys) and all(key not in ARCH_PARAMETERS and key != "experts" for key in keys)


#: How a declined architecture field is named (the field asked, not a neighbouring stored value).
ARCH_LABELS = {"layers": "number of layers", "d_model": "d_model", "ff": "FFN width", "heads": "attention head count",
               "kv": "key-value head count", "vocab": "vocabulary size", "context": "context length",
               "window": "sliding window", "head_size": "head size (head_dim)", "tokens": "number of training tokens",
               "params": "parameter count", "norm": "normalization layout", "experts": "expert layout",
               "attn_scalar": "query_pre_attn_scalar", "softcap": "logit soft-cap",
               "vision": "vision encoder size", "rope": "RoPE base (rope_theta) or scaling",
               "eps": "normalization epsilon", "tied": "embedding tying setting",
               "bias": "attention or MLP bias setting"}


#: "non-embedding param count", "embedding parameters": one of the two counts a report's table splits.
NON_EMBEDDING = re.compile(r"\bnon[- ]?embedding\b|\bexcluding (?:the )?embeddings?\b|\bwithout (?:the )?embeddings?\b",
                           re.IGNORECASE)
EMBEDDING_ONLY = re.compile(r"(?<!non-)(?<!non )(?<!non)\bembedding (?:param|weight)|\bembeddings? (?:alone|only)\b",
                            re.IGNORECASE)


#: "intermediate_size" is the Hugging Face config's field (one branch), not the report's doubled width …
HF_WIDTH = re.compile(r"\bintermediate[_ ]size\b", re.IGNORECASE)
#: … unless the report's own number is asked for beside it.
REPORT_WIDTH = re.compile(r"\bpaper\b|\breport|\btable\b|\bfeed-?forward dim|\bboth\b|\bvs\.?\b|\bversus\b|"
                          r"\bcompare|\bdiffer", re.IGNORECASE)


#: Gemma 2's two soft-caps: on the final logits, and on the attention logits.
FINAL_CAP = re.compile(r"\bfinal\b|\boutput\b|\blm[_ ]head\b", re.IGNORECASE)
ATTENTION_CAP = re.compile(r"\battn\b|\battention\b|\bself-attention\b", re.IGNORECASE)


def arch_parameters(key: str, question: str) -> tuple[str, ...]:
    """The stored parameters an architecture key reads; a question naming one of the two parameter counts
    gets that count alone, not the other one beside it."""
    parameters = ARCH_PARAMETERS.get(key, ())
    if key == "softcap" and FINAL_CAP.search(question) and not ATTENTION_CAP.search(question):
        return ("Final logit soft-cap",)
    if key == "softcap" and ATTENTION_CAP.search(question) and not FINAL_CAP.search(question):
        return ("Attention logit soft-cap",)
    if key == "ff" and HF_WIDTH.search(question) and not REPORT_WIDTH.search(question):
        return ("HF intermediate_size",)
    if key == "params" and NON_EMBEDDING.search(question):
        return ("Non-embedding parameters",)
    if key == "params" and EMBEDDING_ONLY.search(question):
        return ("Embedding parameters",)
    return parameters


#: A whole model's parameter count, which a report's table splits into its two counts.
TOTAL = re.compile(r"\btotal\b|\boverall\b|\baltogether\b|\bin all\b|\bwhole model\b|\bsum\b|"
                   r"\bhow many (?:params|parameters)\b", re.IGNORECASE)


def total_parameters(b: Builder, family: str, sizes: list[str]) -> str | None:
    """'gemma 2 9b total params': the report's embedding and non-embedding counts, added (computed)."""
    shown = []
    for size in sizes:
        parts = [b.facts.arch_fact(family, size, p) for p in ("Embedding parameters", "Non-embedding parameters")]
        if any(p is None for p in parts):
            continue
        operands = [{"citation": p} for p in parts if p is not None]
        total = b.computed("arith", {"op": "add", "operands": operands},
                           f"{family} {size}: embedding + non-embedding parameters")["result"]
        shown.append(f"{size}: {int(total):,}")
    if not shown:
        return None
    return f"- {family}, total parameters (embedding + non-embedding, computed): " + ", ".join(shown)


def distinct_groups(groups: list[ModelGroup]) -> list[ModelGroup]:
    """A report's family named beside one of its sizes ("gemma 7b (the first gemma)") is that size: the
    family-wide group would list the same table again with the other sizes."""
    sized = {g.arch_family for g in groups if g.arch_family and g.arch_size}
    return [g for g in groups if g.arch_size or not g.arch_family or g.arch_family not in sized]


#: Fields a model answer may be asked beside its widths that other operations do not read (layers, experts,
#: d_model and the FFN width have their own lines): unanswered, each is said to be missing, not dropped.
NOTED_WHEN_MISSING = frozenset(ARCH_LABELS) - {"layers", "experts", "d_model", "ff"}


def unstored_note(b: Builder, groups: list[ModelGroup], keys: list[str], question: str) -> str | None:
    """'phi-2 rope theta and intermediate_size': the width is shown, and the field no stored row holds is
    named as missing instead of silently left out."""
    missing = []
    for key in (k for k in keys if k in NOTED_WHEN_MISSING):
        held = any(b.facts.arch_fact(g.arch_family, size, parameter) is not None
                   for g in groups if g.arch_family
                   for size in ([g.arch_size] if g.arch_size else b.facts.arch_sizes(g.arch_family))
                   for parameter in arch_parameters(key, question))
        if not held:
            missing.append(ARCH_LABELS[key])
    if not missing:
        return None
    names = ", ".join(g.name for g in groups)
    return f"The stored data hold no {' or '.join(missing)} for {names}: it is not in the stored evidence."


#: The report's own feed-forward dimension, asked by naming the paper or report.
ASKS_REPORT = re.compile(r"\bpaper\b|\breport|\btech(?:nical)? report\b", re.IGNORECASE)


def report_width_note(b: Builder, groups: list[ModelGroup], keys: list[str], question: str) -> str | None:
    """'gemma 3 27b feedforward dim in the paper': only the configuration's one-branch width is stored, so
    that is said before it is shown, not offered as the report's number."""
    if "ff" not in keys or not ASKS_REPORT.search(question):
        return None
    report = ARCH_PARAMETERS["ff"][:2]
    lacking = [g.name for g in groups if g.arch_family and not any(
        b.facts.arch_fact(g.arch_family, size, parameter) is not None
        for size in ([g.arch_size] if g.arch_size else b.facts.arch_sizes(g.arch_family)) for parameter in report)]
    if not lacking:
        return None
    return (f"The stored data hold no report feed-forward dimension for {', '.join(lacking)}: it is not in the "
            "stored evidence. What is stored is Hugging Face's intermediate_size (one branch):")


#: "how many more non-embedding params does gemma 2 27b have than the 9b": the gap between two sizes asked.
HOW_MUCH_MORE = re.compile(r"\bhow (?:many|much) (?:more|fewer|less|bigger|larger|smaller)\b|\bdifference\b|\bgap\b|"
                           r"\bhow far apart\b|\bminus\b", re.IGNORECASE)


def size_gap(b: Builder, groups: list[ModelGroup], keys: list[str], question: str) -> str | None:
    """The difference of one architecture value between two sizes of a report family (computed from the two
    cited table cells), when the question asks how much more one has; None otherwise."""
    sized = [g for g in groups if g.arch_family and g.arch_size]
    if len(sized) != 2 or sized[0].arch_family != sized[1].arch_family or len(keys) != 1 or not (
            HOW_MUCH_MORE.search(question)):
        return None
    family = str(sized[0].arch_family)
    for parameter in arch_parameters(keys[0], question):
        cells = [b.facts.arch_fact(family, str(g.arch_size), parameter) for g in sized]
        if any(c is None or not str(c["value_text"]).replace(",", "").isdigit() for c in cells):
            continue
        operands = [{"citation": c} for c in cells if c is not None]
        gap = b.computed("arith", {"op": "absdiff", "operands": operands},
                         f"{family}: |{sized[0].arch_size} − {sized[1].arch_size}|, {parameter}")["result"]
        return (f"The difference in {parameter}: **{int(gap):,}** ({family} {sized[0].arch_size} against "
                f"{sized[1].arch_size}, computed from the report's table).")
    return None


def closing_note(b: Builder, groups: list[ModelGroup], keys: list[str], question: str) -> str | None:
    """What follows an architecture answer's lines: the values asked that are not stored, else the gap between
    two sizes asked for."""
    return unstored_note(b, groups, keys, question) or size_gap(b, groups, keys, question)
