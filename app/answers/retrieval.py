"""BM25 retrieval over the curated explanations, for the why-questions.

Why BM25 (bm25s) rather than embeddings: the corpus is a handful of explanations written in the same
vocabulary the questions use, a lexical ranking is exact, explainable (the matched words can be shown)
and needs no model download; the index is built once per dataset revision in well under a millisecond per
document. Entity overlap (an explanation tagged with the model or variant the question names) is added
to the BM25 score, so "Why does Gemma use GeGLU?" finds the Gemma explanation even when worded oddly.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import bm25s

from app.answers import semantic
from app.answers.entities import Entities
from app.answers.facts import Explanation, Facts
from app.markup import plain_text

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z][a-z0-9_]*")
_STOPWORDS_TEXT = (
    "a an and are as at be by can could did do does for from had has have how i in is it its me my of on or "
    "our so that the their them then there these they this to was we were what when where which who will "
    "with would you your about into than also just only use uses used using"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
#: Added to the BM25 score for each tag of the explanation that names an entity of the question.
TAG_BONUS = 1.5
#: Below this combined score no explanation is considered relevant.
MIN_SCORE = 2.5
#: Question cues that favour explanations with a kind tag ("why", "sizes" …), added like a matched tag.
KIND_CUES: dict[str, re.Pattern[str]] = {
    "why": re.compile(r"\bwhy\b|\breasons?\b|\bchose\b|\bchoose\b|\bchoice\b|\bpick"),
    "sizes": re.compile(r"\bdims?\b|\bdimension|\bsize\b|\bintermediate|[28] ?/ ?3|\bd_ff\b|\bparameters?\b|\btwice\b|"
                        r"\bhidden\b|\bwidth\b|\bwider\b|\bwide\b|\bnarrower\b|two[- ]thirds|\b\d\s*[·*×x]?\s*d\b|"
                        # "why 2048 instead of 3072": two widths set against each other
                        r"\b\d{3,5}\b\s*(?:instead of|rather than|not|vs\.?|versus|and not)\s*\b\d{3,5}\b"),
    "misreading": re.compile(r"1\.942|\bfully trained\b|\bmisread|\bwrong\b|\bfull training\b"),
    "limits": re.compile(r"\blimitations?\b|\bnot show|\bdivine|\btheory\b|\bexplain why\b|\bcaveats?\b|"
                         r"\bmodel sizes\b|\bscale\b|"
                         # "why does gating work so well": why the gated variants win, which the paper leaves open
                         r"\bwhy\b.{0,30}\b(?:gat(?:e|ed|ing)|glus?|glu[- ]variants?)\b.{0,30}"
                         r"\b(?:work|works|help|helps|better|beat|beats|win|wins|outperform)\w*"),
    "compare": re.compile(r"\bvs\.?\b|\bversus\b|\bbetter\b|\bdifference\b|\bsignificant\b|\bgap\b"),
    "math": re.compile(r"\bapproximat|\berror\b|\baccura|\bformula\b|\bmean\b|\btanh\b"),
    "notation": re.compile(r"\bbias(?:es)?\b|\bnotation\b|\bgate_proj\b|\bup_proj\b|\bdown_proj\b|\bmatri(?:x|ces)\b|"
                           r"\bw ?, ?v\b|\bw_?2\b|w₂"),
    "reference_rows": re.compile(r"\braffel\b|\bibid\b|\bt5 (?:row|baseline|paper)\b|\breference rows?\b"),
}
#: The sizing rule named by its fraction ("2/3 of 4d", "8/3 d_model", "two-thirds"): a question about the width
#: rule itself, so an explanation of sizes counts its kind tag twice (above one that only names the model).
#: The weight of a question asking the sizing rule ("2/3", "why are the gated ones narrower") toward the sizes
#: explanation: more than two named functions' tags, which such a question names only to contrast.
RULE_BONUS = 4.5
RULE_CUE = re.compile(r"\b[28] ?/ ?3\b|\btwo[- ]thirds\b|\beight[- ]thirds\b|"
                      # "how come the gated ffns are narrower (d_ff 2048) than the relu ones at 3072": the width rule
                      r"\bgated\b.{0,60}\b(?:narrower|smaller|thinner|less wide|fewer)\b|"
                      r"\b(?:narrower|smaller|thinner)\b.{0,40}\bgated\b|\b2048\b.{0,60}\b3072\b")


def _stem(token: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s"):
        if len(token) > len(suffix) + 3 and token.endswith(suffix):
            return token[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return token


def tokenize(text: str) -> list[str]:
    return [_stem(t) for t in _TOKEN.findall(text.lower().replace("-", " ")) if t not in STOPWORDS]


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    bm25: float
    tag_bonus: float
    matched_terms: tuple[str, ...]

    def to_meta(self) -> dict[str, Any]:
        return {"key": self.key, "score": round(self.score, 3), "bm25": round(self.bm25, 3),
                "tag_bonus": self.tag_bonus, "matched_terms": list(self.matched_terms)}


class ExplanationIndex:
    """A BM25 index over (title, phrasings, text, tags) of each curated explanation."""

    def __init__(self, explanations: list[Explanation]) -> None:
        self.explanations = explanations
        self.documents = [
            tokenize(" ".join([e.title, e.title, *e.questions, *e.questions, plain_text(e.body),
                               " ".join(t.split(":", 1)[-1] for t in e.tags)]))
            for e in explanations
        ]
        self.retriever = bm25s.BM25()
        if self.documents:
            self.retriever.index(self.documents, show_progress=False)
        self.space = semantic.space_for([" ".join([e.title, *e.questions]) for e in explanations])

    def search(self, question: str, entities: Entities | None = None, k: int = 3) -> list[Hit]:
        if not self.explanations:
            return []
        query = tokenize(question)
        if not query:
            return []
        docs, scores = self.retriever.retrieve([query], k=len(self.explanations), show_progress=False)
        wanted = _entity_tags(entities) if entities is not None else set()
        lowered = question.lower()
        wanted |= {kind for kind, cue in KIND_CUES.items() if cue.search(lowered)}
        rule_asked = bool(RULE_CUE.search(lowered))
        hits = []
        closer = semantic.rerank_bonus(self.space, question)
        for index, score in zip(docs[0], scores[0], strict=True):
            explanation = self.explanations[int(index)]
            bonus = TAG_BONUS * len(wanted & set(explanation.tags)) + (closer[int(index)] if closer else 0.0)
            if rule_asked and "sizes" in explanation.tags:
                # the sizing rule is what is asked: it outweighs the functions named only as the contrast
                bonus += RULE_BONUS
            terms = tuple(sorted(set(query) & set(self.documents[int(index)])))
            hits.append(Hit(explanation.key, float(score) + bonus, float(score), bonus, terms))
        hits.sort(key=lambda h: -h.score)
        return hits[:k]


def _entity_tags(entities: Entities) -> set[str]:
    tags = {f"variant:{v}" for v in entities.variants}
    tags |= {f"activation:{a}" for a in entities.activations}
    tags |= {f"gate:{g}" for g in entities.gates}
    tags |= {f"model:{m.name}" for m in entities.models}
    if entities.paper:
        tags.add("paper")
    for m in entities.models:
        tags |= {f"model:{member}" for member in m.members}
        if m.arch_family:
            tags.add(f"model:{m.arch_family}")
    return tags


_lock = threading.Lock()
_indexes: dict[tuple[str, int, int], ExplanationIndex] = {}


def get_index(facts: Facts, cache_key: str) -> ExplanationIndex:
    """The index for these facts (built once per database and revision)."""
    key = (cache_key, facts.revision, semantic.generation())
    with _lock:
        index = _indexes.get(key)
    if index is None:
        index = ExplanationIndex(list(facts.explanations.values()))
        with _lock:
            if len(_indexes) > 16:
                _indexes.clear()
            _indexes[key] = index
    return index
