"""The stored common misreadings as an answer source: a question that repeats one gets its correction.

Why: the questions people actually ask are often a misreading in question form ("LLaMA-13B's hidden size is
13568?", "why is Qwen-14B's FFN width 27392 in one place and 13696 in another?", "is it true that squared
ReLU beats SwiGLU?"). Each stored misreading holds the wrong reading, the right one, where it shows up and
its evidence; an answer built from it states the right reading first and links the misreading's page. Its
numbers are the stored text's, so the grounding check traces them to the misreading's citation.

A misreading is chosen only on strong evidence: a number of the question that the misreading's own text
prints, or a BM25 match on its wording well above chance; anything weaker leaves the question to the
other operations.
"""

from __future__ import annotations

import re
import threading
from decimal import Decimal, InvalidOperation
from typing import Any

import bm25s

from app.answers import semantic
from app.answers.builder import Builder
from app.answers.citations import misreading_strings
from app.answers.facts import Facts
from app.answers.framing import YES_NO_START, is_claim
from app.answers.retrieval import tokenize

#: A BM25 score (over title, wrong and right readings) this high is a match without a shared number.
STRONG_SCORE = 5.0
#: With a number of the question printed in the misreading, this score suffices.
NUMBER_SCORE = 3.0
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
#: Numbers too common to single a misreading out (sizes and lengths printed everywhere).
COMMON_NUMBERS = frozenset({"1", "2", "3", "4", "8", "65536", "524288"})


def citation(m: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "misreading", "id": m["id"], "label": f"Common misreading: {m['title']}",
            "url": f"/misreadings/{m['id']}"}


def _numbers(text: str) -> set[Decimal]:
    found = set()
    for token in _NUMBER.findall(text):
        plain = token.replace(",", "")
        if plain in COMMON_NUMBERS:
            continue
        try:
            found.add(Decimal(plain).normalize())
        except InvalidOperation:
            continue
    return found


def written_numbers(text: str) -> set[Decimal]:
    """The numbers a text writes out on their own (not a model name's "14b"), without the common ones."""
    return _numbers(text)


class MisreadingIndex:
    def __init__(self, misreadings: list[dict[str, Any]]) -> None:
        self.misreadings = misreadings
        self.documents = [tokenize(" ".join([m["title"], m["title"], m["wrong"], m["wrong"], m["right"]]))
                          for m in misreadings]
        self.numbers = [_numbers(" ".join(misreading_strings(m))) for m in misreadings]
        self.retriever = bm25s.BM25()
        if self.documents:
            self.retriever.index(self.documents, show_progress=False)
        self.space = semantic.space_for([" ".join([m["title"], m["wrong"], m["right"]]) for m in misreadings])

    def best(self, question: str) -> tuple[dict[str, Any], float, bool] | None:
        """The best-matching misreading, its score and whether a number of the question is in it."""
        query = tokenize(question)
        if not self.misreadings or not query:
            return None
        docs, scores = self.retriever.retrieve([query], k=len(self.misreadings), show_progress=False)
        asked = _numbers(question)
        closer = semantic.rerank_bonus(self.space, question)
        ranked = []
        for index, score in zip(docs[0], scores[0], strict=True):
            shared = bool(asked & self.numbers[int(index)])
            bonus = (NUMBER_SCORE if shared else 0.0) + (closer[int(index)] if closer else 0.0)
            ranked.append((float(score) + bonus, shared, int(index)))
        score, shared, index = max(ranked)
        return self.misreadings[index], score, shared


_lock = threading.Lock()
_indexes: dict[tuple[Any, ...], MisreadingIndex] = {}


def index_for(facts: Facts) -> MisreadingIndex:
    """The index of these facts' misreadings (built once per revision and content)."""
    key = (facts.revision, semantic.generation(), *((m["id"], m["right"]) for m in facts.misreadings.values()))
    with _lock:
        index = _indexes.get(key)
        if index is None:
            if len(_indexes) > 16:
                _indexes.clear()
            index = _indexes[key] = MisreadingIndex(list(facts.misreadings.values()))
    return index


#: A why/explain question asks for exactly what a misreading's correction says: a weaker match suffices.
EXPLAIN_SCORE = 4.5
#: A question that repeats a claim for checking ("I read that …, true?") needs less still.
CLAIM_SCORE = 3.5


def detect(question: str, facts: Facts, strong: float = STRONG_SCORE) -> dict[str, Any] | None:
    """The misreading a question repeats, when the evidence for it is strong; else None."""
    found = index_for(facts).best(question)
    if found is None:
        return None
    m, score, shared = found
    if (shared and score >= NUMBER_SCORE * 2) or score >= strong:
        return {"id": m["id"], "score": round(score, 3), "shared_number": shared}
    return None


#: Misreadings whose wrong reading is a false statement outright: a yes/no question repeating one is a "No".
FALSE_OUTRIGHT = frozenset({"geglu-1942-is-not-full-training", "config-defaults-are-not-checkpoints",
                            "gemma-hidden-act", "two-thirds-rounding", "exact-vs-tanh-gelu",
                            "wrong-secondary-tables", "primer-squared-relu"})
#: Misreadings of a value that is printed somewhere but names something else (a doubled width, a config
#: field the code does not follow): the asker's number or name is real, its reading is not, so "Partly".
MISREAD_VALUE = frozenset({"doubled-ffn-widths", "config-activation-vs-code"})
#: A negated question ("isn't it …", "doesn't gemma …") or a question that denies the claim itself: which
#: way a bare "No" would point is unclear, so no verdict is given.
NEGATED = re.compile(r"n't\b|\bnot\b|\bnever\b|\bno longer\b", re.IGNORECASE)


#: A why about someone's choice ("why did meta bump …", "why would google pick …"): a reason no stored text gives.
CHOICE_WHY = re.compile(r"\bwhy (?:did|does|do|would|has|have) (?:meta|google|deepmind|mistral|openai|alibaba|qwen|"
                        r"microsoft|allen ?ai|the authors|they|he|she)\b.{0,30}\b(?:choose|chose|pick|bump|use|switch|"
                        r"go with|set|change|increase|raise|decrease|drop|add|move)\w*", re.IGNORECASE)


def opening(question: str, misreading_id: str) -> str:
    """The direct answer to a yes/no question or claim that repeats a stored misreading, said first."""
    if not question or NEGATED.search(question) or not (is_claim(question) or YES_NO_START.search(question)):
        return ""
    if misreading_id in FALSE_OUTRIGHT:
        return "No. "
    return "Partly. " if misreading_id in MISREAD_VALUE else ""


def compose(b: Builder, misreading_id: str, question: str = "") -> None:
    """The misreading's correct reading first (after the direct answer to a claim that repeats it), then
    which reading is wrong, where it shows up and its evidence."""
    m = b.facts.misreadings.get(misreading_id)
    if m is None:
        b.add("That misreading is not stored.")
        return
    b.cite(citation(m))
    if CHOICE_WHY.search(question):  # "why did meta bump multiple_of to 4096": the makers' reason is not stored
        b.add("The stored evidence does not say why that choice was made (no statement of its reasons is stored); "
              "what it does store about it:")
    b.add(f"{opening(question, misreading_id)}{m['right']}")
    b.add(f"This is a common misreading — “{m['wrong'].rstrip('.')}” is wrong. Where it shows up: "
          f"{m['shows_up'].rstrip('.')}. The evidence: [{m['title'].strip('“”')}](/misreadings/{m['id']}).")
