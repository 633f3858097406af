"""The ids each plan slot may hold, offered to a language-model planner as its allowed values.

Kept apart from the rule planner: only the optional language-model path reads it, and it depends on
nothing but the lexicon and the intents' keyword tables.
"""

from __future__ import annotations

from app.answers.intents import ARCH_KEYWORDS, SETUP_KEYWORDS
from app.answers.lexicon import Lexicon


def vocabulary(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """The ids each slot may hold, for a language-model planner: what recognition itself can produce."""
    found: dict[str, set[str]] = {}
    for refs in (*lexicon.phrases.values(), *lexicon.cased_phrases.values()):
        for ref in refs:
            found.setdefault(f"{ref.kind}s", set()).add(ref.value)
    found["steps"] = {str(s) for s in lexicon.steps}
    found["setup_keys"], found["arch_keys"] = set(SETUP_KEYWORDS), set(ARCH_KEYWORDS)
    return {k: frozenset(v) for k, v in found.items()}
