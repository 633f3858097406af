"""The value a model's own configuration gives its activation field ("llama 2 7b hidden_act", "gpt-j
activation_function", "mt5-small feed_forward_proj").

Why its own step: the catalog stores the activation under one canonical name (``swiglu``, ``gelu_tanh``),
while a question written with a framework's field name asks for the string that field holds (``silu``,
``gelu_new``, ``gated-gelu``). The catalog's source notes quote those values where a configuration file was
read; the answer gives the quoted value beside the canonical name, and says so where no source quotes one.
"""

from __future__ import annotations

import re
from typing import Any

#: The fields that name the FFN's activation in Hugging Face and T5-style configurations.
FIELD = (r"hidden_act(?:ivation)?|activation_function|feed_forward_proj|act_fn|mlp_activations|"
         r"ffn_act(?:ivation)?")
#: A question that names one of those fields ("hidden_act?", "what's its hidden_activation").
ASKS_FIELD = re.compile(rf"\b(?:{FIELD})\b", re.IGNORECASE)
#: The strings those fields hold (the Hugging Face activation names and T5's "gated-…" forms).
VALUE = (r"gelu_pytorch_tanh|gelu_new|gelu_fast|gelu_python|quick_gelu|gelu|silu|swish|relu2|relu6|relu|"
         r"gated-gelu|gated-silu|gated-relu|tanh|sigmoid|mish")
#: A source note that quotes a field's value: 'hidden_act="silu"', 'hidden_act silu', 'feed_forward_proj relu',
#: 'hidden_act and hidden_activation gelu_pytorch_tanh', 'hidden_act says silu', 'activation "gelu"'.
QUOTED = re.compile(rf"\b(?P<fields>(?:{FIELD}|activation)(?:\s+and\s+(?:{FIELD}))?)\s*(?:=|:|\s+says\s+|\s)\s*"
                    rf"\"?(?P<value>{VALUE})(?![\w-])\"?")


def quoted_values(source: str) -> list[tuple[str, str]]:
    """The (field, value) pairs a catalog source note quotes, in order and without repeats."""
    pairs: list[tuple[str, str]] = []
    for found in QUOTED.finditer(source):
        for field in re.split(r"\s+and\s+", found.group("fields")):
            if (field, found.group("value")) not in pairs:
                pairs.append((field, found.group("value")))
    return pairs


def config_sentences(question: str, rows: list[dict[str, Any]], shown: set[str]) -> list[str]:
    """For a question naming a config activation field: each row's quoted field values ("Config field
    `hidden_act`: `silu`"), or a note that its sources quote none. Fields already shown from the
    architecture facts (``shown``) are not repeated."""
    if not ASKS_FIELD.search(question):
        return []
    sentences = []
    for row in rows:
        pairs = [(f, v) for f, v in quoted_values(str(row.get("source", ""))) if f not in shown]
        if pairs:
            written = ", ".join(f"`{f}` = `{v}`" for f, v in pairs)
            sentences.append(f"{row['model']}'s configuration: {written} (as quoted in the catalog's sources).")
        elif not shown:
            sentences.append(f"The catalog's sources for {row['model']} do not quote its configuration's "
                             "activation field; the catalog gives the FFN it computes.")
    return sentences
