"""The question-answering pipeline: question -> plan -> executed answer -> checks -> stored post.

:func:`ask` is what the API, the pages and ``actlab ask`` call: it composes the answer from reads, then
stores the question and the answer in a thread inside the caller's transaction, so both are written or
neither and the writes are short; :func:`ask_and_commit`
also commits and, with the Celery backend, announces a comparison the answer queued.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app import threads
from app.answers import (
    answered,
    courtesy,
    execute,
    followup_keeps,
    followups,
    grounding,
    llm_planner,
    planner,
    spelling,
)
from app.answers.builder import Builder, compose_out_of_scope
from app.answers.facts import load_facts
from app.answers.lexicon import get_lexicon
from app.answers.plan import DERIVED_METHODS, ROUTED_METHODS, Operation, Plan
from app.answers.rephrase import rephrase as rephrase_answer
from app.answers.retrieval import Hit, get_index
from app.config import Settings
from app.jobs import quota, submit
from app.orm import Post

log = logging.getLogger("actlab.answers")

REMOVED_NOTE = ("Some statements were left out because their numbers could not be traced to the stored data "
                "or to a computation.")


@dataclass
class ComposedAnswer:
    """An answer ready to be stored as a service post."""

    body: str
    citations: list[dict[str, Any]]
    computations: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    quote_ids: list[int]
    meta: dict[str, Any]
    job_id: str | None = None
    grounding: dict[str, Any] = field(default_factory=dict)


def _strip_ungrounded(body: str, bad: list[str]) -> str:
    """Drop each paragraph line that shows an ungrounded number (never reached in the evaluation set)."""
    kept = []
    for line in body.split("\n"):
        tokens = set(grounding.numbers_in(line))
        if tokens & set(bad):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def compose_answer(
    session: Session,
    settings: Settings,
    question: str,
    previous_meta: dict[str, Any] | None = None,
    previous_post_id: int | None = None,
) -> ComposedAnswer:
    """Compose (but do not store) the answer to ``question``, leaning on ``previous_meta`` for follow-ups:
    plan it, execute the plan, then check the numbers and that every part was answered."""
    started = time.perf_counter()
    lexicon = get_lexicon(session)
    facts = load_facts(session)
    index = get_index(facts, str(session.get_bind().engine.url))
    question, spelt = spelling.corrected(courtesy.without_courtesy(question), lexicon)
    plan, entities = planner.plan_question(question, lexicon, facts, index, previous_meta, previous_post_id)
    entities.corrections[:0] = spelt
    planned_by = _language_model_plan(question, plan, previous_meta, lexicon, settings)
    if planned_by.plan is not None:
        plan = planned_by.plan
    elif settings.planner_endpoint_url:
        plan.note = f"the language-model plan was not used: {planned_by.reason}"[:500]
    b = Builder(facts)
    failed = False
    try:
        executed = execute.execute(plan, b, session, settings, lexicon, index)
    except SQLAlchemyError:
        raise  # the database is the problem, not the question: the caller answers 503
    except Exception:  # a composition bug must not lose the question: answer honestly and log it
        log.exception("composing the answer to %r failed", question)
        failed = True
        b = Builder(facts)
        compose_out_of_scope(b, honest_miss=True)
        plan = Plan(operations=[Operation(kind="decline", method="out_of_scope", asked=question,
                                          rule="composition failed; logged")])
        executed = execute.Executed([], [execute.Span((0, len(b.parts)), (0, 0), (0, 0))])
    if previous_meta and planner.asks_sources(question):
        _name_sources(b)
    answered_check = answered.check(plan, b, executed.spans, lexicon.group_members)
    if not answered_check["ok"]:
        log.info("answer to %r did not pass the answered check: %s", question, answered_check)
    composed = _finish(b, plan, answered_check, entities, executed.hits, question, settings, facts, lexicon, started)
    if failed:
        composed.meta["intent"] = "error"
    composed.meta["planner"] = planned_by.to_meta()
    composed.meta["thread_subjects"] = followups.thread_subjects(previous_meta, entities,
                                                                followups.ranked_row(plan, facts))
    composed.meta["thread_fields"] = followup_keeps.thread_fields(plan, previous_meta)
    composed.meta["thread_papers"] = followup_keeps.thread_papers(plan, previous_meta)
    return composed


def _name_sources(b: Builder) -> None:
    """'source?' after an answer: the stored sources of the re-asked answer, named before it."""
    labels = list(dict.fromkeys(str(c.get("label")) for c in b.citations if c.get("kind") != "computation"
                                and c.get("label")))
    if labels:
        b.parts.insert(0, "Sources: " + "; ".join(labels[:6]) + ".")


def _language_model_plan(question: str, rules: Plan, previous_meta: dict[str, Any] | None, lexicon: Any,
                         settings: Settings) -> llm_planner.LanguagePlan:
    """The optional language-model plan (off unless a planner endpoint is configured); the rule plan is
    what a follow-up's earlier answer stored, and whether the question is a follow-up stays the rules' call."""
    if not settings.planner_endpoint_url:
        return llm_planner.LanguagePlan(None, "planner is off", 0.0)
    previous: Plan | None = None
    if previous_meta and isinstance(previous_meta.get("plan"), dict):
        try:
            previous = Plan.model_validate(previous_meta["plan"])
        except ValueError:
            previous = None
    return llm_planner.plan_with_language_model(question, previous, planner.vocabulary(lexicon), settings,
                                                follow_up_of=rules.follow_up_of)


def _finish(
    b: Builder, plan: Plan, answered_check: dict[str, Any], entities: Any, hits: list[Hit], question: str,
    settings: Settings, facts: Any, lexicon: Any, started: float,
) -> ComposedAnswer:
    """Cite the computations, check every number, optionally rephrase, and record how it was answered."""
    for comp in b.computations:
        b.cite({"kind": "computation", "name": comp["name"],
                "label": f"Computed by this service: {comp.get('label') or comp['name']}",
                "url": _computation_url(comp)})
    body = b.text()
    report = grounding.check(body, b.citations, b.computations, facts, lexicon, b.quoted_names)
    removed: list[str] = []
    if not report.ok:
        log.warning("answer to %r had ungrounded numbers %s %s", question, report.ungrounded, report.problems)
        removed = list(report.ungrounded)
        body = _strip_ungrounded(body, report.ungrounded)
        body = (body + "\n\n" if body else "") + REMOVED_NOTE
        report = grounding.check(body, b.citations, b.computations, facts, lexicon, b.quoted_names)
    outcome = rephrase_answer(body, settings)
    if outcome.accepted:
        second = grounding.check(outcome.text, b.citations, b.computations, facts, lexicon, b.quoted_names)
        if second.ok:
            body = outcome.text
        else:
            outcome = type(outcome)(body, False, f"grounding failed: {second.ungrounded}")
    elapsed_ms = (time.perf_counter() - started) * 1000
    meta: dict[str, Any] = {
        "question": question,
        "normalized": entities.text,
        "corrections": [list(x) for x in entities.corrections],
        "entities": entities.to_meta(),
        "intent": intent_name(plan),
        "rule": "; ".join(op.rule for op in plan.operations if op.rule),
        "follow_up_of": plan.follow_up_of,
        "slots": plan.operations[-1].slots.model_dump(),
        "plan": plan.model_dump(mode="json"),
        "answered": answered_check,
        "sources": [x.get("label") for x in b.citations],
        "computations": [{"name": x["name"], "label": x.get("label", ""), "outputs": x.get("outputs", {})}
                         for x in b.computations],
        "computation_specs": [{"name": x["name"], "params": x["params"]} for x in b.computations],
        "retrieval": [h.to_meta() for h in hits],
        "grounding": {**report.to_dict(), "removed": removed},
        "rephrased": outcome.to_meta(),
        "compose_ms": round(elapsed_ms, 2),
    }
    return ComposedAnswer(body, b.citations, b.computations, b.attachments, b.quote_ids, meta, b.job_id,
                          meta["grounding"])


def intent_name(plan: Plan) -> str:
    """The intent name older readers of an answer's metadata know: the first operation's, as the composers
    name it (a ranking is a 'best' answer, a derived answer its kind)."""
    method = plan.operations[0].method
    return method if method in DERIVED_METHODS else ROUTED_METHODS.get(method, method)


def _computation_url(comp: dict[str, Any]) -> str | None:
    params = comp.get("params", {})
    if comp["name"] == "approx_error":
        return f"/activations/{params['fn']}"
    if comp["name"] in ("activation_value", "extremum"):
        return f"/activations/{params['fn']}"
    return None


def context_for(session: Session, thread_id: int, parent_id: int | None) -> tuple[dict[str, Any] | None, int | None]:
    """The earlier answer a follow-up leans on: the parent if the service wrote it, else the service's
    reply to the parent, else the thread's latest answer."""
    candidate: Post | None = None
    if parent_id is not None:
        parent = session.get(Post, parent_id)
        if parent is not None and parent.author_kind == "service":
            candidate = parent
        elif parent is not None:
            candidate = session.scalar(
                select(Post).where(Post.parent_id == parent.id, Post.author_kind == "service").order_by(Post.id.desc())
            )
    if candidate is not None and candidate.hidden_at is not None:  # hidden by a moderator: not leaned on
        candidate = None
    if candidate is None:
        candidate = threads.latest_service_post(session, thread_id)
    if candidate is None or not candidate.answer_meta or "slots" not in candidate.answer_meta:
        return None, None
    return candidate.answer_meta, candidate.id


