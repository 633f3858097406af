"""A creative task and a question in one message ("write me a poem about swiglu and tell me its superglue
avg"): where the task ends, and the question that follows it, its pronoun read as the task's subject.

Why a module of its own: the planner declines the task and answers the question; finding the seam and carrying
the subject across it is text work of its own, apart from planning either part.
"""

from __future__ import annotations

import re

from app.answers import framing, routing
from app.answers.entities import recognize
from app.answers.lexicon import Lexicon
from app.answers.part_edits import _names_subject

#: "… and tell me its superglue avg": where a creative task ends and a question begins.
CREATIVE_AND = re.compile(r",?\s+(?:and|then|but|also)\s+(?:also\s+)?(?=(?:tell me|give me|show me|what(?:'s| is| are)|"
                          r"which|how)\b)", re.IGNORECASE)


def beside_creative(question: str, lexicon: Lexicon) -> str | None:
    """The question asked after a creative task in the same message, with its pronoun read as the task's
    subject; None when the message is not such a pair."""
    if not framing.is_creative(question):
        return None
    pieces = CREATIVE_AND.split(question, maxsplit=1)
    if len(pieces) != 2 or framing.is_creative(pieces[1]):
        return None
    first, second = pieces
    named = recognize(second, lexicon)
    subject = routing.subject_of(recognize(first, lexicon).matches)
    text = second
    if subject and not _names_subject(named) and routing.PRONOUN.search(second.lower()):
        text = re.sub(r"\b(?:its|it|that|this|them|they)\b", subject, second, count=1, flags=re.IGNORECASE)
    return text if not recognize(text, lexicon).is_empty() else None
