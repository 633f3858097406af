"""Answers that are a curated explanation or the paper's own statements about its setup."""

from __future__ import annotations

from app.answers.builder import Builder, compose_out_of_scope
from app.answers.entities import Entities
from app.answers.facts import paper_citation
from app.answers.intents import Intent
from app.answers.retrieval import MIN_SCORE, ExplanationIndex, Hit


def compose_explain(b: Builder, intent: Intent, index: ExplanationIndex, entities: Entities) -> list[Hit]:
    hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
    if not hits or hits[0].score < MIN_SCORE:
        compose_out_of_scope(b, honest_miss=True)
        return hits
    exp = b.facts.explanations[hits[0].key]
    b.explanation(exp)
    b.computations.extend(c for c in exp.computations if c not in b.computations)
    b.add(exp.summary)
    b.add(f"The full explanation, with its sources: [{exp.title}]({exp.citation()['url']}).")
    b.attachments.extend(exp.attachments[:1])
    return hits


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
