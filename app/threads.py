"""Threads and posts: create, reply, quote and moderate them; the tree shape they are read in.

Why it is built this way:

* **Markdown in, sanitized HTML out, at read time** (``app.markup``); reading threads and posts as
  documents is ``app.documents.threads``; this module holds the rules and the writes.
* **Limits come from Settings** and a violation raises :class:`InvalidInputError` naming the field, so the
  API answers 422 problem+json the same way everywhere.
* **Atomic writes.** Functions here only add rows to the caller's session; the caller commits once (the
  API's session dependency, ``session_scope`` in the CLI), so a thread never exists without its first
  post, and a question never without its answer.
* **Bounded shapes.** Replies nest at most ``reply_depth_max`` deep and a thread holds at most
  ``thread_posts_max`` posts, so a tree can always be serialized and rendered without deep recursion.
* **Moderation hides, it does not delete.** A post an admin hid keeps its place (id, parent, replies), so
  reply trees and links stay intact; every read shows it as a "hidden by a moderator" placeholder without
  its text, author name, attachments or citations — in threads, in quotes of it, and in the thread title
  when it is the thread's first post. The row itself is kept (and exported) until it is unhidden.
* **Timestamps are UTC** with an explicit offset on every database (SQLite hands back naive values).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.config import Settings
from app.domain import InvalidInputError, NotFoundError
from app.names import has_visible, looks_like, visible_text
from app.orm import Post, PostQuote, Thread

SERVICE_NAME = "Activation Lab"
ANONYMOUS_NAME = "Anonymous"
HIDDEN_TEXT = "This post was hidden by a moderator."
HIDDEN_TITLE = "(title hidden by a moderator)"
HIDDEN_REASON_MAX_CHARS = 500
AUTHOR_KINDS = ("person", "service")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ThreadNotFoundError(NotFoundError):
    """No thread with this id (the API answers 404)."""

    def __init__(self, thread_id: int) -> None:
        super().__init__(f"no thread {thread_id}", "path.thread_id", "no such thread")
        self.thread_id = thread_id


class PostNotFoundError(NotFoundError):
    """No post with this id (the API answers 404)."""

    def __init__(self, post_id: int, field: str = "path.post_id") -> None:
        super().__init__(f"{field}: no post {post_id}", field, f"no post {post_id}", "value_error")
        self.post_id = post_id


# --------------------------------------------------------------------------------------------------
# Validation: one function per input, each names its field
# --------------------------------------------------------------------------------------------------


def _clean_line(value: str) -> str:
    """NFKC, no control, format or blank-filler characters, spaces collapsed: a title or name is one line of
    text made of what it shows (``app.names``)."""
    value = visible_text(value)
    value = _CONTROL.sub("", value).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return " ".join(value.split())


def _empty(field: str, raw: str) -> InvalidInputError:
    """Nothing sent, or only characters that show nothing (zero-width, bidi controls, fillers)."""
    return InvalidInputError(field, "has no visible characters" if raw.split() else "must not be empty")


def validate_title(settings: Settings, title: str, field: str = "body.title") -> str:
    cleaned = _clean_line(title)
    if not cleaned:
        raise _empty(field, title)
    if len(cleaned) > settings.thread_title_max_chars:
        raise InvalidInputError(
            field, f"at most {settings.thread_title_max_chars} characters, got {len(cleaned)}",
            settings.thread_title_max_chars,
        )
    return cleaned


def validate_body(settings: Settings, body: str, field: str = "body.body") -> str:
    cleaned = _CONTROL.sub("", unicodedata.normalize("NFC", body).replace("\r\n", "\n")).strip()
    if not has_visible(cleaned):
        raise _empty(field, cleaned)
    if len(cleaned) > settings.post_body_max_chars:
        raise InvalidInputError(
            field, f"at most {settings.post_body_max_chars} characters, got {len(cleaned)}",
            settings.post_body_max_chars,
        )
    return cleaned


def validate_display_name(settings: Settings, name: str | None, field: str = "body.display_name") -> str | None:
    if name is None:
        return None
    cleaned = _clean_line(name)
    if not cleaned:
        if name.split():  # something was typed, but nothing of it shows
            raise _empty(field, name)
        return None
    if len(cleaned) > settings.display_name_max_chars:
        raise InvalidInputError(
            field, f"at most {settings.display_name_max_chars} characters, got {len(cleaned)}",
            settings.display_name_max_chars,
        )
    if looks_like(cleaned, SERVICE_NAME):  # also with look-alike letters, other spacing or accents
        raise InvalidInputError(field, f"'{SERVICE_NAME}' is the service's own name")
    return cleaned


def validate_question(settings: Settings, question: str, field: str = "body.question") -> str:
    cleaned = _CONTROL.sub("", unicodedata.normalize("NFC", question)).strip()
    if not has_visible(cleaned):
        raise _empty(field, cleaned)
    if len(cleaned) > settings.question_max_chars:
        raise InvalidInputError(
            field, f"at most {settings.question_max_chars} characters, got {len(cleaned)}",
            settings.question_max_chars,
        )
    return cleaned


_CUT_MARK = "..."


def title_from_question(settings: Settings, question: str) -> str:
    """A thread title made from a question: one line, cut at a word boundary to the title limit.

    The mark of the cut is "..." rather than "…": titles are NFKC-normalised when stored, which turns "…"
    into three characters, and a cut question would then exceed the very limit it was cut to."""
    line = _clean_line(question)
    limit = settings.thread_title_max_chars
    if len(line) <= limit:
        return line
    room = limit - len(_CUT_MARK)
    cut = line[:room].rsplit(" ", 1)[0] or line[:room]
    return cut + _CUT_MARK


# --------------------------------------------------------------------------------------------------
# Writes (the caller commits)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPost:
    """What a new post holds. Attachments, citations and answer_meta are written by the service only."""

    body: str
    author_kind: str = "person"
    display_name: str | None = None
    parent_id: int | None = None
    quote_ids: tuple[int, ...] = ()
    attachments: tuple[dict[str, Any], ...] = ()
    citations: tuple[dict[str, Any], ...] = ()
    answer_meta: dict[str, Any] | None = None


def get_thread_row(session: Session, thread_id: int) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise ThreadNotFoundError(thread_id)
    return thread


def create_thread(
    session: Session, settings: Settings, title: str, first: NewPost, *, curated_key: str | None = None
) -> tuple[Thread, Post]:
    """A thread and its first post, added to the session together (one commit writes both or neither)."""
    clean_title = validate_title(settings, title)
    now = utcnow()
    thread = Thread(title=clean_title, curated_key=curated_key, created_at=now, updated_at=now, post_count=0)
    session.add(thread)
    session.flush()
    post = add_post(session, settings, thread.id, first)
    return thread, post


def add_post(session: Session, settings: Settings, thread_id: int, new: NewPost) -> Post:
    """Validate and add one post to a thread; raises InvalidInputError naming the offending field."""
    if new.author_kind not in AUTHOR_KINDS:
        raise InvalidInputError("body.author_kind", f"must be one of {', '.join(AUTHOR_KINDS)}")
    service = new.author_kind == "service"
    # The service's own answers are not bound by the limits for anonymous posters (they are composed
    # from stored data, and a long comparison table is still one answer).
    body = validate_body(settings, new.body) if not service else validate_body(
        settings.model_copy(update={"post_body_max_chars": max(settings.post_body_max_chars, 200_000)}), new.body
    )
    name = validate_display_name(settings, new.display_name) if not service else SERVICE_NAME
    thread = get_thread_row(session, thread_id)

    depth = 0
    if new.parent_id is not None:
        parent = session.get(Post, new.parent_id)
        if parent is None or parent.thread_id != thread.id:
            raise InvalidInputError("body.parent_id", f"post {new.parent_id} is not in thread {thread.id}")
        depth = parent_depth(session, parent) + 1
        if depth > settings.reply_depth_max + (1 if service else 0):
            raise InvalidInputError(
                "body.parent_id",
                f"replies nest at most {settings.reply_depth_max} deep; reply to an earlier post",
                settings.reply_depth_max,
            )

    if len(new.quote_ids) > settings.post_quotes_max:  # counted as sent, repeats included (as the schema says)
        raise InvalidInputError(
            "body.quote_ids", f"at most {settings.post_quotes_max} quotes, got {len(new.quote_ids)}",
            settings.post_quotes_max,
        )
    quote_ids = list(dict.fromkeys(new.quote_ids))
    if quote_ids:
        found = set(session.scalars(select(Post.id).where(Post.id.in_(quote_ids))))
        missing = [q for q in quote_ids if q not in found]
        if missing:
            raise InvalidInputError("body.quote_ids", f"no post {', '.join(map(str, missing))}")

    # Reserve a slot atomically: the UPDATE only succeeds while the thread is below its limit.
    reserved = session.execute(
        update(Thread)
        .where(Thread.id == thread.id, Thread.post_count < settings.thread_posts_max)
        .values(post_count=Thread.post_count + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(reserved, "rowcount", 1) == 0:
        raise InvalidInputError(
            "path.thread_id", f"thread {thread.id} is full ({settings.thread_posts_max} posts)",
            settings.thread_posts_max,
        )
    post = Post(
        thread_id=thread.id,
        parent_id=new.parent_id,
        author_kind=new.author_kind,
        display_name=name,
        body=body,
        attachments=list(new.attachments),
        citations=list(new.citations),
        answer_meta=new.answer_meta,
        created_at=utcnow(),
    )
    session.add(post)
    session.flush()
    for position, quoted in enumerate(quote_ids):
        session.add(PostQuote(post_id=post.id, quoted_post_id=quoted, position=position))
    session.flush()
    session.expire(thread, ["post_count", "updated_at"])
    return post


def parent_depth(session: Session, post: Post) -> int:
    """How deep ``post`` sits (0 = top level), following parents; bounded by the depth limit."""
    depth = 0
    current = post
    while current.parent_id is not None and depth < 10_000:
        parent = session.get(Post, current.parent_id)
        if parent is None:
            break
        depth += 1
        current = parent
    return depth


# --------------------------------------------------------------------------------------------------
# Moderation (admin only; the API checks the token)
# --------------------------------------------------------------------------------------------------


def set_hidden(session: Session, post_id: int, hidden: bool, reason: str | None = None) -> Post:
    """Hide a post (shown as a placeholder from now on) or show it again; idempotent. The caller commits."""
    post = session.get(Post, post_id)
    if post is None:
        raise PostNotFoundError(post_id)
    if hidden:
        note = _clean_line(reason)[:HIDDEN_REASON_MAX_CHARS] if reason else None
        if post.hidden_at is None:
            post.hidden_at = utcnow()
        post.hidden_reason = note or post.hidden_reason
    else:
        post.hidden_at, post.hidden_reason = None, None
    session.flush()
    return post


# --------------------------------------------------------------------------------------------------
# The tree a thread is read in
# --------------------------------------------------------------------------------------------------


def build_tree(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest posts under their parents (``replies``), keeping creation order at each level."""
    by_parent: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    ids = {i["id"] for i in items}
    for item in items:
        parent = item["parent_id"] if item["parent_id"] in ids else None
        by_parent[parent].append(item)
    for item in items:
        item["replies"] = by_parent.get(item["id"], [])
    return by_parent.get(None, [])


def flatten_tree(roots: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(depth, post) in reading order, without recursion (pages indent by depth)."""
    out: list[tuple[int, dict[str, Any]]] = []
    stack: list[tuple[int, dict[str, Any]]] = [(0, r) for r in reversed(roots)]
    while stack:
        depth, item = stack.pop()
        out.append((depth, item))
        stack.extend((depth + 1, child) for child in reversed(item["replies"]))
    return out


def latest_service_post(session: Session, thread_id: int, before_id: int | None = None) -> Post | None:
    """The most recent answer in a thread (what a follow-up question leans on)."""
    stmt = select(Post).where(Post.thread_id == thread_id, Post.author_kind == "service", Post.hidden_at.is_(None))
    if before_id is not None:
        stmt = stmt.where(Post.id < before_id)
    return session.scalar(stmt.order_by(Post.id.desc()).limit(1))
