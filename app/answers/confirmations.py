"""Follow-ups that ask to confirm the answer just given ("really?", "so they're equal?", "is that good?", "rank?",
"does any layer actually use that"): the same question again, so that the same evidence answers it.

Why a module of its own: these name nothing new and change no slot; they are recognised by their words alone
and answered by re-asking, apart from the follow-ups that edit the previous plan.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.followup_reading import _named
from app.answers.intents import WHY
from app.answers.lexicon import Lexicon

#: "is that good?", "is 91.12 good?": how the value just given stands, which its rank says.
_IS_GOOD = re.compile(r"^\s*(?:so\s+|and\s+)?(?:is|was|are)\s+(?:that|this|it|those|[\d.,]+)\s+(?:any\s+)?(?:good|bad|"
                      r"high|low|decent|impressive|a lot|big|small|strong|weak)\b", re.IGNORECASE)
#: "so they're equal?", "really?", "you sure?": the asker checks the answer just given.
_CONFIRM = re.compile(r"^\s*(?:so|wait|hm+|huh|really|seriously|for real|are you sure|you sure|sure|ok so|so basically|"
                      r"basically|is that (?:right|true|correct)|you'?re sure|"
                      r"(?:they|those|these|the two|both)(?:'re|’re| are) (?:equal|the same|identical|tied|even)|"
                      r"(?:it|that)(?:'s|’s| is) (?:equal|the same|identical|a tie)|"
                      r"(?:does|do|is|are) (?:any|every|each|all|the)? ?(?:layers?|blocks?|experts?) "
                      r"(?:actually |really )?(?:use|used|using) (?:that|it|this|those|them))\b", re.IGNORECASE)


#: "rank?", "where does it place?": the rank the earlier answer gives with its value.
RANK_ONLY = re.compile(r"^\s*(?:and\s+|so\s+)?(?:its\s+|the\s+)?(?:rank|ranking|position|place|placement|standing)"
                        r"\s*\??\s*$|^\s*(?:and\s+)?(?:how|where) (?:does|did) (?:it|that) (?:rank|place|stand)\b",
                        re.IGNORECASE)


def confirmation(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """A request to confirm the answer just given, or for the rank it gave, naming nothing new: the same
    question again, so that the same evidence answers it."""
    if previous is None or not previous.get("question") or WHY.search(read.lower()):
        return None
    named = _named(read, lexicon)
    if _IS_GOOD.search(read) and named.is_empty():
        return str(previous["question"])
    if not (_CONFIRM.search(read) or RANK_ONLY.search(read)):
        return None
    if not named.is_empty() or named.numbers or len(read.split()) > 8:
        return None
    return str(previous["question"])
