"""``/api/v1/threads``: discussion threads and their posts (replies, quotes), as JSON.

Posting is open to anonymous users with an optional display name; lengths are limited by Settings and
a violation is a 422 problem naming the field. Each write is one transaction: a thread is never stored
without its first post. Hiding a post (``POST /api/v1/posts/{id}/hide``, ``…/unhide``) is for the admin
token only; a hidden post is read back as a "hidden by a moderator" placeholder in its place in the tree.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from app import threads
from app.api.schemas import threads as schemas
from app.documents import threads as documents
from app.http import thread_cache
from app.http.deps import SessionDep, SettingsDep
from app.http.inputs import StorableText
from app.http.openapi import NON_BLANK, limit_from, success
from app.http.pagination import LimitQuery, OffsetQuery, envelope, page_bounds
from app.http.problems import problem_responses
from app.http.security import AdminDep

router = APIRouter(prefix="/api/v1", tags=["threads"])
JSON_MEDIA_TYPE = "application/json"

ThreadId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Thread id.")]
PostId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Post id.")]


class ThreadIn(BaseModel):
    """A new thread: its title and first post (Markdown; raw HTML is shown as text)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    title: StorableText = Field(
        pattern=NON_BLANK,
        description="One line. Limit: ACTLAB_THREAD_TITLE_MAX_CHARS.",
        json_schema_extra=limit_from(max_length="thread_title_max_chars"),
    )
    body: StorableText = Field(
        pattern=NON_BLANK,
        description="Markdown. Limit: ACTLAB_POST_BODY_MAX_CHARS.",
        json_schema_extra=limit_from(max_length="post_body_max_chars"),
    )
    display_name: StorableText | None = Field(
        None,
        description="Shown instead of 'Anonymous'. Limit: ACTLAB_DISPLAY_NAME_MAX_CHARS.",
        json_schema_extra=limit_from(max_length="display_name_max_chars"),
    )


class PostIn(BaseModel):
    """A new post in a thread, optionally a reply to one of its posts and quoting others."""

    model_config = ConfigDict(extra="forbid", strict=True)
    body: StorableText = Field(
        pattern=NON_BLANK,
        description="Markdown. Limit: ACTLAB_POST_BODY_MAX_CHARS.",
        json_schema_extra=limit_from(max_length="post_body_max_chars"),
    )
    parent_id: int | None = Field(None, ge=1, le=2**63 - 1, description="The post this replies to (same thread).")
    quote_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list,
        description="Posts to quote (shown as embeds linking back). Limit: ACTLAB_POST_QUOTES_MAX.",
        json_schema_extra=limit_from(max_items="post_quotes_max"),
    )
    display_name: StorableText | None = Field(
        None,
        description="Limit: ACTLAB_DISPLAY_NAME_MAX_CHARS.",
        json_schema_extra=limit_from(max_length="display_name_max_chars"),
    )


@router.get("/threads", response_model=None, responses=success(schemas.ThreadPage) | problem_responses(422))
def list_threads(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limit: LimitQuery = None,
    offset: OffsetQuery = 0,
    curated: Annotated[bool | None, Query(description="Only the curated explanations (true) or only the rest.")] = None,
) -> dict[str, Any]:
    """Threads, most recently active first (curated explanation threads included)."""
    lim, off = page_bounds(settings, limit, offset)
    items, total = documents.list_threads(session, lim, off, curated)
    return envelope(request, items, total, lim, off)


@router.post(
    "/threads", status_code=201, responses=success(schemas.ThreadOut, 201) | problem_responses(413, 422, 429)
)
def create_thread(body: ThreadIn, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Start a thread with its first post; 201 with the thread (posts as a tree) and its Location."""
    thread, _ = threads.create_thread(
        session, settings, body.title, threads.NewPost(body=body.body, display_name=body.display_name)
    )
    session.commit()
    doc = documents.thread_document(session, thread.id)
    return JSONResponse(doc, status_code=201, headers={"Location": doc["links"]["self"]})


@router.get(
    "/threads/{thread_id}",
    response_model=None,
    responses=success(schemas.ThreadOut) | problem_responses(404, 422),
)
def get_thread(thread_id: ThreadId, request: Request, session: SessionDep) -> Response:
    """A thread with its posts as a tree: each post's ``replies``, quotes as embeds, attachments,
    citations and, for the service's answers, ``answer_meta`` ("how this was answered").

    Built once per state of the thread and kept (``X-Cache: hit``); any write to it shows on the next request."""

    def document() -> tuple[bytes, bool]:  # attachments are links here, so nothing in it changes on its own
        return orjson.dumps(documents.thread_document(session, thread_id)), True

    _, body, hit = thread_cache.per_state(request, session, thread_id, "thread-json", JSON_MEDIA_TYPE, document)
    return Response(body, media_type=JSON_MEDIA_TYPE, headers={"X-Cache": "hit" if hit else "miss"})


@router.post(
    "/threads/{thread_id}/posts",
    status_code=201,
    responses=success(schemas.PostOut, 201) | problem_responses(404, 413, 422, 429),
)
def create_post(thread_id: ThreadId, body: PostIn, session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Add a post (a reply when ``parent_id`` is given; ``quote_ids`` embed other posts)."""
    post = threads.add_post(
        session, settings, thread_id,
        threads.NewPost(body=body.body, display_name=body.display_name, parent_id=body.parent_id,
                        quote_ids=tuple(body.quote_ids)),
    )
    session.commit()
    item = documents.post_document(session, post.id)
    return JSONResponse(item, status_code=201, headers={"Location": f"/api/v1/threads/{thread_id}#post-{post.id}"})


class HideIn(BaseModel):
    """Why the post is hidden (kept for the record; never shown on pages)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    reason: StorableText | None = Field(None, max_length=threads.HIDDEN_REASON_MAX_CHARS)


@router.post(
    "/posts/{post_id}/hide",
    response_model=None,
    responses=success(schemas.ModerationOut) | problem_responses(400, 401, 404, 413, 422, 429),
)
def hide_post(post_id: PostId, _admin: AdminDep, session: SessionDep, body: HideIn | None = None) -> dict[str, Any]:
    """Admin: hide a post. It keeps its place (replies stay attached) and is shown everywhere as "hidden by a
    moderator", without its text or author name; the stored post is returned. Idempotent."""
    post = threads.set_hidden(session, post_id, True, body.reason if body else None)
    session.commit()
    return documents.moderation_view(post)


@router.post(
    "/posts/{post_id}/unhide",
    response_model=None,
    responses=success(schemas.ModerationOut) | problem_responses(401, 404, 413, 422, 429),
)
def unhide_post(post_id: PostId, _admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    """Admin: show a hidden post again. Idempotent."""
    post = threads.set_hidden(session, post_id, False)
    session.commit()
    return documents.moderation_view(post)
