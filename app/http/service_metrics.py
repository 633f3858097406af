"""Scrape-time gauges about the service's own data: the job queue, job durations, worker heartbeats, posts.

Registered by ``create_app`` with ``Metrics.add_collector``; each scrape runs a handful of aggregate
queries (counts and one GROUP BY over finished jobs), so its cost does not grow with the event log.
Every metric is computed from the database, so all API replicas report the same values.

=========================================== =====================================================
``actlab_jobs{status}``                      jobs per state (queued, running, succeeded, failed, cancelled)
``actlab_job_oldest_queued_age_seconds``     age of the oldest queued job (0 when none): workers down?
``actlab_job_duration_seconds{status}``      histogram of finished jobs' run times (started -> finished)
``actlab_worker_heartbeat_age_seconds``      per running job's worker: seconds since its last heartbeat
``actlab_job_estimated_seconds_total{kind}``  admitted cost estimates of succeeded jobs, summed
``actlab_job_measured_seconds_total{kind}``   their measured run times, summed (the ratio: the estimate's bias)
``actlab_job_last_{estimated,measured}_seconds{kind}``  the same for the latest succeeded job of a kind
``actlab_embedded_worker_up``                1/0 for the worker ``actlab serve`` started in this process
``actlab_embedded_worker_restarts_total``    how often its supervisor restarted it after it died
``actlab_threads_total``, ``actlab_posts_total{author_kind}``, ``actlab_posts_hidden``
=========================================== =====================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.clock import as_utc
from app.orm import Job, Post, Thread
from app.orm.jobs import FINISHED_STATUSES, JOB_STATUSES

#: Upper bounds (seconds) of the job-duration histogram: a tiny test job to the wall-clock limit's range.
DURATION_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 14_400.0)


def _duration_seconds(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", Job.finished_at - Job.started_at)
    # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff" in UTC; julianday() reads it as days.
    return (func.julianday(Job.finished_at) - func.julianday(Job.started_at)) * 86_400.0


def collector(session_factory: sessionmaker[Session]) -> Callable[[], Iterable[Metric]]:
    """The callback for ``Metrics.add_collector``."""

    def collect() -> Iterable[Metric]:
        now = datetime.now(UTC)
        with session_factory() as session:
            by_status = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
            oldest_queued = session.scalar(select(func.min(Job.created_at)).where(Job.status == "queued"))
            duration = _duration_seconds(session.get_bind().dialect.name)
            histogram_rows = session.execute(
                select(
                    Job.status,
                    func.count(),
                    func.coalesce(func.sum(duration), 0.0),
                    *[func.sum(case((duration <= bound, 1), else_=0)) for bound in DURATION_BUCKETS],
                )
                .where(Job.status.in_(FINISHED_STATUSES), Job.started_at.is_not(None), Job.finished_at.is_not(None))
                .group_by(Job.status)
            ).all()
            ran = (Job.status == "succeeded", Job.started_at.is_not(None), Job.finished_at.is_not(None))
            cost_totals = session.execute(
                select(Job.kind, func.sum(Job.estimate_seconds), func.sum(duration)).where(*ran).group_by(Job.kind)
            ).all()
            recent = session.execute(
                select(Job.kind, Job.estimate_seconds, duration).where(*ran).order_by(Job.finished_at.desc()).limit(50)
            ).all()
            heartbeats = session.execute(
                select(Job.worker, Job.id, Job.heartbeat_at).where(Job.status == "running").order_by(Job.id)
            ).all()
            threads_total = session.scalar(select(func.count()).select_from(Thread)) or 0
            posts = dict(session.execute(select(Post.author_kind, func.count()).group_by(Post.author_kind)).all())
            hidden = session.scalar(select(func.count()).select_from(Post).where(Post.hidden_at.is_not(None))) or 0

        jobs = GaugeMetricFamily("actlab_jobs", "Comparison jobs per state", labels=["status"])
        for status in JOB_STATUSES:
            jobs.add_metric([status], float(by_status.get(status, 0)))
        yield jobs

        age = (now - as_utc(oldest_queued)).total_seconds() if oldest_queued is not None else 0.0
        yield GaugeMetricFamily(
            "actlab_job_oldest_queued_age_seconds",
            "Seconds the oldest queued job has waited (0 when the queue is empty); growing = no worker takes jobs",
            value=max(0.0, age),
        )

        durations = HistogramMetricFamily(
            "actlab_job_duration_seconds", "Run time of finished jobs (started to finished)", labels=["status"]
        )
        for status, count, total, *cumulative in histogram_rows:
            buckets = [(f"{bound:g}", float(n or 0)) for bound, n in zip(DURATION_BUCKETS, cumulative, strict=True)]
            durations.add_metric([status], [*buckets, ("+Inf", float(count))], sum_value=float(total or 0.0))
        yield durations

        yield from _cost_metrics(cost_totals, recent)

        beats = GaugeMetricFamily(
            "actlab_worker_heartbeat_age_seconds",
            "Seconds since the worker of each running job last refreshed its heartbeat "
            "(over ACTLAB_WORKER_STALE_SECONDS = the worker is gone and the job will be re-queued)",
            labels=["worker", "job"],
        )
        for worker, job_id, beat in heartbeats:
            if beat is not None:
                beats.add_metric([worker or "", job_id], max(0.0, (now - as_utc(beat)).total_seconds()))
        yield beats

        from app.jobs.local import embedded_worker_alive, embedded_worker_restarts

        alive = embedded_worker_alive()
        if alive is not None:
            yield GaugeMetricFamily(
                "actlab_embedded_worker_up",
                "1 while the comparison worker started by this `actlab serve` process is running "
                "(0 while its supervisor waits to restart it)",
                value=1.0 if alive else 0.0,
            )
            yield CounterMetricFamily(
                "actlab_embedded_worker_restarts",
                "Restarts of the embedded comparison worker after it died",
                value=float(embedded_worker_restarts()),
            )

        yield GaugeMetricFamily("actlab_threads_total", "Threads stored", value=float(threads_total))
        per_kind = GaugeMetricFamily("actlab_posts_total", "Posts stored", labels=["author_kind"])
        for kind in ("person", "service"):
            per_kind.add_metric([kind], float(posts.get(kind, 0)))
        yield per_kind
        yield GaugeMetricFamily("actlab_posts_hidden", "Posts hidden by a moderator", value=float(hidden))

    return collect


def _cost_metrics(totals_rows: Iterable[Any], recent: Iterable[Any]) -> Iterable[Metric]:
    """Estimated against measured seconds of succeeded jobs: sums per kind, and the latest job of each kind
    (``recent``: kind, estimate, duration; newest first)."""
    totals = {kind: (float(est or 0.0), float(meas or 0.0)) for kind, est, meas in totals_rows}
    last: dict[str, tuple[float, float]] = {}
    for kind, estimated, measured in recent:
        last.setdefault(kind, (float(estimated or 0.0), float(measured or 0.0)))
    for which, index in (("estimated", 0), ("measured", 1)):
        total = CounterMetricFamily(
            f"actlab_job_{which}_seconds",
            f"Sum of the {which} run times of succeeded comparison jobs",
            labels=["kind"],
        )
        latest = GaugeMetricFamily(
            f"actlab_job_last_{which}_seconds", f"The {which} run time of the latest succeeded job", labels=["kind"]
        )
        for kind in sorted(totals):
            total.add_metric([kind], totals[kind][index])
        for kind in sorted(last):
            latest.add_metric([kind], last[kind][index])
        yield total
        yield latest
