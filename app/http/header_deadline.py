"""A deadline on the request head and a cap on open connections, in uvicorn's h11 protocol.

uvicorn bounds how much of a request head h11 buffers, not how long the head may take: a client that sends
one header byte every few seconds (the "slowloris" shape) holds its connection for as long as it trickles.
And its ``limit_concurrency`` does not close connections; it answers 503 to every *request* once that many
connections are open, so a few thousand idle sockets from anyone would turn every honest request into a 503.
:class:`HeadDeadlineProtocol` (``actlab serve`` passes it as uvicorn's ``http=``) does both itself:

- a request head must be complete within ``http_header_timeout_seconds`` of the connection opening, or of
  the previous response on a keep-alive connection; past it the connection is closed, with a 408
  problem+json when part of a head had arrived (a connection that sent nothing is just closed);
- at most ``http_max_connections`` connections are open: one more closes the connection that has waited
  longest for a head (idle keep-alive or trickling; an honest client sends its head at once, so it is never
  the oldest waiting), and only when every open connection is in a request is the newcomer refused (503).

:func:`fit_open_files` raises the process's open-file limit so that the cap can be reached without running
out of file descriptors (asyncio stops accepting for a second at a time when ``accept`` fails with EMFILE).
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from starlette.responses import Response
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from app.config import get_settings
from app.http.problems import FieldError, problem_response

#: File descriptors kept for what is not a client connection (database connections, log and data files,
#: the worker's pipes, torch): this many, or a quarter of a lower limit.
RESERVED_FILES = 512


@dataclass(frozen=True)
class ConnectionLimits:
    """The head deadline and the connection cap (the setting, lowered to what the open-file limit allows)."""

    header_timeout_seconds: float
    max_connections: int


def fit_open_files(max_connections: int) -> tuple[int, int]:
    """Raise the soft open-file limit to fit ``max_connections`` plus :data:`RESERVED_FILES` (up to the hard
    limit); the number of connections that fit beside the reserve, and the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max_connections + RESERVED_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if soft == resource.RLIM_INFINITY:
        return max_connections, soft
    return max(1, min(max_connections, soft - min(RESERVED_FILES, soft // 4))), soft


def _raw_response(response: Response) -> bytes:
    """A whole HTTP/1.1 response with ``Connection: close``, written before any request was parsed (h11
    cannot send a response then)."""
    lines = [f"HTTP/1.1 {response.status_code} {'Request Timeout' if response.status_code == 408 else 'Busy'}"]
    lines += [f"{name.decode('latin-1')}: {value.decode('latin-1')}" for name, value in response.raw_headers]
    lines.append("connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + bytes(response.body)


def _timeout_response(seconds: float) -> bytes:
    limit = f"{seconds:g}"
    return _raw_response(
        problem_response(
            408,
            f"the request head did not arrive within {limit} s",
            errors=[FieldError(loc=["header"], msg="too slow", type="timeout", limit=seconds)],
        )
    )


def _busy_response(connections: int) -> bytes:
    return _raw_response(
        problem_response(
            503,
            f"the server holds {connections} connections, each in a request; retry in 1 s",
            headers={"Retry-After": "1"},
        )
    )


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with the head deadline and the connection cap of the module docstring."""

    #: Set by ``actlab serve`` (:meth:`configure`); a process spawned by uvicorn for ``--workers`` reads the
    #: settings from the environment instead.
    limits: ClassVar[ConnectionLimits | None] = None
    #: Per server: its connections waiting for a request head, the longest-waiting first.
    _waiting_by_server: ClassVar[weakref.WeakKeyDictionary[ServerState, OrderedDict[HeadDeadlineProtocol, None]]] = (
        weakref.WeakKeyDictionary()
    )

    @classmethod
    def configure(cls, limits: ConnectionLimits) -> None:
        cls.limits = limits

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        if HeadDeadlineProtocol.limits is None:
            settings = get_settings()
            connections, _ = fit_open_files(settings.http_max_connections)
            HeadDeadlineProtocol.limits = ConnectionLimits(settings.http_header_timeout_seconds, connections)
        self.head_limits = HeadDeadlineProtocol.limits
        self._waiting = self._waiting_by_server.setdefault(server_state, OrderedDict())
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._refused = False

    # --- connection cap ---------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.head_limits.max_connections and not self._evict_longest_waiting():
            self._refused = True
            self.transport = transport
            transport.write(_busy_response(len(self.connections)))
            transport.close()
            return
        super().connection_made(transport)
        self._await_head()

    def _evict_longest_waiting(self) -> bool:
        while self._waiting:
            victim, _ = self._waiting.popitem(last=False)
            victim._cancel_head_timer()
            if victim.transport is not None and not victim.transport.is_closing():
                self.connections.discard(victim)  # its slot is free now, before connection_lost runs
                victim.transport.close()
                return True
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        if self._refused:
            return
        super().connection_lost(exc)

    # --- head deadline ----------------------------------------------------------------------------------

    def _await_head(self) -> None:
        self._cancel_head_timer()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.head_limits.header_timeout_seconds, self._head_timed_out)
        self._waiting[self] = None

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_done(self) -> None:
        self._cancel_head_timer()
        self._waiting.pop(self, None)

    def data_received(self, data: bytes) -> None:
        waiting = self._head_timer is not None
        self._head_bytes += len(data) if waiting else 0
        super().data_received(data)
        if self.transport.is_closing():
            self._head_done()
        elif self.conn.their_state is not h11.IDLE:
            self._head_done()  # the head is in (or refused by the parser); the body has its own deadline
        elif not waiting:
            self._await_head()  # a new head begins once a request's unread body has been drained

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._await_head()  # keep-alive: the next head has the same deadline

    def _head_timed_out(self) -> None:
        self._head_timer = None
        self._waiting.pop(self, None)
        if self.transport.is_closing():
            return
        if self._head_bytes:
            self.transport.write(_timeout_response(self.head_limits.header_timeout_seconds))
        with contextlib.suppress(h11.LocalProtocolError):
            self.conn.send(h11.ConnectionClosed())
        self.transport.close()
