"""Live-progress streams that cost the event loop a timer each, not a thread each.

A stream (``GET /api/v1/comparisons/{id}/events``) used to poll the database from the shared request
thread pool once per client and interval, so a thousand open streams queued every other request behind
their polls. Here each followed job has one :class:`JobFeed`: one asyncio task that reads the job's new
events once per ``sse_poll_seconds`` in a small pool of its own, keeps the latest ones in memory and wakes
every subscriber; a subscriber is an async generator that only awaits. A client that resumes from further
back than the feed remembers reads that stretch itself, once.

Streams are capped per client and per process (429 with Retry-After past either), and one with no new
event for ``sse_idle_timeout_seconds`` ends (a browser reconnects with Last-Event-ID).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from app.http.problems import FieldError, ProblemError

Event = tuple[int, str, dict[str, Any]]
#: Reads (events after a sequence number, at most ``READ_LIMIT``; the job's status) for a job id.
Reader = Callable[[str, int], tuple[list[Event], str]]
READ_LIMIT = 500
KEEPALIVE_SECONDS = 15.0
STREAM_RETRY_AFTER_SECONDS = 5


class JobFeed:
    """One job's poller and the events it has read lately, shared by every stream of that job."""

    def __init__(self, job_id: str, start: int, feeds: JobFeeds) -> None:
        self.job_id = job_id
        self.floor = start  # every event after ``floor`` and up to ``seq`` is in ``recent``
        self.seq = start
        self.status: str | None = None  # None until the first poll answered
        self.recent: deque[Event] = deque()
        self.subscribers = 0
        self.polls = 0
        self._feeds = feeds
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def changed(self) -> asyncio.Event:
        """Set at the next poll that answered: take it before looking, then wait on it."""
        return self._changed

    def since(self, seq: int) -> list[Event] | None:
        """The remembered events after ``seq``, or None when the feed no longer remembers all of them."""
        if seq < self.floor:
            return None
        return [e for e in self.recent if e[0] > seq]

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"job-feed-{self.job_id}")

    async def _run(self) -> None:
        try:
            while self.subscribers > 0:
                events, status = await self._feeds.read(self.job_id, self.seq)
                self.polls += 1
                self._remember(events)
                self.status = status
                self._changed.set()
                self._changed = asyncio.Event()
                if len(events) < READ_LIMIT:  # a full batch: more are waiting, read on at once
                    await asyncio.sleep(self._feeds.poll_seconds)
        except Exception as exc:  # the job vanished or the database failed: end every stream of the job
            self.status = f"error: {type(exc).__name__}"
            self._changed.set()
        finally:
            self._feeds.forget(self)

    def _remember(self, events: list[Event]) -> None:
        for event in events:
            self.recent.append(event)
            self.seq = event[0]
        while len(self.recent) > self._feeds.remember:
            self.floor = self.recent.popleft()[0]


@dataclass
class _Slots:
    """Open streams per client and in all, so that one client cannot take every stream."""

    per_client: int
    total: int
    open: dict[str, int] = field(default_factory=dict)
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, client: str) -> None:
        with self.lock:
            if self.count >= self.total:
                raise _full(f"{self.total} live-progress streams are open on this server", self.total)
            if self.open.get(client, 0) >= self.per_client:
                raise _full(f"this client already has {self.per_client} live-progress streams open", self.per_client)
            self.open[client] = self.open.get(client, 0) + 1
            self.count += 1

    def release(self, client: str) -> None:
        with self.lock:
            left = self.open.get(client, 0) - 1
            if left > 0:
                self.open[client] = left
            else:
                self.open.pop(client, None)
            self.count = max(0, self.count - 1)


def _full(why: str, limit: int) -> ProblemError:
    return ProblemError(
        429,
        f"{why}; retry in {STREAM_RETRY_AFTER_SECONDS} s",
        headers={"Retry-After": str(STREAM_RETRY_AFTER_SECONDS)},
        errors=[FieldError(loc=["client"], msg="open streams", type="stream_limit", limit=limit)],
    )


async def _never() -> bool:
    return False


