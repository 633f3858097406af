"""Service settings.

Every limit the service enforces lives here as a field with a description, so that the README's
configuration table (kept in step by a test) documents the whole contract with operators.
Values come from environment variables prefixed ``ACTLAB_`` or from a ``.env`` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from app.settings_http import DEFAULT_SQLITE_PATH, PROJECT_ROOT, ServiceSettings

__all__ = ["DEFAULT_SQLITE_PATH", "PROJECT_ROOT", "Settings", "get_settings"]


class Settings(ServiceSettings):
    """All configuration of one Activation Lab deployment (the service and HTTP part: ``ServiceSettings``)."""

    model_config = SettingsConfigDict(env_prefix="ACTLAB_", env_file=".env", extra="ignore")

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
    curve_cache_max_bytes: int = Field(
        268_435_456, ge=0, le=17_179_869_184, description="Total size of the cached curve responses (bytes)."
    )
    curve_computed_cache_entries: int = Field(
        32, ge=0, le=10_000,
        description="Computed curves, errors and surfaces (arrays, before serialization) kept per process, of each; "
        "their bytes count in `ACTLAB_RESPONSE_CACHE_MAX_BYTES`.",
    )
    error_max_points: int = Field(
        200_001,
        ge=2,
        le=10_000_001,
        description="Most grid points (and the default) of an approximation-error request.",
    )
    api_torch_threads: int = Field(
        1, ge=1, le=256, description="torch threads in the API process (curves); more slow small ops under load."
    )

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
    rephrase_api_key: SecretStr | None = Field(
        None, description="Bearer token for the rephrasing endpoint, if it needs one."
    )
    rephrase_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=120,
        description="How long an answer waits for the rephrasing endpoint before keeping its own text.",
    )

    planner_endpoint_url: str | None = Field(
        None,
        description=(
            "Base URL of an OpenAI-compatible API (`…/v1`) whose model may plan how a question is answered; "
            "unset = off. It only chooses operations (schema-validated JSON, never a number); an invalid or late "
            "plan falls back to the rule planner."
        ),
    )
    planner_model: str = Field("", description="Model name sent to the planner endpoint.")
    planner_api_key: SecretStr | None = Field(
        None, description="Bearer token for the planner endpoint, if it needs one."
    )
    planner_timeout_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description="How long a question waits for the planner endpoint before the rule planner plans it.",
    )

    # --- comparisons: FFN comparison jobs --------------------------------------------------------
    job_backend: Literal["local", "celery"] = Field(
        "local",
        description=(
            "How comparison jobs reach workers: `local` = workers poll the database (the embedded worker of "
            "`actlab serve`, or `actlab worker`); `celery` = the API also publishes each job to "
            "ACTLAB_BROKER_URL for `actlab worker --backend celery`."
        ),
    )
    broker_url: str = Field("redis://127.0.0.1:6379/0", description="Celery broker (Redis) for `job_backend=celery`.")
    celery_queue: str = Field("actlab-comparisons", description="Celery queue the comparison jobs are published to.")
    embedded_worker: bool = Field(
        True, description="`actlab serve` starts one comparison worker process beside the API (torch runs there)."
    )
    worker_torch_threads: int = Field(
        1, ge=1, le=256, description="Torch threads per training process of a quality comparison."
    )
    worker_processes: int = Field(
        2, ge=1, le=64,
        description="Training processes a CPU quality comparison runs in parallel (2 single-thread processes "
        "gave ~25% more throughput than one 2-thread process on 2 cores).",
    )
    worker_speed_threads: int = Field(2, ge=1, le=256, description="Most torch threads a speed comparison may use.")
    worker_nice: int = Field(
        10, ge=0, le=19, description="Niceness of worker processes, so API requests win the CPU while a job trains."
    )
    worker_poll_seconds: float = Field(1.0, gt=0, le=60, description="How often an idle local worker looks for jobs.")
    worker_heartbeat_seconds: float = Field(
        2.0, gt=0, le=600, description="How often a worker refreshes the heartbeat of the job it runs."
    )
    worker_stale_seconds: float = Field(
        30.0, gt=0, le=86_400,
        description="A running job whose heartbeat is older than this lost its worker and is re-queued.",
    )
    job_max_attempts: int = Field(
        3, ge=1, le=100, description="Attempts a job gets when its worker dies; after that it fails with the reason."
    )
    job_cancel_poll_seconds: float = Field(
        0.1, gt=0, le=60, description="How often a running job checks whether it was cancelled (at a step boundary)."
    )
    job_event_flush_seconds: float = Field(
        0.5, gt=0, le=60, description="How often a running job writes its buffered per-step losses as one event."
    )
    compare_queue_max: int = Field(
        8, ge=1, le=10_000, description="Most unfinished (queued + running) comparisons; more get 429 with Retry-After."
    )
    compare_auto_device: Literal["detect", "cpu", "cuda"] = Field(
        "detect",
        description="What `device: auto` means: `detect` = CUDA if this process sees a GPU; `cpu`/`cuda` when "
        "the workers' hardware differs from the API's.",
    )
    compare_max_expected_seconds: float = Field(
        900.0, gt=0, le=86_400, description="Largest expected run time of one comparison (cost estimate); over it: 422."
    )
    compare_max_flops: float = Field(
        1e17, gt=0, description="Largest matmul FLOP count of one comparison (cost estimate); over it: 422."
    )
    compare_cpu_flops_per_second: float = Field(
        8e10, gt=0, description="Sustained FLOP/s the cost estimate assumes for a CPU worker (all its processes)."
    )
    compare_cuda_flops_per_second: float = Field(
        5e12, gt=0, description="Sustained FLOP/s the cost estimate assumes for a GPU worker at these small sizes."
    )
    compare_seconds_per_step_floor: float = Field(
        0.008,
        ge=0,
        description="Least time the estimate assumes per training/timing step: launch and Python overhead, which "
        "bounds tiny models on a GPU (8 ms/step measured for the default comparison on an H100).",
    )
    compare_startup_seconds: float = Field(5.0, ge=0, description="Fixed start-up time the estimate adds per job.")
    compare_compile_seconds: float = Field(
        40.0, ge=0, description="torch.compile time the estimate adds per variant when a speed job compiles."
    )
    compare_max_steps: int = Field(20_000, ge=1, description="Most training steps per run of a quality comparison.")
    compare_max_seeds: int = Field(
        20, ge=1, le=1000, description="Most seeds per variant (a verdict's rerun preset suggests at most 20)."
    )
    compare_max_d_model: int = Field(1024, ge=8, description="Largest d_model of a quality comparison.")
    compare_max_layers: int = Field(24, ge=1, description="Most layers of a quality comparison's model.")
    compare_max_seq_len: int = Field(2048, ge=2, description="Longest training sequence of a quality comparison.")
    compare_max_batch_size: int = Field(1024, ge=1, description="Largest batch of a quality comparison.")
    compare_max_tokens: int = Field(262_144, ge=1, description="Most tokens per step of a speed comparison.")
    compare_max_d_model_speed: int = Field(16_384, ge=8, description="Largest d_model of a speed comparison.")
    compare_corpus_max_bytes: int = Field(
        1_000_000, ge=1000, le=100_000_000, description="Largest uploaded corpus text (UTF-8 bytes); over it: 413."
    )
    # --- hardening of jobs ---
    job_wall_clock_limit_seconds: float = Field(
        3600.0, gt=0, le=604_800,
        description="Longest a job may run (per attempt); past it the job fails with the reason and its worker "
        "takes the next job.",
    )
    worker_shutdown_grace_seconds: float = Field(
        5.0, ge=0, le=3600,
        description="On SIGTERM/SIGINT a worker finishes a job expected to end within this many seconds; "
        "otherwise it stops after the current training step and re-queues the job (not counted as an attempt). "
        "Give the process manager's stop timeout at least this plus 10 s.",
    )
    http_shutdown_timeout_seconds: int = Field(
        5, ge=1, le=3600,
        description="On SIGTERM/SIGINT `actlab serve` lets open requests (live-progress streams included) finish "
        "for this long, then closes them and stops its worker.",
    )
    compare_max_d_ff: int = Field(16_384, ge=1, description="Largest dense d_ff of a quality comparison.")
    compare_max_d_ff_speed: int = Field(65_536, ge=1, description="Largest dense d_ff of a speed comparison.")
    compare_max_peak_memory_bytes: int = Field(4 * 2**30, ge=2**20, description="Largest estimated peak memory "
        "of one comparison (bytes: its processes together, or the GPU's); over it: 422.")  # fmt: skip
    compare_max_unfinished_per_client: int = Field(3, ge=1, le=10_000, description="Most unfinished (queued + "
        "running) comparisons one client may have; more get 429 with Retry-After.")  # fmt: skip
    # --- end of comparisons ---

    @model_validator(mode="after")
    def _page_sizes_consistent(self) -> Settings:
        if self.page_size_default > self.page_size_max:
            raise ValueError("page_size_default must not exceed page_size_max")
        return self

    @model_validator(mode="after")
    def _secrets_outside_development(self) -> Settings:
        if self.environment == "production":
            from app.secret_strength import SECRET_MIN_BITS, SECRET_MIN_CHARS, SECRET_MIN_DISTINCT, weak_secret_reason

            token = self.admin_token.get_secret_value() if self.admin_token else ""
            problem = weak_secret_reason(token)
            if problem is not None:
                raise ValueError(
                    f"ACTLAB_ADMIN_TOKEN {problem}; production needs a random secret: at least "
                    f"{SECRET_MIN_CHARS} characters, {SECRET_MIN_DISTINCT} of them different, about "
                    f"{SECRET_MIN_BITS} bits of entropy, no padding spaces and no common word; make one with "
                    '`python -c "import secrets; print(secrets.token_urlsafe(32))"`'
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
