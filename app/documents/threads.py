"""Threads and posts as documents: the JSON resources of ``/api/v1/threads`` and the data of the pages.

A thread is read as a tree of posts, each with its Markdown source, the sanitized HTML, quotes as
embeds and the service's metadata; a hidden post keeps its place as a placeholder. The page also
resolves each post's attachments (an inline chart, the rows of a paper table, a comparison's status),
so both surfaces show the same thing and the API only adds links.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app import paper_tables
from app.clock import iso_utc
from app.jobs import queue
from app.markup import excerpt, render_markdown
from app.orm import Post, Thread
from app.plots.attachments import curve_svg
from app.threads import (
    ANONYMOUS_NAME,
    HIDDEN_TEXT,
    HIDDEN_TITLE,
    SERVICE_NAME,
    PostNotFoundError,
    build_tree,
    flatten_tree,
    get_thread_row,
)

log = logging.getLogger("actlab.web")


def thread_summary(thread: Thread, title_hidden: bool = False) -> dict[str, Any]:
    return {
        "id": thread.id,
        "title": HIDDEN_TITLE if title_hidden else thread.title,
        "curated": thread.curated_key is not None,
        "curated_key": thread.curated_key,
        "post_count": thread.post_count,
        "created_at": iso_utc(thread.created_at),
        "updated_at": iso_utc(thread.updated_at),
        "url": f"/api/v1/threads/{thread.id}",
        "html_url": f"/threads/{thread.id}",
    }


def hidden_titles(session: Session, thread_ids: list[int]) -> set[int]:
    """The threads among ``thread_ids`` whose first post (the one that gave the title) is hidden."""
    if not thread_ids:
        return set()
    first = (
        select(func.min(Post.id).label("id")).where(Post.thread_id.in_(thread_ids)).group_by(Post.thread_id)
    ).subquery()
    hidden = select(Post.thread_id).where(Post.id.in_(select(first.c.id)), Post.hidden_at.is_not(None))
    return set(session.scalars(hidden))


def list_threads(session: Session, limit: int, offset: int, curated: bool | None = None) -> tuple[
    list[dict[str, Any]], int
]:
    """Threads, most recently active first (curated explanations can be filtered in or out)."""
    stmt = select(Thread)
    count = select(func.count()).select_from(Thread)
    if curated is not None:
        cond = Thread.curated_key.is_not(None) if curated else Thread.curated_key.is_(None)
        stmt, count = stmt.where(cond), count.where(cond)
    total = int(session.scalar(count) or 0)
    rows = list(
        session.scalars(stmt.order_by(Thread.updated_at.desc(), Thread.id.desc()).limit(limit).offset(offset))
    )
    hidden = hidden_titles(session, [t.id for t in rows])
    return [thread_summary(t, t.id in hidden) for t in rows], total


def post_item(post: Post, quoted: dict[int, Post], thread_titles: dict[int, str]) -> dict[str, Any]:
    """The JSON form of a post: Markdown source, sanitized HTML, quotes as embeds, service metadata.
    A hidden post keeps its place in the tree with ``hidden: true`` and none of its content."""
    base = {
        "id": post.id,
        "thread_id": post.thread_id,
        "parent_id": post.parent_id,
        "author_kind": post.author_kind,
        "hidden": post.hidden_at is not None,
        "created_at": iso_utc(post.created_at),
        "html_url": f"/threads/{post.thread_id}#post-{post.id}",
    }
    if post.hidden_at is not None:
        return {
            **base,
            "display_name": None,
            "body": "",
            "body_html": f"<p><em>{HIDDEN_TEXT}</em></p>",
            "quotes": [],
            "attachments": [],
            "citations": [],
            "answer_meta": None,
        }
    quotes = []
    for q in post.quotes:
        target = quoted.get(q.quoted_post_id)
        if target is None:
            continue
        shown = target.hidden_at is None
        quotes.append(
            {
                "post_id": target.id,
                "thread_id": target.thread_id,
                "thread_title": thread_titles.get(target.thread_id, ""),
                "author_kind": target.author_kind,
                "hidden": not shown,
                "display_name": (target.display_name or ANONYMOUS_NAME) if shown else None,
                "excerpt": excerpt(target.body) if shown else HIDDEN_TEXT,
                "html_url": f"/threads/{target.thread_id}#post-{target.id}",
            }
        )
    return {
        **base,
        "display_name": post.display_name or (SERVICE_NAME if post.author_kind == "service" else ANONYMOUS_NAME),
        "body": post.body,
        "body_html": render_markdown(post.body),
        "quotes": quotes,
        "attachments": list(post.attachments or []),
        "citations": list(post.citations or []),
        "answer_meta": post.answer_meta,
    }


def _load_quoted(session: Session, posts: list[Post]) -> tuple[dict[int, Post], dict[int, str]]:
    ids = {q.quoted_post_id for p in posts for q in p.quotes}
    quoted = {p.id: p for p in session.scalars(select(Post).where(Post.id.in_(ids)))} if ids else {}
    thread_ids = {p.thread_id for p in quoted.values()}
    titles = (
        dict(session.execute(select(Thread.id, Thread.title).where(Thread.id.in_(thread_ids))).all())
        if thread_ids
        else {}
    )
    for thread_id in hidden_titles(session, sorted(thread_ids)):
        titles[thread_id] = HIDDEN_TITLE
    return quoted, titles


def get_thread(session: Session, thread_id: int) -> dict[str, Any]:
    """A thread with its posts as a tree (the JSON resource and the page's data)."""
    thread = get_thread_row(session, thread_id)
    posts = list(
        session.scalars(
            select(Post).where(Post.thread_id == thread.id).options(selectinload(Post.quotes)).order_by(Post.id)
        )
    )
    quoted, titles = _load_quoted(session, posts)
    items = [post_item(p, quoted, titles) for p in posts]
    out = thread_summary(thread, title_hidden=bool(posts) and posts[0].hidden_at is not None)
    out["post_count"] = len(items)
    out["posts"] = build_tree(items)
    return out


def get_post(session: Session, post_id: int) -> dict[str, Any]:
    post = session.scalar(select(Post).where(Post.id == post_id).options(selectinload(Post.quotes)))
    if post is None:
        raise PostNotFoundError(post_id, "post_id")
    quoted, titles = _load_quoted(session, [post])
    item = post_item(post, quoted, titles)
    item["replies"] = []
    return item


def moderation_view(post: Post) -> dict[str, Any]:
    """What the admin sees after hiding or unhiding: the post as stored, with its moderation state."""
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "hidden": post.hidden_at is not None,
        "hidden_at": iso_utc(post.hidden_at),
        "hidden_reason": post.hidden_reason,
        "author_kind": post.author_kind,
        "display_name": post.display_name,
        "body": post.body,
        "html_url": f"/threads/{post.thread_id}#post-{post.id}",
    }