class JobFeeds:
    """The feeds of one application: one per followed job, created on the first stream, gone after the last."""

    def __init__(
        self,
        reader: Reader,
        *,
        poll_seconds: float,
        idle_timeout_seconds: float,
        max_per_client: int,
        max_streams: int,
        remember: int = 2 * READ_LIMIT,
        threads: int = 2,
    ) -> None:
        self._reader = reader
        self.poll_seconds = poll_seconds
        self.idle_timeout_seconds = idle_timeout_seconds
        self.remember = remember
        self.slots = _Slots(max_per_client, max_streams)
        self._feeds: dict[str, JobFeed] = {}
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None

    async def read(self, job_id: str, after: int) -> tuple[list[Event], str]:
        if self._executor is None:
            # Its own few threads: streams never take the request pool's threads, however many are open.
            self._executor = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="job-feed")
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._reader, job_id, after)

    def feed(self, job_id: str) -> JobFeed | None:
        return self._feeds.get(job_id)

    def forget(self, feed: JobFeed) -> None:
        if self._feeds.get(feed.job_id) is feed:
            del self._feeds[feed.job_id]

    def close(self) -> None:
        """Stop the poll threads (at shutdown); a later stream starts new ones."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    async def subscribe(
        self, job_id: str, start: int, finished: Collection[str], stop: Callable[[], Awaitable[bool]] = _never
    ) -> AsyncIterator[list[Event]]:
        """Batches of the job's events after ``start``; an empty batch is a keep-alive tick. Ends after the
        final status (``finished``), after ``idle_timeout_seconds`` without an event, or when ``stop()``."""
        feed = self._feeds.get(job_id)
        feed_is_new = feed is None
        if feed is None:
            feed = self._feeds[job_id] = JobFeed(job_id, start, self)
        feed.subscribers += 1
        if feed_is_new:  # its poller runs while the feed has subscribers, then forgets the feed
            feed.start()
        try:
            async for batch in self._follow(feed, start, finished, stop):
                yield batch
        finally:
            feed.subscribers -= 1

    async def _follow(
        self, feed: JobFeed, seq: int, finished: Collection[str], stop: Callable[[], Awaitable[bool]]
    ) -> AsyncIterator[list[Event]]:
        last_event = last_sent = time.monotonic()
        while not await stop():
            changed = feed.changed
            if feed.status is not None:
                events = feed.since(seq)
                if events is None:  # further back than the feed remembers: read that stretch once
                    events, _ = await self.read(feed.job_id, seq)
                if events:
                    seq = events[-1][0]
                    last_event = last_sent = time.monotonic()
                    yield events
                    continue
                if feed.status in finished or feed.status.startswith("error"):
                    return
            now = time.monotonic()
            if now - last_event >= self.idle_timeout_seconds:
                return
            if now - last_sent >= KEEPALIVE_SECONDS:
                last_sent = now
                yield []
            wait = min(1.0, KEEPALIVE_SECONDS, self.idle_timeout_seconds - (now - last_event))
            # A tick: look at the clock and the stop signal. ``asyncio.timeout`` arms one timer on this
            # task; ``wait_for`` would start (and name) a new task per tick and stream.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.01, wait)):
                    await changed.wait()


class EventStreamResponse(StreamingResponse):
    """A stream that gives its slot back however it ends: finished, idle, cancelled or disconnected.

    Whether the client left is watched by one task per stream, waiting on ``receive()`` for
    ``http.disconnect`` and then cancelling the stream, whatever ASGI version the server speaks. Asking
    at every tick instead (``Request.is_disconnected``: a cancelled scope and a ``receive()`` per call) cost
    a thousand open streams a sixth of the server's time.
    """

    def __init__(self, content: AsyncIterator[str], release: Callable[[], None], headers: dict[str, str]) -> None:
        super().__init__(content, media_type="text/event-stream", headers=headers)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._stream_until_disconnect(send, receive)
        finally:
            self._release()

    async def _stream_until_disconnect(self, send: Send, receive: Receive) -> None:
        loop = asyncio.get_running_loop()
        body = loop.create_task(self.stream_response(send))
        watcher = loop.create_task(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait((body, watcher), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (body, watcher):
                task.cancel()
            await asyncio.gather(body, watcher, return_exceptions=True)
        if not body.cancelled():
            body.result()  # the stream's own failure, if it had one, is the response's
