"""Response model of ``POST /api/v1/questions``: the thread, the question post and the answer post."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.common import Closed
from app.api.schemas.threads import PostOut, ThreadOut


class QuestionAnswered(Closed):
    thread: ThreadOut = Field(description="The whole thread after the answer, posts as a tree.")
    question_post: PostOut = Field(description="The question as stored, with its replies (the answer among them).")
    post: PostOut = Field(description="The service's answer: citations, attachments and answer_meta.")
