"""The service and HTTP-serving part of the settings: where it listens, its database pool, and the limits
that keep one client (or a crowd of anonymous ones) from starving the others.

:class:`app.config.Settings` inherits these fields; they come first in the README's configuration table.
Every field is described, because the table is generated from the descriptions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = Path("var") / "actlab.db"


class ServiceSettings(BaseSettings):
    """Where the service runs, and how much of it one request, stream or client may take."""

    model_config = SettingsConfigDict(env_prefix="ACTLAB_", env_file=".env", extra="ignore")

    # --- service -------------------------------------------------------------------------------
    environment: Literal["development", "production", "test"] = Field(
        "development",
        description=(
            "`development` (and `test`, the test suite's mode) allows insecure defaults; "
            "`production` refuses to start without secrets."
        ),
    )
    database_url: str = Field(
        f"sqlite:///./{DEFAULT_SQLITE_PATH.as_posix()}",
        description="SQLAlchemy URL. SQLite file by default; `postgresql+psycopg://user@host/db` when deployed.",
    )
    host: str = Field("127.0.0.1", description="Address `actlab serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `actlab serve` listens on.")
    templates_dir: Path = Field(
        PROJECT_ROOT / "templates", description="Folder of the Jinja templates (the project's `templates/`)."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log level.")
    db_pool_size: int = Field(
        20, ge=1, le=1000, description="Database connections kept open per process (with overflow: above 40 threads)."
    )
    db_max_overflow: int = Field(30, ge=0, le=1000, description="Extra connections a process may open under load.")
    db_pool_timeout_seconds: float = Field(
        30.0, gt=0, le=600, description="How long a request waits for a free database connection before failing."
    )
    sqlite_busy_timeout_ms: int = Field(
        5000, ge=0, le=600_000, description="How long a SQLite writer waits for a lock before failing."
    )

    # --- HTTP serving: live-progress streams -----------------------------------------------------
    sse_max_streams_per_client: int = Field(
        8, ge=1, le=100_000,
        description="Open live-progress streams one client may hold; more get 429 with Retry-After.",
    )
    sse_max_streams: int = Field(
        1000, ge=1, le=1_000_000, description="Open live-progress streams per process; more get 429 with Retry-After."
    )
    sse_idle_timeout_seconds: float = Field(
        300.0, gt=0, le=86_400,
        description="A live-progress stream with no new event for this long ends (the browser reconnects with "
        "Last-Event-ID).",
    )
    sse_poll_seconds: float = Field(
        0.5, gt=0, le=60,
        description="How often the one poller of a followed job reads its new events (shared by all its streams).",
    )

    # --- HTTP serving: rendering, probes, caches -------------------------------------------------
    render_threads: int = Field(
        2, ge=1, le=64, description="Threads that render charts and pages off the event loop (more wait their turn)."
    )
    prerender_at_start: bool | None = Field(
        None,
        description="Render the reference pages and charts in the background at start (readiness does not wait); "
        "unset = on, except in the test environment.",
    )
    metrics_cache_seconds: float = Field(
        5.0, ge=0, le=3600, description="How long a `/metrics` scrape's database figures are reused."
    )
    metrics_public: bool | None = Field(
        None,
        description="Whether `/metrics` answers without the admin token; unset = public in development and test, "
        "admin-only in production.",
    )
    response_cache_max_bytes: int = Field(
        536_870_912, ge=0, le=68_719_476_736,
        description="Total size (bytes) of what a process caches, every cache counted: the reference and curve "
        "responses, the rendered posts of thread pages, the charts attached to posts and, at most a quarter of it, the "
        "computed curve, error and surface arrays behind them.",
    )

    # --- HTTP serving: limits in front of the app (`actlab serve`) --------------------------------
    http_max_header_bytes: int = Field(
        16_384, ge=1024, le=1_048_576, description="Largest total size of a request's headers (bytes); 431 beyond."
    )
    http_max_headers: int = Field(100, ge=8, le=10_000, description="Most headers in one request; 431 beyond.")
    http_max_url_bytes: int = Field(
        16_384, ge=256, le=1_048_576, description="Longest request target (path and query, bytes); 414 beyond."
    )
    http_max_concurrent_requests: int = Field(
        200, ge=1, le=100_000,
        description="Requests one process handles at once (live-progress streams have their own caps); 503 with "
        "Retry-After beyond.",
    )
    http_max_connections: int = Field(
        10_000, ge=1, le=1_000_000,
        description="Open connections `actlab serve` keeps per process (the open-file limit is raised to fit); one "
        "more closes the connection that has waited longest for a request head, or gets 503 if all are in requests.",
    )
    http_keep_alive_timeout_seconds: int = Field(
        5, ge=1, le=3600, description="An idle keep-alive connection is closed after this long."
    )
    http_header_timeout_seconds: float = Field(
        10.0, ge=0.5, le=300,
        description="A request head (request line and headers) must arrive within this long of the connection "
        "opening or of the previous response; a slower one gets 408 and its connection is closed.",
    )
    http_request_timeout_seconds: float = Field(
        20.0, gt=0, le=3600,
        description="A request body must arrive within this long; a slower one is abandoned and its connection "
        "closed.",
    )

    @field_validator("database_url")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///./var/actlab.db")
        return value

    @property
    def prerender(self) -> bool:
        """Whether to pre-render at start: the setting, else everywhere but the test suite."""
        return self.prerender_at_start if self.prerender_at_start is not None else self.environment != "test"

    @property
    def metrics_open(self) -> bool:
        """Whether `/metrics` is public: the setting, else open everywhere but production."""
        if self.metrics_public is not None:
            return self.metrics_public
        return self.environment != "production"
