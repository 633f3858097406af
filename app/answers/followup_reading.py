"""What every follow-up rule reads from the earlier answer and the new words: the names a text holds
(remembered, since the rules read the same few texts several times a question), the earlier answer's last
operation, the subject and cell names of a list of matches, and the words that lead or stand in for a subject.

They have a module of their own because the rules that use them live in several modules
(:mod:`app.answers.followups`, :mod:`app.answers.other_paper_followups`,
:mod:`app.answers.comparison_followups`), and none of those may import another that imports it back.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.entities import Entities, recognize
from app.answers.lexicon import Lexicon

#: Recognized names per (lexicon, text): the follow-up rules read the same few texts several times a question.
_NAMED: dict[tuple[int, str], tuple[Lexicon, Entities]] = {}


def _named(text: str, lexicon: Lexicon) -> Entities:
    """``recognize``, remembered for the last few hundred texts (the entities are only read here)."""
    key = (id(lexicon), text)
    hit = _NAMED.get(key)
    if hit is not None and hit[0] is lexicon:
        return hit[1]
    if len(_NAMED) > 512:
        _NAMED.clear()
    found = recognize(text, lexicon)
    _NAMED[key] = (lexicon, found)
    return found


#: The kinds of entity that are the subject of a question (the thing a pronoun stands for).
SUBJECT_KINDS = ("model", "variant", "gate", "activation")
#: The kinds that say which cell of the subject was asked (kept when a pronoun follow-up names a new subject).
CELL_KINDS = ("benchmark", "metric", "steps")
_LEAD = re.compile(r"^\s*(?:(?:and|ok(?:ay)?|k|now|then|so|but|also|what about|how about|same for|and for)\b[\s,.]*)+",
                   re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:its|it|that one|this one|that|this|those|them|they)\b", re.IGNORECASE)


def last_operation(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    """The last answered operation of the earlier answer's stored plan, as stored."""
    plan = (meta or {}).get("plan")
    operations = plan.get("operations") if isinstance(plan, dict) else None
    answered = [op for op in operations or [] if isinstance(op, dict) and op.get("method") != "misreading"]
    return answered[-1] if answered else None


def _texts(matches: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(str(m["text"]) for m in matches if m.get("kind") in kinds and m.get("text")))
