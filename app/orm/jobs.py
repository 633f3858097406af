"""Comparison jobs and their event log.

A job row is the whole state of one comparison: its config (and the hash that makes identical
configs hit the cache), where it stands (status, progress, attempts, heartbeat), and its result or
error. Job events are the append-only log the SSE endpoint replays: ``seq`` numbers them per job, so a
client that reconnects with ``Last-Event-ID: 41`` gets every event from 42 on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.orm.base import Base, BigId

JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
FINISHED_STATUSES = ("succeeded", "failed", "cancelled")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status_known"),
        CheckConstraint("kind IN ('quality', 'speed')", name="kind_known"),
        Index("ix_jobs_status_created_at", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The validated config, every default filled in; user corpus text is kept in ``corpus_text``.
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    corpus_text: Mapped[str | None] = mapped_column(Text, default=None)
    #: SHA-256 of config + corpus text + code version + device class: the cache key.
    config_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_version: Mapped[str] = mapped_column(String(32))
    #: "cpu" or "cuda:<GPU name>" — where the job runs and part of the cache key.
    device_class: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 0..1, with the step counts it came from.
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    done_steps: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, default=0)
    estimate_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    estimate_flops: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)
    #: SHA-256 (hex) of the one-time cancel token handed to the submitter; None = only the admin may cancel.
    cancel_token_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class JobEvent(Base):
    __tablename__ = "job_events"
    __table_args__ = (UniqueConstraint("job_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3 … per job: the SSE event id.
    seq: Mapped[int] = mapped_column(BigId)
    #: "status" | "progress" | "run_done".
    type: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobSubmitter(Base):
    """Who queued a job, as a pseudonym, for the per-client quota of unfinished jobs (app.jobs.quota).

    Kept in the database rather than in a process's memory so the quota holds across API processes and
    restarts. A separate table, not a column of ``jobs``: it matters only while the job is unfinished, is not
    user data a backup should carry (``app.backup_format`` leaves it out), and goes with its job.
    """

    __tablename__ = "job_submitters"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    #: SHA-256 (hex) of the rate limiter's client key (an address): the quota needs equality only.
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
