"""What a thread page shows, summed up in one comparable value, so its rendered posts can be kept until
something they show changes.

The posts of a thread page depend on its posts (added, hidden or shown again), on the posts they quote,
which may sit in other threads (hidden or not, and whether their thread's title is hidden) and on the
thread row itself (``updated_at`` moves with every post). A few aggregate queries read all of that without
loading a post; the page's attachments that change on their own (a comparison still running) are the
caller's to leave uncached.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session, aliased

from app.documents.threads import hidden_titles, thread_summary
from app.orm.threads import Post, PostQuote
from app.threads import get_thread_row

#: Job states after which a comparison attached to a post no longer changes.
SETTLED_JOB_STATES = frozenset({"succeeded", "failed", "cancelled", "missing"})


@dataclass(frozen=True)
class ThreadState:
    """The thread's summary (title, curated, counts) and a digest of everything its posts show."""

    summary: dict[str, Any]
    version: str


_hidden_id = case((Post.hidden_at.is_not(None), Post.id))
#: The posts' part of the state: how many, which ids, which are hidden and when that last changed.
_POSTS = select(
    func.count(Post.id), func.min(Post.id), func.max(Post.id), func.count(Post.hidden_at),
    func.coalesce(func.sum(_hidden_id), 0), func.min(_hidden_id), func.max(Post.hidden_at),
).where(Post.thread_id == bindparam("thread_id"))
_quoting, _quoted = aliased(Post), aliased(Post)
#: The posts the thread's posts quote: which, in which thread, hidden or not.
_QUOTES = (
    select(_quoted.id, _quoted.thread_id, _quoted.hidden_at.is_not(None))
    .join(PostQuote, PostQuote.quoted_post_id == _quoted.id)
    .join(_quoting, _quoting.id == PostQuote.post_id)
    .where(_quoting.thread_id == bindparam("thread_id"))
    .order_by(_quoted.id)
)


def thread_state(session: Session, thread_id: int) -> ThreadState:
    """The thread's state now; raises ThreadNotFoundError for an unknown thread.

    Asked on every request for a thread's page or JSON, so the statements are built once (building the
    aliases and the aggregate took ten times what the database spends answering them)."""
    thread = get_thread_row(session, thread_id)
    posts = session.execute(_POSTS, {"thread_id": thread.id}).one()
    quotes = session.execute(_QUOTES, {"thread_id": thread.id}).all()
    quoted_threads = sorted({row[1] for row in quotes})
    first_hidden = posts[1] is not None and posts[5] == posts[1]
    parts = (thread.id, thread.updated_at, thread.post_count, thread.title, thread.curated_key, tuple(posts),
             tuple(tuple(row) for row in quotes), sorted(hidden_titles(session, quoted_threads)))
    version = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return ThreadState(thread_summary(thread, title_hidden=first_hidden), version)


def settled(posts: list[dict[str, Any]]) -> bool:
    """Whether none of the posts' resolved attachments is a comparison that may still change."""
    return all(
        a.get("kind") != "job" or a.get("job", {}).get("status") in SETTLED_JOB_STATES
        for post in posts
        for a in post.get("resolved", [])
    )
