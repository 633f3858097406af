"""``POST /api/v1/questions``: ask a question; the service answers in a thread, with its sources.

The question becomes a post (in a new thread, or in ``thread_id`` as a reply to ``parent_id``) and the
answer a service post replying to it, in one transaction. An answer never states a number it cannot
cite; "how this was answered" (``answer_meta``) lists the entities, the intent, the sources and the
computations used.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app import threads
from app.answers import pipeline as answers
from app.api.schemas.questions import QuestionAnswered
from app.documents.threads import thread_document
from app.http.deps import SessionDep, SettingsDep
from app.http.inputs import StorableText
from app.http.jobs import client_of
from app.http.openapi import NON_BLANK, limit_from
from app.http.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["questions"])
ANSWERED: dict[int | str, dict[str, Any]] = {
    201: {"model": QuestionAnswered, "description": "The question and its answer, stored."}
}


class QuestionIn(BaseModel):
    """A question, optionally in an existing thread (follow-ups lean on that thread's earlier answers)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    question: StorableText = Field(
        pattern=NON_BLANK,
        description="Limit: ACTLAB_QUESTION_MAX_CHARS.",
        json_schema_extra=limit_from(max_length="question_max_chars"),
    )
    thread_id: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Ask in this thread (default: a new thread)."
    )
    parent_id: int | None = Field(None, ge=1, le=2**63 - 1, description="Reply to this post of the thread.")
    display_name: StorableText | None = Field(
        None,
        description="Limit: ACTLAB_DISPLAY_NAME_MAX_CHARS.",
        json_schema_extra=limit_from(max_length="display_name_max_chars"),
    )


@router.post(
    "/questions",
    status_code=201,
    responses=ANSWERED | problem_responses(404, 413, 422, 429),
)
def ask_question(body: QuestionIn, request: Request, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Answer a question: 201 with ``thread`` (posts as a tree), ``question_post`` and ``post`` (the answer,
    with ``citations``, ``attachments`` and ``answer_meta``)."""
    asked = answers.ask_and_commit(
        session, settings, body.question, thread_id=body.thread_id, parent_id=body.parent_id,
        display_name=body.display_name, client=client_of(request, settings),
    )
    doc = thread_document(session, asked.thread_id)
    posts = {p["id"]: p for _, p in threads.flatten_tree(doc["posts"])}
    out: dict[str, Any] = {
        "thread": doc,
        "question_post": posts[asked.question_post_id],
        "post": posts[asked.answer_post_id],
    }
    return JSONResponse(out, status_code=201,
                        headers={"Location": f"/api/v1/threads/{asked.thread_id}#post-{asked.answer_post_id}"})