def thread_document(session: Session, thread_id: int) -> dict[str, Any]:
    """The thread JSON with links for each attachment (the page resolves them to plots and tables)."""
    doc = get_thread(session, thread_id)
    for _, post in flatten_tree(doc["posts"]):
        post["attachments"] = [with_links(a) for a in post["attachments"]]
    doc["links"] = {"self": f"/api/v1/threads/{thread_id}", "page": f"/threads/{thread_id}",
                    "posts": f"/api/v1/threads/{thread_id}/posts", "ask": "/api/v1/questions"}
    return doc


def post_document(session: Session, post_id: int) -> dict[str, Any]:
    """One post as the API returns it after storing it: the post JSON with its attachments' links."""
    item = get_post(session, post_id)
    item["attachments"] = [with_links(a) for a in item["attachments"]]
    return item


def with_links(attachment: dict[str, Any]) -> dict[str, Any]:
    out = dict(attachment)
    kind = attachment.get("kind")
    if kind == "paper_table":
        out["url"] = f"/api/v1/papers/{attachment['paper']}/tables/{attachment['table']}"
    elif kind == "curve" and attachment.get("error_of"):
        fn = attachment["functions"][0]
        out["url"] = (f"/api/v1/activations/{fn}/error?reference={attachment['error_of']}"
                      f"&xmin={attachment['xmin']:g}&xmax={attachment['xmax']:g}&curve=true")
    elif kind == "curve":
        fns = "&".join(f"fn={f}" for f in attachment.get("functions", []))
        out["url"] = f"/api/v1/curves?{fns}&xmin={attachment['xmin']:g}&xmax={attachment['xmax']:g}"
    elif kind == "job":
        out["url"] = f"/api/v1/comparisons/{attachment['job_id']}"
        out["page"] = f"/comparisons/{attachment['job_id']}"
    return out


