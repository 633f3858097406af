"""Answers that are a curated explanation or the paper's own statements about its setup."""

from __future__ import annotations

import re

from app.answers import origins
from app.answers.builder import Builder, compose_out_of_scope
from app.answers.entities import Entities
from app.answers.facts import paper_citation
from app.answers.intents import RECIPE_KEYS, SETUP_KEYWORDS, WHY, Intent
from app.answers.retrieval import MIN_SCORE, ExplanationIndex, Hit

#: Below this lexical score an explanation shares too few words with a why-question that names a setting of the
#: paper's recipe ("why do the tables report the best checkpoint"): the paper's own statement answers instead.
SETUP_OVER_EXPLANATION = 2.5
#: The settings whose stated value is itself the answer to "why …?" (not sizes such as layers or d_ff, which
#: many why-questions name in passing).
EXPLAINED_SETTINGS = RECIPE_KEYS | {"reported_scores", "finetuning_data", "data", "perplexity_metric"}


#: A bare "why?" after a result ("is geglu better than relu after full training?" … "why?", "but why tho").
BARE_WHY = re.compile(r"^\s*(?:but |and |ok |so )?(?:why|how come)(?: (?:is that|so|tho|though|exactly))?\s*[?!.]*\s*$",
                      re.IGNORECASE)


def compose_explain(b: Builder, intent: Intent, index: ExplanationIndex, entities: Entities) -> list[Hit]:
    named = origins.functions_named(intent.slots) if origins.asks_origin(intent.question, intent.slots) else []
    if named:  # "who came up with gated linear units": the paper that introduced each function
        origins.compose(b, named, intent.question)
        return []
    hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
    limits = b.facts.explanations.get("paper-limits")
    result = intent.slots.variants or intent.slots.benchmarks or intent.slots.steps
    # "why does it work better?", "why does geglu work so well": why a variant's result is what it is (not why it
    # beats another one named beside it)
    works = WHY_IT_WORKS.search(intent.question) and len(intent.slots.variants) + len(intent.slots.gates) <= 2 and (
        len(set(intent.slots.variants)) <= 1)
    if ((intent.follow_up_of is not None and BARE_WHY.match(intent.question) and result) or works) and (
            not intent.slots.models and limits is not None):
        # why a variant's result is what it is: the paper's own answer is that it offers no explanation
        hits = [Hit("paper-limits", MIN_SCORE, 0.0, 0.0, ()), *hits]
    settings = [k for k in intent.slots.setup_keys if k in EXPLAINED_SETTINGS]
    if settings and intent.follow_up_of is None and (not hits or hits[0].bm25 < SETUP_OVER_EXPLANATION or not _mentions(
            b.facts.explanations[hits[0].key].summary, settings)):
        compose_paper_setup(b, intent)
        return hits
    if not hits or hits[0].score < MIN_SCORE:
        compose_out_of_scope(b, honest_miss=True)
        return hits
    exp = b.facts.explanations[hits[0].key]
    if exp.post_id in b.quote_ids:  # a later part that the same explanation answers: pointed to, not repeated
        b.add(f"The explanation above, [{exp.title}]({exp.citation()['url']}), answers this part as well.")
        return hits
    b.explanation(exp)
    b.computations.extend(c for c in exp.computations if c not in b.computations)
    if exp.key == "paper-limits" and WHY_IT_WORKS.search(intent.question):
        b.add(_no_explanation(intent.question))
    b.add(exp.summary)
    b.add(f"The full explanation, with its sources: [{exp.title}]({exp.citation()['url']}).")
    b.attachments.extend(exp.attachments[:1])
    return hits


#: "why do glu variants work so well", "does shazeer explain why gating helps", "any reason given": the
#: paper's reason for its result asked, which the paper says it does not have.
WHY_IT_WORKS = re.compile(r"\b(?:why|mechanis\w*|what makes)\b.{0,60}\b(?:work|help|better|beat|win|outperform|good|"
                          r"effective|improve|superior)\w*|\b(?:explain|explanation|reason|theory)\w*\b.{0,40}\bwhy\b|"
                          r"\b(?:give|gives|gave|offer|offers|offered|any)\s+(?:a |an |any )?"
                          r"(?:reason|explanation|theory)\b", re.IGNORECASE)
YES_NO_QUESTION = re.compile(r"^\s*(?:so |and |but )?(?:is|are|does|do|did|has|have|can)\b", re.IGNORECASE)


def _no_explanation(question: str) -> str:
    """The direct answer to a question about why the gated variants work: the paper offers no reason."""
    opening = "No: the paper" if YES_NO_QUESTION.search(question) else "The paper"
    return (f"{opening} offers no explanation of why the gated variants work — its closing sentence attributes "
            "their success to “divine benevolence”. What it does show:")


#: A setup fact that carries its own reason ("so d_ff is multiplied by 2/3 …", "found it better than …").
REASON_GIVEN = re.compile(r"\bbecause\b|\bso (?:that|d_ff|the)\b|\bto keep\b|\bfound it\b|\bWhy\b")


def compose_paper_setup(b: Builder, intent: Intent) -> None:
    facts = b.facts
    paper = facts.main_paper()
    lines = []
    for key in intent.slots.setup_keys[:5]:
        fact = facts.paper_fact(paper["id"], key)
        if fact is None:
            continue
        b.cite(fact)
        lines.append(f"- **{fact['fact_label']}**: {fact['value']} ({fact['location']})")
    if not lines:
        compose_out_of_scope(b, honest_miss=True)
        return
    b.cite(paper_citation(paper))
    b.add(f"What “{paper['title']}” states about its setup:\n\n" + "\n".join(lines))
    if WHY.search(intent.question) and not REASON_GIVEN.search("\n".join(lines)):
        # "why did shazeer fine-tune on one mixture": the setting is stated, its reason is not
        b.add("The paper states these settings but not why it chose them; the stored evidence has no reason for "
              "them.")


def _mentions(summary: str, settings: list[str]) -> bool:
    """Whether an explanation's summary speaks of one of the settings asked about (by a word that names it)."""
    lowered = summary.lower()
    return any(word in lowered for key in settings for word in SETUP_KEYWORDS.get(key, ()))
