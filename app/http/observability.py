"""Request ids, JSON logs and Prometheus metrics.

Every request gets an id (the client's ``X-Request-ID`` when it is sane, else a new one) that is echoed
in the response and attached to every log line written while the request is handled. Metrics live in
a registry per application, so several apps in one process (tests) never share counters.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(level: str, fmt: str) -> None:
    """JSON lines (or plain text) on stderr, each with the request id of the request being served."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for noisy in ("matplotlib", "httpx", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Metrics:
    """The service's Prometheus metrics, plus gauges computed at scrape time by registered callbacks."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "actlab_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "actlab_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self._callbacks: list[Callable[[], Iterable[Metric]]] = []
        self.registry.register(_CallbackCollector(self._callbacks))

    def add_collector(self, callback: Callable[[], Iterable[Metric]]) -> None:
        """Register a function yielding metric families at scrape time (queue length, heartbeats, …)."""
        self._callbacks.append(callback)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _CallbackCollector(Collector):
    def __init__(self, callbacks: list[Callable[[], Iterable[Metric]]]) -> None:
        self.callbacks = callbacks

    def collect(self) -> Iterable[Metric]:
        for callback in self.callbacks:
            try:
                yield from callback()
            except Exception:  # a failing probe must not break the whole scrape
                logging.getLogger("actlab.metrics").exception("metrics callback failed")
                failed = GaugeMetricFamily("actlab_metrics_callback_errors", "A scrape-time probe failed")
                failed.add_metric([], 1.0)
                yield failed


class RequestContextMiddleware:
    """Assign the request id, time the request, count it, and log one line per request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.log = logging.getLogger("actlab.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or ("cached" if status in (200, 304) else "unmatched")
            self.metrics.requests.labels(scope["method"], template, str(status)).inc()
            self.metrics.latency.labels(scope["method"], template).observe(elapsed)
            if self.log.isEnabledFor(logging.INFO):
                self.log.info(
                    "%s %s %s %.1fms",
                    scope["method"],
                    scope["path"],
                    status,
                    elapsed * 1000,
                    extra={"method": scope["method"], "path": scope["path"], "status": status,
                           "duration_ms": round(elapsed * 1000, 2)},
                )
            request_id_var.reset(token)