def table_excerpt(session: Session, attachment: dict[str, Any]) -> dict[str, Any]:
    """The rows (and columns) of a paper table an answer refers to, values as printed."""
    table = paper_tables.paper_table(session, attachment["paper"], int(attachment["table"]))
    wanted_rows = set(attachment.get("rows") or [])
    wanted_cols = attachment.get("columns") or []
    keep = [i for i, c in enumerate(table["columns"]) if not wanted_cols or c["label"] in wanted_cols]
    rows = [r for r in table["rows"] if not wanted_rows or r["variant"] in wanted_rows]
    return {
        "paper": table["paper"], "number": table["number"], "title": table["title"], "source": table["source"],
        "columns": [table["columns"][i] for i in keep],
        "rows": [{**r, "cells": [r["cells"][i] for i in keep]} for r in rows],
    }


def job_summary(session: Session, job_id: str) -> dict[str, Any]:
    """Status of a comparison job and, once it succeeded, each variant's final loss and the verdicts."""
    try:
        job = queue.get_job(session, job_id)
    except queue.JobNotFoundError:
        return {"job_id": job_id, "status": "missing"}
    out: dict[str, Any] = {"job_id": job.id, "status": job.status, "progress": job.progress,
                           "page": f"/comparisons/{job.id}", "error": job.error}
    results = job.results or {}
    if job.status == "succeeded" and results:
        out["variants"] = [
            {"variant": v.get("variant"), "mean": v.get("final_val_loss", {}).get("mean"),
             "std": v.get("final_val_loss", {}).get("std"), "runs": len(v.get("final_val_loss", {}).get("values", []))}
            for v in results.get("variants", [])
        ]
        out["ranking"] = results.get("ranking", [])
        out["verdicts"] = [p.get("verdict") for p in results.get("pairs", []) if p.get("verdict")]
    return out


def resolve_attachments(session: Session, post: dict[str, Any]) -> list[dict[str, Any]]:
    """A post's attachments with what the page shows for each; one whose data changed is marked unavailable."""
    out = []
    for attachment in post.get("attachments", []):
        kind = attachment.get("kind")
        try:
            if kind == "curve":
                svg = curve_svg(tuple(attachment["functions"]), float(attachment["xmin"]), float(attachment["xmax"]),
                                attachment.get("error_of"))
                out.append({**attachment, "svg": svg})
            elif kind == "paper_table":
                out.append({**attachment, "table_data": table_excerpt(session, attachment)})
            elif kind == "job":
                out.append({**attachment, "job": job_summary(session, attachment["job_id"])})
        except (LookupError, ValueError) as exc:  # data changed since the post was written
            log.warning("attachment %s of post %s cannot be shown: %s", attachment, post.get("id"), exc)
            out.append({**attachment, "unavailable": True})
    return out


def quoted_post(session: Session, post_id: int) -> dict[str, Any]:
    """The post a reply form quotes, with the excerpt shown above the form (a placeholder when hidden)."""
    post = get_post(session, post_id)
    post["excerpt"] = excerpt(post["body"])
    if post["hidden"]:
        post["display_name"], post["excerpt"] = "a hidden post", HIDDEN_TEXT
    return post
