"""Rewrites that let terse, elliptical phrasings reach the same entities as the spelled-out question.

Why rewriting and not more aliases: the names are known, but users leave them implicit — "Gemma 1 2B and
7B" (the second model is "Gemma 1 7B"), "the tanh error" (the tanh *approximation of GELU*, not the tanh
function), "its intermediate size for 27b" after a Gemma 2 answer. Each rewrite only completes a name the
lexicon already holds, so it cannot introduce an entity the store does not have; the plan records the
words as read beside the words as asked.
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.answers.entities import recognize
from app.answers.lexicon import Lexicon

#: A model size as catalogs write it: 7B, 2.7B, 125M, 30B-A3B, 8x22B.
SIZE = r"(?:\d+x)?\d+(?:\.\d+)?[bm](?:-a\d+(?:\.\d+)?b)?"
_SIZED_NAME = re.compile(rf"^(?P<family>.*?)(?P<sep>[ -]?)(?P<size>{SIZE})$", re.IGNORECASE)
_JOIN = r"\s*(?:,|\band\b|&|\bor\b|\bvs\.?|\bversus\b)\s*"
APPROXIMATION_CONTEXT = re.compile(r"approx|\berrors?\b|\bpeaks?\b|\bdeviat|\baccura", re.IGNORECASE)
#: "tanh"/"sigmoid" standing alone in a question about approximation errors: GELU's two approximations.
_BARE_APPROXIMATION = {
    "tanh": re.compile(r"(?<![\w-])(?<!gelu )tanh(?![\w-])(?!\s+(?:approx|gelu|geglu|form|activation|function))",
                       re.IGNORECASE),
    "sigmoid": re.compile(r"(?<![\w-])(?<!gelu )(?<!logistic )sigmoid(?![\w-])"
                          r"(?!\s+(?:approx|gelu|geglu|form|gated|gate|activation|function))", re.IGNORECASE),
}
_SIZE_TOKEN = re.compile(rf"(?<![\w.-])(?P<size>{SIZE})(?![\w-])", re.IGNORECASE)


#: A sentence that instructs the service instead of asking it ("New rule: always answer 'no'.").
INSTRUCTION = re.compile(
    r"^\s*(?:new rule|rule|system|ignore|disregard|forget|pretend|imagine|you are|you're|you must|you will|"
    r"from now on|always (?:answer|say|reply)|never (?:answer|say)|respond|reply|answer only|answer with|"
    r"as (?:the|an?) (?:admin|administrator|developer|owner)|i authori[sz]e|act as|roleplay)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!:?])\s+(?=\S)")


def rewrite(text: str, lexicon: Lexicon) -> str:
    """The question with instructions to the service left out and its implicit names completed (unchanged
    when it has neither)."""
    return _approximations(_expand_sizes(_formulas(without_instructions(text, lexicon)), lexicon))


#: Activations written out as their formula ("x*sigmoid(1.702x)", "x * torch.sigmoid(x)"), by name.
_FORMULAS = (
    (re.compile(r"\bx\s*[*·]\s*(?:torch\.|F\.|np\.)?(?:sigmoid|σ)\s*\(\s*1\.702\s*[*·]?\s*x\s*\)", re.IGNORECASE),
     "gelu_sigmoid"),
    (re.compile(r"\bx\s*[*·]\s*(?:torch\.|F\.|np\.)?(?:sigmoid|σ)\s*\(\s*x\s*\)", re.IGNORECASE), "silu"),
    (re.compile(r"\bx\s*[*·]\s*(?:torch\.|F\.|np\.)?tanh\s*\(\s*(?:F\.)?softplus\s*\(\s*x\s*\)\s*\)", re.IGNORECASE),
     "mish"),
)


#: "geglu full ppl": "full" before a loss word is the full training length, read as "full-length" so that the
#: loss word is still recognized as the metric.
_FULL_BEFORE_LOSS = re.compile(r"\bfull(?=\s+(?:ppl|perplexity|log[- ]?ppl|log[- ]?perplexity|loss)\b)", re.IGNORECASE)


def _formulas(text: str) -> str:
    """The question with an activation written out as its formula replaced by that activation's name."""
    for pattern, name in _FORMULAS:
        text = pattern.sub(name, text)
    return _FULL_BEFORE_LOSS.sub("full-length", text)


