"""A follow-up's names and labelled numbers put into the earlier question in place of those of their kind
("how wide is llama 2 7b's ffn" … "and with d_ff 8192?", "at x=2?", "now ffn_dim_multiplier 1.3").

Why a module of its own: the edit is text surgery on the earlier question — which kind of name replaces which,
which labelled number replaces which, a setting added where the earlier question said it had none — apart
from the rules in :mod:`app.answers.followups` that decide when a follow-up is such an edit.
"""

from __future__ import annotations

import re

from app.answers.followup_reading import _named
from app.answers.lexicon import Lexicon

#: Which names a follow-up's name replaces in the earlier question: a function for a function (a variant,
#: gate or activation), a model for a model, a column for a column, a length for a length.
_GROUP = {"variant": "subject", "gate": "subject", "activation": "subject", "model": "model",
          "benchmark": "column", "metric": "column", "steps": "steps"}
#: A number a follow-up gives with its label ("and with d_ff 8192?", "at x=2?"): it replaces the earlier
#: number of that label.
_LABELLED = re.compile(r"(?P<label>d_model|d_ff|hidden_size|intermediate_size|hidden|intermediate|x|at|multiple_of|"
                       r"multiplier)\s*(?:=|:|of|is|was|were|becomes|goes to|set to|to)?\s*"
                       r"(?P<number>[-−]?\d+(?:\.\d+)?(?:e[-−]?\d+)?)", re.IGNORECASE)
#: Labels whose setting a follow-up may add to a calculation that had none ("no multiplier" … "multiplier 1.3").
_ADDED_LABELS = frozenset({"multiple_of", "multiplier"})
_BARE_APPROXIMATION = {"tanh": "tanh approximation of gelu", "sigmoid": "sigmoid approximation of gelu"}


def _edited(before: str, read: str, lexicon: Lexicon) -> str | None:
    """The earlier question with the names and labelled numbers the follow-up gives put in place of the
    earlier ones of their kind; None when the follow-up gives none."""
    old, new = _named(before, lexicon), _named(read, lexicon)
    text, changed = before, False
    for group in dict.fromkeys(_GROUP.get(m["kind"], "") for m in new.matches):
        if not group:
            continue
        olds = [m for m in old.matches if _GROUP.get(m["kind"]) == group]
        news = [str(m["text"]) for m in new.matches if _GROUP.get(m["kind"]) == group]
        if olds and olds[0].get("value") in ("gelu_tanh", "gelu_sigmoid"):
            news = [_BARE_APPROXIMATION.get(n.lower(), n) for n in news]
        words = " ".join(dict.fromkeys(news))
        if not olds:
            text, changed = f"{text.rstrip(' ?')} {words}?", True
            continue
        first = re.search(re.escape(str(olds[0]["text"])), text, re.IGNORECASE)
        if first is None:
            continue
        text, changed = text[:first.start()] + words + text[first.end():], True
        if group == "column":  # "squad f1" … "and on glue?": GLUE's average, not its F1
            for other in olds[1:]:
                text = re.sub(rf"(?<!\w){re.escape(str(other['text']))}(?!\w)", " ", text, count=1, flags=re.IGNORECASE)
    for given in _LABELLED.finditer(read):
        label = given.group("label").lower()
        earlier = re.search(rf"(?<![\w]){re.escape(label)}\s*(?:=|:|of)?\s*([-−]?\d+(?:\.\d+)?(?:e[-−]?\d+)?)", text,
                            re.IGNORECASE)
        if earlier is not None:
            text, changed = text[:earlier.start(1)] + given.group("number") + text[earlier.end(1):], True
        elif label in _ADDED_LABELS:  # "no multiplier" … "now ffn_dim_multiplier 1.3": the setting given now
            start = given.start()
            while start and (read[start - 1].isalnum() or read[start - 1] == "_"):
                start -= 1
            setting = read[start:given.end()]
            absent = re.search(rf"\b(?:no|without(?: an?| the)?)\s+(?:\w+_)*{re.escape(label)}\b", text, re.IGNORECASE)
            text = (text[:absent.start()] + setting + text[absent.end():] if absent
                    else f"{text.rstrip(' ?')}, {setting}?")
            changed = True
    if not changed and len(new.numbers) == 1 and len(old.numbers) == 1 and new.is_empty():
        written = _NUMBER_TOKEN.findall(before)
        if len(written) == 1:  # "and for 8192?" after a question with one number
            text, changed = _NUMBER_TOKEN.sub(_NUMBER_TOKEN.findall(read)[0], before, count=1), True
    return " ".join(text.split()) if changed else None


_NUMBER_TOKEN = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[-−]?\d+)?(?![\w.])", re.IGNORECASE)
