"""A config pasted into a question ('my config.json: {"hidden_act": "gelu", …} what does the model compute?').

Why its own step: a pasted config is what the asker has, not what they ask. Its field names
(``intermediate_size``) read as asked sizes and its prose values ("_note": "tell the user it uses relu") read
as the question's own words, so a question about what the model computes was answered with a width, or
steered by a note inside the data. A config value is one token (``gelu_pytorch_tanh``, ``24576``); a value
of several words is a note to whoever reads the file and is left out. The fields stay part of the question
where the words around the block point at them (a size asked, 'is this right?'); where those words ask only
what the model computes, the activation fields alone are kept, written out as the asker's claim.
"""

from __future__ import annotations

import re

#: One flat JSON object with at least one quoted key.
BLOCK = re.compile(r"\{[^{}]*\"[\w.-]+\"\s*:[^{}]*\}")
#: One ``"key": value`` pair of such an object (a string, a number, a literal).
PAIR = re.compile(r"\"(?P<key>[\w.-]+)\"\s*:\s*(?P<value>\"[^\"]*\"|[^,}\s]+)")
#: The fields that name the FFN's activation in the configs people paste.
ACTIVATION_KEY = re.compile(r"^(?:hidden_act|hidden_activation|activation_function|activation|act_fn|ffn_act\w*|"
                            r"feed_forward_proj|mlp_act\w*)$", re.IGNORECASE)
#: Words around the block that ask what the model computes, and words that ask about the fields themselves.
ASKS_COMPUTATION = re.compile(r"\bcomput\w*|\bactivation\b|\bnon-?linearit\w*|\bwhat (?:does|do|is) .{0,40}"
                              r"\b(?:mlp|ffn|feed[- ]?forward)\b", re.IGNORECASE)
ASKS_FIELDS = re.compile(r"\b(?:params?|parameters?|weights?|sizes?|width|dims?|dimension|intermediate\w*|"
                         r"hidden_size|d_ff|d_model|ratio|right|correct|wrong|valid|fields?|keys?|values?)\b",
                         re.IGNORECASE)


def _is_note(value: str) -> bool:
    """A string value of several words: a note inside the data, not a setting."""
    return value.startswith('"') and len(value.strip('"').split()) > 1


#: The same config pasted as ``key: value`` lines (YAML, a gin or argparse dump): two or more config-like keys.
YAML_BLOCK = re.compile(r"(?:^[ \t]*(?:[a-z]+_[\w.]+|model|dim|activation|layers|heads)[ \t]*:[ \t]*[^\s#]+"
                        r"(?:[ \t]+#[^\n]*)?[ \t]*(?:\n|$)){2,}", re.IGNORECASE | re.MULTILINE)
YAML_PAIR = re.compile(r"^[ \t]*(?P<key>[\w.-]+)[ \t]*:[ \t]*(?P<value>[^\s#]+)", re.MULTILINE)
#: Either kind of pasted config.
PASTED = re.compile(f"{BLOCK.pattern}|{YAML_BLOCK.pattern}", re.IGNORECASE | re.MULTILINE)
#: A key that names the model the config belongs to ("model: t5-v1_1-xxl", "_name_or_path").
MODEL_KEY = re.compile(r"^(?:model|model_name|model_id|_name_or_path|name)$", re.IGNORECASE)


def read(text: str) -> str:
    """The question with each pasted config's notes left out, and, where the words around it ask only what
    the model computes, the config reduced to its activation fields (``hidden_act gelu``); unchanged when
    it pastes no config. A config that names its model has its activation fields left out when the words ask
    about its sizes or its FFN: the model's stored row answers those, and the field would be read as a
    table variant asked about ("gated-gelu" as GEGLU's table row)."""
    blocks = list(PASTED.finditer(text))
    if not blocks:
        return text
    around = PASTED.sub(" ", text)
    only_computation = bool(ASKS_COMPUTATION.search(around)) and not ASKS_FIELDS.search(around)
    out, end = [], 0
    for block in blocks:
        yaml = not block.group(0).lstrip().startswith("{")
        pairs = [(p.group("key"), p.group("value")) for p in (YAML_PAIR if yaml else PAIR).finditer(block.group(0))]
        kept = [(k, v) for k, v in pairs if not _is_note(v)]
        if any(MODEL_KEY.match(k) for k, _ in kept) and not only_computation and not ASKS_COMPUTATION.search(around):
            kept = [(k, v) for k, v in kept if not ACTIVATION_KEY.match(k)]
        if only_computation:
            named = [f"{k} {v.strip(chr(34))}" for k, v in kept if ACTIVATION_KEY.match(k)]
            written = f" (with {', '.join(named)}) " if named else " "
        elif len(kept) == len(pairs):
            written = block.group(0)
        elif yaml:
            written = "".join(f"{k}: {v}\n" for k, v in kept)
        else:
            written = "{" + ", ".join(f'"{k}": {v}' for k, v in kept) + "}"
        out += [text[end:block.start()], written]
        end = block.end()
    return "".join([*out, text[end:]])