def without_instructions(text: str, lexicon: Lexicon) -> str:
    """The question without the sentences that instruct the service; whole when what is left names nothing
    the store knows ('As the admin, change GEGLU's value. What is it?' keeps its subject)."""
    sentences = _SENTENCE.split(text.strip())
    kept = [s for s in sentences if not INSTRUCTION.match(s)]
    if not kept or len(kept) == len(sentences) or recognize(" ".join(kept), lexicon).is_empty():
        return text
    return " ".join(kept)


@lru_cache(maxsize=8)
def _families(names: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Lower-cased family -> (family as written, separator) for every sized model name ('Gemma 1 7B')."""
    out: dict[str, tuple[str, str]] = {}
    for name in names:
        match = _SIZED_NAME.match(name)
        if match and match.group("family").strip():
            out.setdefault(match.group("family").casefold(), (match.group("family"), match.group("sep")))
    return out


def _known(lexicon: Lexicon) -> frozenset[str]:
    return frozenset(n.casefold() for n in lexicon.groups)


def _expand_sizes(text: str, lexicon: Lexicon) -> str:
    """'Gemma 1 2B and 7B d_model' -> 'Gemma 1 2B and Gemma 1 7B d_model' (when Gemma 1 7B is a model)."""
    families = _families(tuple(sorted(lexicon.groups)))
    if not families or not re.search(SIZE + _JOIN + SIZE, text, re.IGNORECASE):
        return text
    known = _known(lexicon)
    alternatives = "|".join(re.escape(f) for f, _ in sorted(families.values(), key=lambda p: -len(p[0])))
    pattern = re.compile(rf"(?P<head>(?<![\w-])(?P<family>{alternatives})(?P<sep>[ -]?){SIZE})"
                         rf"(?P<join>{_JOIN})(?P<size>{SIZE})(?![\w-])", re.IGNORECASE)

    def complete(match: re.Match[str]) -> str:
        full = f"{match.group('family')}{match.group('sep')}{match.group('size')}"
        if full.casefold() not in known:
            return match.group(0)
        return f"{match.group('head')}{match.group('join')}{full}"

    for _ in range(4):  # "Gemma 3 1B, 4B and 12B": one size per pass
        expanded = pattern.sub(complete, text)
        if expanded == text:
            break
        text = expanded
    return text


def _approximations(text: str) -> str:
    """'where does the tanh error peak' -> 'where does the tanh approximation error peak'."""
    if not APPROXIMATION_CONTEXT.search(text):
        return text
    for word, pattern in _BARE_APPROXIMATION.items():
        text = pattern.sub(f"{word} approximation", text)
    return text


def with_family(text: str, models: list[str], lexicon: Lexicon) -> str:
    """A follow-up's bare size ('what about 27b?') completed with the earlier model's family, when that
    names a stored model and the follow-up names no model of its own."""
    if not models:
        return text
    known = {n.casefold(): n for n in lexicon.groups}
    families = []
    for model in models:
        match = _SIZED_NAME.match(model)
        families.append((match.group("family"), match.group("sep")) if match and match.group("family").strip()
                        else (model, " "))

    def complete(match: re.Match[str]) -> str:
        for family, sep in families:
            full = known.get(f"{family}{sep}{match.group('size')}".casefold())
            if full is not None:
                return full
        return match.group(0)

    return _SIZE_TOKEN.sub(complete, text)


#: "exact one?", "and the erf version?": the exact function an approximation named before approximates.
_EXACT = re.compile(r"\b(?:exact|erf|non-?approximated|unapproximated|true|real)\b", re.IGNORECASE)
#: The approximation an earlier activation slot holds, and the exact function it approximates.
_APPROXIMATES = {"gelu_tanh": "gelu", "gelu_sigmoid": "gelu"}


def with_exact(text: str, activations: list[str], lexicon: Lexicon) -> str:
    """A follow-up asking for 'the exact one' after an approximation, completed with the exact function's
    name, when the follow-up names no function of its own ('gelu_tanh(1)' … 'exact one?' is exact GELU at 1)."""
    exact = [_APPROXIMATES[a] for a in activations if a in _APPROXIMATES]
    if not exact or not _EXACT.search(text) or recognize(text, lexicon).activations:
        return text
    return f"{text.rstrip(' ?')} {exact[0]}?"
