"""Service settings.

Every limit the service enforces lives here as a field with a description, so that the README's
configuration table (kept in step by a test) documents the whole contract with operators.
Values come from environment variables prefixed ``ACTLAB_`` or from a ``.env`` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = Path("var") / "actlab.db"


class Settings(BaseSettings):
    """All configuration of one Activation Lab deployment."""

    model_config = SettingsConfigDict(env_prefix="ACTLAB_", env_file=".env", extra="ignore")

    # --- service -------------------------------------------------------------------------------
    environment: Literal["development", "production", "test"] = Field(
        "development",
        description="`development` allows insecure defaults; `production` refuses to start without secrets.",
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
    sqlite_busy_timeout_ms: int = Field(
        5000, ge=0, le=600_000, description="How long a SQLite writer waits for a lock before failing."
    )

    # --- reference data and lists ---------------------------------------------------------------
    reference_cache_check_seconds: float = Field(
        1.0,
        ge=0.0,
        le=3600.0,
        description=(
            "How often (at most) a process re-reads the loaded dataset revision to invalidate its cached "
            "reference responses after `actlab seed`."
        ),
    )
    reference_cache_entries: int = Field(
        2048, ge=0, le=1_000_000, description="Pre-serialized reference responses kept per process."
    )
    page_size_default: int = Field(50, ge=1, le=10_000, description="Items per page when `limit` is absent.")
    page_size_max: int = Field(500, ge=1, le=100_000, description="Largest `limit` a list endpoint accepts.")

    # --- activation curves ----------------------------------------------------------------------
    curve_max_points: int = Field(
        100_001, ge=2, le=10_000_001, description="Most sample points in one curve or error request."
    )
    curve_max_functions: int = Field(8, ge=1, le=64, description="Most functions (`fn`) in one curve request.")
    curve_max_abs_x: float = Field(
        1000.0, gt=0, le=1e6, description="Largest |x| (and |a|, |b| for gates) a request may ask for."
    )
    surface_max_points_per_axis: int = Field(
        401, ge=2, le=10_001, description="Most grid points per axis of a gate surface."
    )
    curve_cache_entries: int = Field(256, ge=0, le=100_000, description="Serialized curve responses cached.")

    # --- hardening: who may write, how much, how fast --------------------------------------------
    admin_token: SecretStr | None = Field(
        None,
        description=(
            "Bearer token for admin actions (editing reference data, hiding posts, cancelling others' jobs). "
            "Required outside development: the service refuses to start without one."
        ),
    )
    max_body_bytes: int = Field(
        4_194_304, ge=1024, le=1_073_741_824, description="Largest request body (bytes, chunked or not); 413 beyond."
    )
    rate_limit_writes_per_minute: int = Field(
        30, ge=1, le=1_000_000, description="Posts, questions and comparisons one client may send per minute."
    )
    rate_limit_reads_per_minute: int = Field(
        3000, ge=1, le=10_000_000, description="Other requests one client may send per minute."
    )
    trust_forwarded_for: bool = Field(
        False, description="Identify clients by X-Forwarded-For (only behind a trusted reverse proxy)."
    )
    pg_statement_timeout_ms: int = Field(
        15_000, ge=100, le=3_600_000, description="PostgreSQL statement_timeout for every connection (ms)."
    )
    log_format: Literal["json", "text"] = Field("json", description="Log lines as JSON objects or as plain text.")

    # --- threads and questions ------------------------------------------------------------------
    thread_title_max_chars: int = Field(
        200, ge=10, le=2000, description="Longest thread title (characters, after trimming spaces)."
    )
    post_body_max_chars: int = Field(
        10_000, ge=100, le=1_000_000, description="Longest post body (Markdown source, characters)."
    )
    display_name_max_chars: int = Field(
        60, ge=1, le=500, description="Longest display name an anonymous poster may give."
    )
    question_max_chars: int = Field(
        500, ge=10, le=10_000, description="Longest question `POST /api/v1/questions` and `actlab ask` accept."
    )
    post_quotes_max: int = Field(10, ge=0, le=100, description="Most posts one post may quote.")
    reply_depth_max: int = Field(
        24, ge=1, le=200, description="How deep replies may nest; a reply below that is refused with 422."
    )
    thread_posts_max: int = Field(
        2000, ge=2, le=1_000_000, description="Most posts in one thread; further posts are refused with 422."
    )
    rephrase_endpoint_url: str | None = Field(
        None,
        description=(
            "Base URL of an OpenAI-compatible API (`…/v1`) that may rephrase composed answers; unset = off. "
            "A rephrasing that adds or changes a number is rejected and the composed answer is kept."
        ),
    )
    rephrase_model: str = Field("", description="Model name sent to the rephrasing endpoint.")
    rephrase_api_key: str | None = Field(None, description="Bearer token for the rephrasing endpoint, if it needs one.")
    rephrase_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="How long an answer waits for the rephrasing endpoint before keeping its own text."
    )

    @field_validator("database_url")
    @classmethod
    def _url_has_scheme(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///./var/actlab.db")
        return value

    @model_validator(mode="after")
    def _page_sizes_consistent(self) -> Settings:
        if self.page_size_default > self.page_size_max:
            raise ValueError("page_size_default must not exceed page_size_max")
        return self

    @model_validator(mode="after")
    def _secrets_outside_development(self) -> Settings:
        if self.environment == "production":
            token = self.admin_token.get_secret_value() if self.admin_token else ""
            if len(token) < 16 or token in {"changeme", "change-me", "admin", "secret"}:
                raise ValueError(
                    "ACTLAB_ADMIN_TOKEN must be set to a secret of at least 16 characters in production"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """Settings read from the environment once per process (the CLI and the server entry)."""
    return Settings()



def settings_markdown_table() -> str:
    """The README's configuration table, generated from the fields above (a test keeps them in step)."""
    lines = ["| Variable | Default | Description |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path):
            default = "<project>/" + default.relative_to(PROJECT_ROOT).as_posix()
        shown = "(none)" if default is None else f"`{default}`"
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `ACTLAB_{name.upper()}` | {shown} | {description} |")
    return "\n".join(lines)


def write_readme_table(readme: Path = PROJECT_ROOT / "README.md") -> None:
    """Refresh the table between the README's settings markers (`python -m app.config --write-readme`)."""
    start, end = "<!-- settings:start -->", "<!-- settings:end -->"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{settings_markdown_table()}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    import sys

    if "--write-readme" in sys.argv:
        write_readme_table()
    else:
        print(settings_markdown_table())
