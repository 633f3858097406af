"""Threads and posts: discussions people and the service write, including the curated explanations.

A post stores its Markdown source only; the HTML is rendered and sanitized when it is read (see
app/threads.py), so a sanitizer fix protects every stored post at once and nothing in the database is
trusted markup. Quotes are references to other posts (an association table, so a quoted post cannot be
changed through the quote); attachments and the "how this was answered" record are JSON documents that
only the service writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.orm.base import Base, BigId


class Thread(Base):
    """A titled discussion. Curated explanation threads carry the key of their entry in app/data."""

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(2000))
    curated_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    post_count: Mapped[int] = mapped_column(Integer, default=0)

    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", order_by="Post.id", cascade="all, delete-orphan", passive_deletes=True
    )


class Post(Base):
    """One message in a thread, by a person or by the service."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    thread_id: Mapped[int] = mapped_column(BigId, ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    author_kind: Mapped[str] = mapped_column(String(16))  # "person" | "service"
    display_name: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    answer_meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Set when a moderator hid the post: it is shown as a placeholder (its replies stay in place).
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: The moderator's note (never shown on pages; kept for the record and in exports).
    hidden_reason: Mapped[str | None] = mapped_column(String(500), default=None)

    thread: Mapped[Thread] = relationship(back_populates="posts")
    quotes: Mapped[list[PostQuote]] = relationship(
        foreign_keys="PostQuote.post_id",
        order_by="PostQuote.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class PostQuote(Base):
    """Post ``post_id`` quotes post ``quoted_post_id``; shown as an embed linking back to the quoted post."""

    __tablename__ = "post_quotes"

    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    quoted_post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
