"""A follow-up that takes a setting out of the calculation just made ("drop the multiplier", "and without
ffn_dim_multiplier?"): the earlier question with that setting and its value removed.

Why its own module: the edits of :func:`app.answers.followups.after_derived` put a value the follow-up
gives in place of the earlier one; a removal gives no value, so it is read from its verb and the setting's
name alone, and only for the settings a calculation may go without.
"""

from __future__ import annotations

import re

#: "drop the multiplier", "without ffn_dim_multiplier", "no multiplier this time", "remove multiple_of".
DROPPED = re.compile(r"\b(?:drop|remove|without|no|lose|skip|get rid of|take out|leave out|minus)\s+"
                     r"(?:the\s+|a\s+|any\s+)?(?:ffn_dim_)?(?P<label>multiplier|ffn_dim_multiplier)\b", re.IGNORECASE)


def without_setting(before: str, read: str) -> str | None:
    """The earlier question without the setting the follow-up drops; None when it drops none the earlier
    question gave."""
    dropped = DROPPED.search(read)
    if dropped is None:
        return None
    given = re.compile(r",?\s*(?:and\s+|with\s+)?(?:an?\s+)?(?:ffn_dim_)?multiplier\s*(?:=|:|of)?\s*\d+(?:\.\d+)?",
                       re.IGNORECASE)
    edited = given.sub("", before, count=1)
    return " ".join(edited.split()) if edited != before else None
