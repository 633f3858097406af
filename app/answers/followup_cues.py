"""Words that tell whether a question leans on the thread or asks on its own: a correction ("correction, i
meant …"), a column named by pointing back ("on that one"), a possessive with nothing after it ("what's the
9b's?"), a function applied to a number ("silu(2)") and a ranking asked in full ("rank the variants by …").

Why a module of its own: these are read before any intent is chosen, by the follow-up test of
app.answers.intents and by the follow-up rewrites alike, and hold no rule of their own.
"""

from __future__ import annotations

import re

#: A function written applied to a number ("silu(2)", "gelu'(0.5)"): a computation complete in itself.
APPLIED = re.compile(r"\b[a-z][a-z0-9_]*['’″]*\s*\(\s*[-−]?\d")


#: "correction, i meant …", "sorry, i meant …", "no i mean …": the asker corrects the question just asked.
CORRECTION = re.compile(r"^\s*(?:correction|sorry|oops|no|nope|actually|wait|err?)\b[\s,:;.!\-–—]*(?:i\s+)?"
                        r"(?:meant|mean)\b")
#: "on that one", "for that column", "in it": a column (or table) named by pointing back at the thread's.
ON_THAT = re.compile(r"\b(?:on|for|in) (?:that|this|it|those|these)(?: one| column| benchmark| metric| task| score)?"
                     r"\s*[?!.]*\s*$")
#: "what's the 9b's?", "whats geglu's": a possessive with nothing after it; what it owns is the thread's.
DANGLING_POSSESSIVE = re.compile(r"['’]s\s*[?!.]*\s*$")


#: "rank the variants by superglue avg", "sort them by final loss": an ordered list, asked in full.
RANKS = re.compile(r"\brank(?:s|ed|ing)?\b|\border(?:ed)? (?:them |the \w+ )?by\b|\bsort(?:ed)?\b|\bleaderboard\b")


#: "its activation", "its ffn width": a field owned by the subject named before, however the rest reads.
MODEL_FIELD_OF_IT = re.compile(r"\b(?P<its>its)\s+(?=(?:activation|act\b|ffn|mlp|feed[- ]?forward|hidden_act|"
                               r"intermediate|d_ff|width|hidden size|d_model)\b)", re.IGNORECASE)
#: "how many times worse is its worst error", "its slope there": a quantity of the function named before.
FUNCTION_FIELD_OF_IT = re.compile(r"\b(?P<its>its)\s+(?=(?:(?:worst|max(?:imum)?|largest|biggest|peak)\s+)?"
                                  r"(?:error|derivative|slope|gradient)\b)", re.IGNORECASE)


def its_owner(text: str, earlier: list[dict[str, str]], names_model: bool, names_function: bool) -> str | None:
    """The question with "its" written as the owner named before, where it owns a field of that kind: "is its
    activation really silu" after a model's part is the model's, "its worst error" after a function's is the
    function's (unless the question names one of its own); None where no such owner was named."""
    owner = MODEL_FIELD_OF_IT.search(text)
    model = next((str(m["text"]) for m in earlier if m.get("kind") == "model"), None)
    if owner is not None and model is not None and not names_model:
        return text[:owner.start()] + f"{model}'s" + text[owner.end("its"):]
    owned = FUNCTION_FIELD_OF_IT.search(text)
    function = next((str(m["text"]) for m in earlier if m.get("kind") in ("activation", "gate")), None)
    if owned is not None and function is not None and not names_function:
        return text[:owned.start()] + f"{function}'s" + text[owned.end("its"):]
    return None
