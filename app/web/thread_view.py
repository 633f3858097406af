"""The posts of a thread page, rendered once per state of the thread and kept in the response cache.

A 300-post thread took a query per post kind, the Markdown of every post and a long template on every
request. The posts part of the page is the same for every reader (display names and Markdown are the
posters'; nothing in it depends on the request), so it is kept per thread, tagged with a digest of the
thread's state and the dataset revision (app/http/thread_cache.py, which keeps the thread's JSON the same
way): a new post, a post hidden or shown again, or a hidden quoted post makes the tag differ and the posts
render again, in every process, while the stale entry is replaced. What is the reader's own (the
remembered display name prefilled in the form, what was typed before a refusal, the post being replied
to) is rendered around it per request. A page with a comparison still running is not kept: its status
changes without a write to the thread.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.requests import Request

from app import thread_pages, threads
from app.documents import threads as documents
from app.http import thread_cache
from app.web.templating import render

POSTS_TEMPLATE = "_partials/_thread_posts.html"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"


def thread_posts(request: Request, session: Session, thread_id: int) -> tuple[dict[str, Any], Markup]:
    """The thread's summary and its posts as page markup (from the cache when the thread has not changed);
    raises ThreadNotFoundError for an unknown thread."""

    def posts() -> tuple[bytes, bool]:
        doc = documents.get_thread(session, thread_id)
        flat = threads.flatten_tree(doc["posts"])
        for _, post in flat:
            post["resolved"] = documents.resolve_attachments(session, post)
        html = render(request, POSTS_TEMPLATE, {"posts": flat, "thread_id": thread_id})
        return html.encode(), thread_pages.settled([post for _, post in flat])

    state, body, _ = thread_cache.per_state(request, session, thread_id, "thread-posts", HTML_MEDIA_TYPE, posts)
    return state.summary, Markup(body.decode())


def reply_target(session: Session, thread_id: int, post_id: int | None) -> dict[str, Any] | None:
    """The post of this thread a reply link names, or None (unknown, or in another thread)."""
    if post_id is None:
        return None
    try:
        post = documents.get_post(session, post_id)
    except threads.PostNotFoundError:
        return None
    return post if post["thread_id"] == thread_id else None
