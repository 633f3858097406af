"""The sizes asked beside a model's activation ("gemma 2 9b d_model, intermediate size and activation"): an
operation of their own, planned before the activation's.

Why a module of its own: it turns one planned operation into two after the intent is read, for whole
questions and for the parts of a multi-part one alike, and needs nothing of the planner but the operation.
"""

from __future__ import annotations

import re

from app.answers.plan import Operation

#: "llama 2 7b ffn", "mixtral mlp?": a model's FFN named by itself, which its width and activation describe.
BARE_FFN = re.compile(r"^\s*(?:what(?:'s| is| about)?\s+|and\s+)?(?:the\s+)?(?P<model>.{2,40}?)(?:'s)?\s+"
                      r"(?:ffn|mlp|feed[- ]?forward(?: layer)?)\s*\??\s*$", re.IGNORECASE)


def with_sizes(operation: Operation) -> list[Operation]:
    """'gemma 2 9b d_model, intermediate size and activation': the sizes asked beside the activation are an
    operation of their own, answered first (the words come first in the question); a model's FFN asked by
    itself ('llama 2 7b ffn') gets both too."""
    if operation.method == "model_activation" and operation.slots.models and not operation.slots.arch_keys and (
            BARE_FFN.match(operation.text)):
        operation.slots.arch_keys = ["ff"]
    if operation.method != "model_activation" or not operation.slots.arch_keys or not operation.slots.models:
        return [operation]
    sizes = operation.model_copy(update={"method": "architecture", "kind": "catalog",
                                         "rule": "a model and architecture parameters, asked beside its activation"})
    return [sizes, operation]
