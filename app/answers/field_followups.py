"""Follow-ups that ask a new field of the model just answered about, in words the keyword tables miss: how
many of its experts run per token ("how many of them are active per token" after a mixture-of-experts
width), written out with the model's name and the field's own words.

Why apart from :func:`app.answers.followups.model_fields`: that rule carries the model over to words that
already name a field ("d_model and d_ff?"); these words name the field only through a pronoun for the
earlier answer's parts ("them", "those" are the experts its layout listed), so the rule must read the
earlier row's kind before it can say which field is meant.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.facts import Facts
from app.answers.ffn_widths import moe_layout
from app.answers.followup_reading import _named
from app.answers.intents import WHY
from app.answers.lexicon import Lexicon

#: "how many of them are active per token", "how many fire for each token", "and how many get used?".
ACTIVE_COUNT = re.compile(r"\bhow many\b.{0,25}\b(?:active|activated|used|routed|selected|chosen|picked|fire|run|"
                          r"on|engaged|consulted)\b|\b(?:per|each|every|a) token\b|\btop[- ]?k\b", re.IGNORECASE)


def active_experts(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'does mixtral 8x22b use swiglu' … 'per-expert d_ff?' … 'how many of them are active per token': the
    expert layout of the mixture-of-experts model just asked about."""
    if previous is None or str(previous.get("intent")) not in ("architecture", "model_activation"):
        return None
    if not ACTIVE_COUNT.search(read) or WHY.search(read.lower()):
        return None
    models = [m for m in (previous.get("slots") or {}).get("models") or [] if m in facts.catalog]
    named = _named(read, lexicon)
    if len(models) != 1 or named.models or named.variants or named.activations or named.gates:
        return None
    if not moe_layout(facts.catalog[models[0]]):
        return None
    return f"{models[0]} active experts per token?"
