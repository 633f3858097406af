"""Curated explanation threads: written by the project, with every number rendered from the data.

The prose lives in app/data/explanations.yaml. It contains no typed-in digits for facts: each number is
a placeholder such as ``{{cell 1 | FFN_GEGLU | 524,288 steps}}`` that is replaced, when ``actlab seed``
loads the data, by the stored value, and that adds the cell to the explanation's citations. A placeholder
that names nothing stored stops the seed with an error, so a corrected value in the tables flows into the
explanations and a typo in a placeholder cannot ship. After rendering, the grounding check runs over the
result as over any answer.

The placeholder kinds and their renderer are in :mod:`app.answers.explanation_placeholders`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.answers import grounding
from app.answers.explanation_placeholders import PLACEHOLDER as PLACEHOLDER
from app.answers.explanation_placeholders import ExplanationError, Renderer, _key
from app.answers.explanation_placeholders import activation_citation as activation_citation
from app.answers.facts import Facts, load_facts
from app.answers.lexicon import build_lexicon
from app.answers.per_revision import dataset_revision
from app.config import Settings
from app.orm import Post, Thread
from app.threads import SERVICE_NAME, NewPost, add_post, create_thread

EXPLANATIONS_FILE = "explanations.yaml"


def read_entries(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / EXPLANATIONS_FILE
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    keys = [e["key"] for e in entries]
    if len(keys) != len(set(keys)):
        raise ExplanationError(f"{path}: duplicate keys")
    return list(entries)


def render_entry(entry: dict[str, Any], facts: Facts) -> dict[str, Any]:
    """Render one entry's summary and body and check that every number in them is grounded."""
    renderer = Renderer(facts)
    title = renderer.render(" ".join(entry["title"].split()))
    summary = renderer.render(entry["summary"].strip())
    for c in title.citations:  # the title is shown wherever the summary is
        if _key(c) not in {_key(x) for x in summary.citations}:
            summary.citations.append(c)
    body = renderer.render(entry.get("body", "").strip())
    text = summary.text + ("\n\n" + body.text if body.text else "")
    citations = list(summary.citations)
    for c in body.citations:
        if _key(c) not in {_key(x) for x in citations}:
            citations.append(c)
    computations = list(summary.computations)
    for c in body.computations:
        if c not in computations:
            computations.append(c)
    attachments = [resolve_attachment(a) for a in entry.get("attachments", [])]
    return {
        "key": entry["key"],
        "title": title.text,
        "body": text,
        "summary": summary.text,
        "summary_citations": summary.citations,
        "summary_computations": summary.computations,
        "citations": citations,
        "computations": computations,
        "questions": [q.strip() for q in entry.get("questions", [])],
        "tags": [t.strip() for t in entry.get("tags", [])],
        "attachments": attachments,
    }


def resolve_attachment(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec.get("kind")
    if kind == "paper_table":
        return {"kind": "paper_table", "paper": spec["paper"], "table": int(spec["table"]),
                "rows": list(spec.get("rows", [])), "columns": list(spec.get("columns", []))}
    if kind == "curve":
        return {"kind": "curve", "functions": list(spec["functions"]), "xmin": float(spec.get("xmin", -4)),
                "xmax": float(spec.get("xmax", 4)), "error_of": spec.get("error_of"),
                "title": spec.get("title", "")}
    raise ExplanationError(f"unknown attachment kind {kind!r}")


def load_explanations(session: Session, data_dir: Path, report: Any = None, settings: Settings | None = None) -> None:
    """Upsert the curated threads from the explanations file inside the caller's transaction.

    Each entry is a thread (found again by its key) whose first post is the explanation. Replies people
    wrote stay untouched when the text changes. An entry removed from the file deletes its thread when
    nobody replied, and otherwise leaves the thread as an ordinary (uncurated) discussion.
    """
    # Curated texts are the project's own: the limits for anonymous posters do not apply to them.
    settings = (settings or Settings()).model_copy(
        update={"post_body_max_chars": 1_000_000, "thread_title_max_chars": 2000}
    )
    session.flush()
    facts = load_facts(session, fresh=True)
    lexicon = build_lexicon(session, dataset_revision(session))
    entries = read_entries(data_dir)
    wanted = {}
    for entry in entries:
        rendered = render_entry(entry, facts)
        result = grounding.check(f"{rendered['title']}\n\n{rendered['body']}", rendered["citations"],
                                 rendered["computations"], facts, lexicon)
        if not result.ok:
            raise ExplanationError(
                f"explanation {entry['key']!r} has ungrounded numbers {result.ungrounded} {result.problems}"
            )
        wanted[entry["key"]] = rendered

    existing = {t.curated_key: t for t in session.scalars(select(Thread).where(Thread.curated_key.is_not(None)))}
    for key, rendered in wanted.items():
        meta = {
            "intent": "curated_explanation",
            "explanation": {
                "summary": rendered["summary"],
                "summary_citations": rendered["summary_citations"],
                "questions": rendered["questions"],
                "tags": rendered["tags"],
                "computations": rendered["computations"],
            },
            "entities": [],
            "sources": [c.get("label") for c in rendered["citations"]],
            "computations": rendered["computations"],
            "how": "Written by the project; every number is rendered from the stored data when the data is loaded.",
        }
        thread = existing.pop(key, None)
        if thread is None:
            create_thread(
                session, settings, rendered["title"],
                NewPost(body=rendered["body"], author_kind="service", attachments=tuple(rendered["attachments"]),
                        citations=tuple(rendered["citations"]), answer_meta=meta),
                curated_key=key,
            )
            _count(report, "inserted")
            continue
        first = session.scalar(
            select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None), Post.author_kind == "service")
            .order_by(Post.id).limit(1)
        )
        if first is None:
            add_post(session, settings, thread.id, NewPost(
                body=rendered["body"], author_kind="service", attachments=tuple(rendered["attachments"]),
                citations=tuple(rendered["citations"]), answer_meta=meta))
            _count(report, "updated")
            continue
        changed = (thread.title != rendered["title"] or first.body != rendered["body"]
                   or first.citations != rendered["citations"] or first.attachments != rendered["attachments"]
                   or first.answer_meta != meta)
        if changed:
            thread.title = rendered["title"]
            first.body, first.citations, first.attachments, first.answer_meta = (
                rendered["body"], rendered["citations"], rendered["attachments"], meta)
            first.display_name = SERVICE_NAME
            _count(report, "updated")
        else:
            _count(report, "unchanged")
    for thread in existing.values():
        others = session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.author_kind == "person").limit(1)
        )
        if others is None:
            session.delete(thread)
        else:
            thread.curated_key = None
        _count(report, "deleted")
    session.flush()


def _count(report: Any, what: str) -> None:
    if report is not None and hasattr(report, "add"):
        report.add("curated_threads", what)