@dataclass
class Asked:
    """What :func:`ask` stored."""

    thread_id: int
    question_post_id: int
    answer_post_id: int
    answer: ComposedAnswer


def ask(
    session: Session,
    settings: Settings,
    question: str,
    *,
    thread_id: int | None = None,
    parent_id: int | None = None,
    display_name: str | None = None,
    client: str | None = None,
) -> Asked:
    """Store the question (a new thread when ``thread_id`` is None) and the service's answer to it.

    Everything is added to ``session``; the caller commits once, so the question never exists without
    its answer. Raises InvalidInputError (422) naming the field for bad input. A comparison the question
    starts counts against ``client``'s quota of unfinished jobs (app.jobs.quota).

    The answer is composed first, from reads only, and both posts are written after it: composing is the
    slow part, and a write taken before it would hold SQLite's write lock (and PostgreSQL's lock on the
    thread row) for all of it, making every other writer wait. The ids and order are those of the write
    order, so concurrent questions in one thread still get question, answer, question, answer.
    """
    text = threads.validate_question(settings, question)
    name = threads.validate_display_name(settings, display_name)
    previous_meta: dict[str, Any] | None = None
    previous_id: int | None = None
    if thread_id is None:
        if parent_id is not None:
            from app.domain import InvalidInputError

            raise InvalidInputError("body.parent_id", "a reply needs thread_id as well")
    else:
        thread_id = threads.get_thread_row(session, thread_id).id
        previous_meta, previous_id = context_for(session, thread_id, parent_id)
    with quota.submitting_as(client):
        answer = compose_answer(session, settings, text, previous_meta, previous_id)
    question_new = threads.NewPost(body=text, display_name=name, parent_id=parent_id)
    if thread_id is None:
        thread, question_post = threads.create_thread(
            session, settings, threads.title_from_question(settings, text), question_new
        )
    else:
        thread = threads.get_thread_row(session, thread_id)
        question_post = threads.add_post(session, settings, thread.id, question_new)
    answer_post = threads.add_post(
        session, settings, thread.id,
        threads.NewPost(
            body=answer.body, author_kind="service", parent_id=question_post.id,
            quote_ids=tuple(q for q in answer.quote_ids if q != question_post.id)[: settings.post_quotes_max],
            attachments=tuple(answer.attachments), citations=tuple(answer.citations), answer_meta=answer.meta,
        ),
    )
    return Asked(thread.id, question_post.id, answer_post.id, answer)


def publish_job_if_needed(settings: Settings, asked: Asked) -> None:
    """With the Celery backend a queued comparison is announced to the workers after the commit."""
    if asked.answer.job_id:
        submit.announce(settings, asked.answer.job_id)


def ask_and_commit(
    session: Session,
    settings: Settings,
    question: str,
    *,
    thread_id: int | None = None,
    parent_id: int | None = None,
    display_name: str | None = None,
    client: str | None = None,
) -> Asked:
    """:func:`ask`, commit, then announce a queued comparison: the question's whole life in one call."""
    asked = ask(session, settings, question, thread_id=thread_id, parent_id=parent_id, display_name=display_name,
                client=client)
    session.commit()
    publish_job_if_needed(settings, asked)
    return asked
