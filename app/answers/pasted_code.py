"""LLaMA's FFN-width function pasted as code and then called ('def ffn_hidden(dim, multiple_of,
ffn_dim_multiplier): … ffn_hidden(16384, 4096, 1.2) = ?').

Why its own module: the sizes of such a question are the call's arguments, named only by the pasted
function's parameters, so the width rule's field patterns (``d_model 4096``, ``multiple_of=256``) find none
of them. The call is bound as Python binds it (positional arguments to the parameters in order, keyword
arguments by name), and the parameters are read by their names; the answer is the sizing computation on
those values, the same as for sizes written out.
"""

from __future__ import annotations

import re
from typing import Any

DEF = re.compile(r"\bdef\s+(?P<name>\w+)\s*\((?P<params>[^)]*)\)\s*(?:->\s*[^:\n]+)?:")
#: The body computes LLaMA's rule: two-thirds of four times d_model (or eight-thirds), rounded to a multiple.
RULE_BODY = re.compile(r"\b2\s*\*\s*\(?\s*4\s*\*\s*\w+\s*\)?\s*/\s*3\b|\b8\s*\*\s*\w+\s*/\s*3\b|"
                       r"\b4\s*\*\s*\w+\s*\*\s*2\s*/\s*3\b|\b2\s*/\s*3\s*\*\s*\(?\s*4\s*\*\s*\w+")
VALUE = re.compile(r"^(?:none|null|\d+(?:\.\d+)?)$")
#: Parameter names read as the rule's three inputs.
ROLES = {"dim": "d_model", "d_model": "d_model", "hidden_size": "d_model", "n_embd": "d_model", "d": "d_model",
         "model_dim": "d_model", "multiple_of": "multiple_of", "ffn_dim_multiplier": "ffn_dim_multiplier",
         "multiplier": "ffn_dim_multiplier"}


def _names(params: str) -> list[str]:
    """The parameter names of a ``def`` line, without annotations or defaults ('dim: int', 'multiple_of=256')."""
    return [re.split(r"[:=]", p, maxsplit=1)[0].strip() for p in params.split(",") if p.strip()]


def _defaults(params: str) -> dict[str, str]:
    out = {}
    for p in params.split(","):
        if "=" in p:
            name, value = p.split("=", 1)
            out[re.split(r":", name)[0].strip()] = value.strip()
    return out


def bound_call(question: str) -> dict[str, Any] | None:
    """The rule's inputs from a pasted LLaMA sizing function and a call of it; None when the question pastes
    no such function, does not call it, or calls it with values that are not numbers."""
    text = question.lower()
    found = DEF.search(text)
    if found is None:
        return None
    name = found.group("name")
    call = re.search(rf"(?<![\w.]){re.escape(name)}\s*\((?P<args>[^)]*)\)", text[found.end():])
    if call is None or not RULE_BODY.search(text[found.end():found.end() + call.start()]):
        return None
    params, bound = _names(found.group("params")), _defaults(found.group("params"))
    args = [a.strip() for a in call.group("args").split(",") if a.strip()]
    for position, arg in enumerate(args):
        key, _, value = arg.partition("=") if "=" in arg else ("", "", arg)
        key = key.strip() or (params[position] if position < len(params) else "")
        if not key:
            return None
        bound[key] = value.strip()
    inputs: dict[str, str] = {}
    for key, value in bound.items():
        role = ROLES.get(key)
        if role is None or not VALUE.match(value):
            continue
        inputs[role] = value
    if not {"d_model", "multiple_of"} <= inputs.keys() or not inputs["d_model"].isdigit() or (
            not inputs["multiple_of"].isdigit()):
        return None
    d_model, multiple_of = int(inputs["d_model"]), int(inputs["multiple_of"])
    if not (0 < d_model <= 131_072 and 0 < multiple_of <= 65_536):
        return None
    multiplier = inputs.get("ffn_dim_multiplier")
    return {"d_model": d_model, "multiple_of": multiple_of, "multiple_of_given": True,
            "ffn_dim_multiplier": multiplier if multiplier and multiplier[0].isdigit() else None,
            "call": f"{name}({', '.join(args)})"}
