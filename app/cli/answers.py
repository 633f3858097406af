"""``actlab ask "…"``: the same answer as ``POST /api/v1/questions``, printed in the terminal.

By default the question and its answer are stored in a thread like any other (so the printed thread link
works and follow-ups can use ``--thread``); ``--no-save`` only composes and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from app.cli.common import CliError, load_settings, migrate


def register_commands(sub: Any) -> None:
    ask = sub.add_parser("ask", help="answer a question from the stored evidence, with its sources")
    ask.add_argument("question", help="the question, e.g. \"Why does Gemma 2 use GeGLU?\"")
    ask.add_argument("--thread", type=int, help="ask in this thread (follow-ups lean on its earlier answers)")
    ask.add_argument("--parent", type=int, help="reply to this post of the thread")
    ask.add_argument("--name", help="display name for the question post")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--no-save", action="store_true", help="compose and print without storing anything")
    ask.set_defaults(func=cmd_ask)


def print_answer(result: dict[str, Any], out: TextIO) -> None:
    """The answer as Markdown text, then its sources and how it was answered."""
    print(result["body"], file=out)
    citations = result.get("citations") or []
    if citations:
        print("\nSources:", file=out)
        for i, c in enumerate(citations, 1):
            url = f" <{c['url']}>" if c.get("url") else ""
            print(f"  [{i}] {c.get('label')}{url}", file=out)
    meta = result.get("answer_meta") or {}
    print(f"\nHow this was answered: intent {meta.get('intent')} ({meta.get('rule')})", file=out)
    entities = "; ".join(f"{e['text']} → {e['kind']} {e['value']}" for e in meta.get("entities", []))
    if entities:
        print(f"  recognized: {entities}", file=out)
    for comp in meta.get("computations", []):
        outputs = ", ".join(f"{k} = {v}" for k, v in comp.get("outputs", {}).items())
        print(f"  computed: {comp.get('label') or comp.get('name')}: {outputs}", file=out)
    grounding = meta.get("grounding") or {}
    print(f"  numbers checked: {grounding.get('numbers_checked', 0)}, ungrounded: "
          f"{len(grounding.get('ungrounded', []))}", file=out)
    if result.get("thread_id"):
        print(f"\nThread: /threads/{result['thread_id']}#post-{result['answer_post_id']}", file=out)


def cmd_ask(args: argparse.Namespace, out: TextIO | None = None) -> None:
    from app import threads
    from app.answers import pipeline as answers
    from app.db import create_db_engine, make_session_factory, session_scope
    from app.domain import InvalidInputError
    from app.orm import DatasetInfo

    out = out if out is not None else sys.stdout  # looked up now: a stream bound at import may be closed
    settings = load_settings()
    migrate(settings)
    engine = create_db_engine(settings)
    asked: answers.Asked | None = None
    try:
        with session_scope(make_session_factory(engine)) as session:
            if session.get(DatasetInfo, 1) is None:
                raise CliError("no reference data loaded; run `actlab seed` first")
            try:
                if args.no_save:
                    question = threads.validate_question(settings, args.question)
                    meta, previous = (answers.context_for(session, args.thread, args.parent)
                                      if args.thread else (None, None))
                    composed = answers.compose_answer(session, settings, question, meta, previous)
                    result: dict[str, Any] = {"body": composed.body, "citations": composed.citations,
                                              "attachments": composed.attachments, "answer_meta": composed.meta}
                    session.rollback()
                else:
                    asked = answers.ask(session, settings, args.question, thread_id=args.thread,
                                        parent_id=args.parent, display_name=args.name)
                    result = {"body": asked.answer.body, "citations": asked.answer.citations,
                              "attachments": asked.answer.attachments, "answer_meta": asked.answer.meta,
                              "thread_id": asked.thread_id, "question_post_id": asked.question_post_id,
                              "answer_post_id": asked.answer_post_id}
            except InvalidInputError as exc:
                raise CliError(f"{exc.field}: {exc.message}") from exc
            except threads.ThreadNotFoundError as exc:
                raise CliError(str(exc)) from exc
    finally:
        engine.dispose()
    if asked is not None:  # committed when the session scope closed
        answers.publish_job_if_needed(settings, asked)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str), file=out)
    else:
        print_answer(result, out)
