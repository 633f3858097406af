"""Response models of the thread routes: threads, posts as a tree, quotes and moderation."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas.common import Closed, PageFields


class ThreadSummary(Closed):
    id: int
    title: str
    curated: bool
    curated_key: str | None
    post_count: int
    created_at: str
    updated_at: str
    url: str
    html_url: str


class ThreadPage(PageFields):
    items: list[ThreadSummary]


class Quote(Closed):
    post_id: int
    thread_id: int
    thread_title: str
    author_kind: str
    hidden: bool
    display_name: str | None
    excerpt: str
    html_url: str


class PostOut(Closed):
    id: int
    thread_id: int
    parent_id: int | None
    author_kind: str
    hidden: bool
    created_at: str
    html_url: str
    display_name: str | None = Field(description="Null when the post is hidden.")
    body: str
    body_html: str
    quotes: list[Quote]
    attachments: list[dict[str, Any]] = Field(description="Plots, tables and jobs the post refers to, with links.")
    citations: list[dict[str, Any]]
    answer_meta: dict[str, Any] | None = Field(description='"How this was answered", on the service\'s posts.')
    replies: list[PostOut]


class ThreadLinks(Closed):
    self: str
    page: str
    posts: str
    ask: str


class ThreadOut(ThreadSummary):
    posts: list[PostOut]
    links: ThreadLinks


class ModerationOut(Closed):
    id: int
    thread_id: int
    hidden: bool
    hidden_at: str | None
    hidden_reason: str | None
    author_kind: str
    display_name: str | None
    body: str
    html_url: str
