"""What a thread's routes render, kept per state of the thread: the posts of its page and its JSON document.

Both are the same for every reader and change only with a write to the thread or to a post it quotes
(app/thread_pages.py sums that up as a digest, read with a few aggregate queries). Each is kept under its
own key in the process's cache of thread parts (``ReferenceResponses.thread_posts``, in the response-cache
budget), tagged with the digest and the dataset revision: a new post, a post hidden or shown again, or a
hidden quoted post makes the tag differ, so the next request renders again, in every process, and the stale
entry is replaced. Concurrent misses for one part and state build it once (:class:`SingleFlight`): the first
request builds, the others wait for its result; otherwise every reader that missed would build it again, each
build slowing the others (a 300-post thread read by dozens of readers of a cold process).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future

from sqlalchemy.orm import Session
from starlette.requests import Request

from app import thread_pages
from app.http.lru import CachedResponse
from app.thread_pages import ThreadState


class SingleFlight:
    """Builds in request threads, one per key at a time: a thread that asks for a key being built waits for
    that build's result (or its error) instead of building it again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, tuple[Future[tuple[bytes, bool]], list[int]]] = {}

    def run(self, key: Hashable, build: Callable[[], tuple[bytes, bool]]) -> tuple[bytes, bool]:
        with self._lock:
            flight = self._flights.get(key)
            owner = flight is None
            if flight is None:
                flight = self._flights[key] = (Future(), [0])
            else:
                flight[1][0] += 1
        done = flight[0]
        if not owner:
            return done.result()
        try:
            result = build()
        except BaseException as exc:
            done.set_exception(exc)
            raise
        finally:
            with self._lock:
                del self._flights[key]
        done.set_result(result)
        return result

    def waiting(self) -> int:
        """How many requests wait for a build in flight now (all keys)."""
        with self._lock:
            return sum(waiters[0] for _, waiters in self._flights.values())


def per_state(
    request: Request,
    session: Session,
    thread_id: int,
    part: str,
    media_type: str,
    render: Callable[[], tuple[bytes, bool]],
) -> tuple[ThreadState, bytes, bool]:
    """The thread's state, the body of ``part`` for it and whether it came from the cache.

    ``render`` builds the body and says whether it may be kept (a page with a comparison still running
    changes without a write to the thread). Raises ThreadNotFoundError for an unknown thread.
    """
    state = thread_pages.thread_state(session, thread_id)
    references = request.app.state.reference_responses
    cache, revision = references.thread_posts, references.revision()
    key, tag = (part, thread_id), f'"{revision}-{state.version}"'
    entry = cache.get(key)
    if entry is not None and entry.etag == tag:
        return state, entry.body, True
    body, keep = references.thread_flights.run((part, thread_id, tag), render)
    if keep:
        cache.put(key, CachedResponse(body, media_type, tag))
    return state, body, False
