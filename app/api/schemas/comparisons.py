"""The success bodies of ``/api/v1/comparisons`` (the documents of ``app.documents.comparisons``)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from app.api.schemas.common import Closed, PageFields


class Estimate(Closed):
    seconds: float = Field(description="Expected wall-clock seconds on the job's device class.")
    flops: float = Field(description="Matmul FLOPs of the whole comparison.")


class JobLinks(Closed):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    self_: str = Field(alias="self", description="This job.")
    events: str = Field(description="Its Server-Sent Events.")
    page: str = Field(description="Its page.")


class JobSummary(Closed):
    """A job without its results (the list, and the answer to a cancel)."""

    id: str
    kind: str = Field(description="quality or speed.")
    status: str = Field(description="queued, running, succeeded, failed or cancelled.")
    cancel_requested: bool
    progress: float = Field(ge=0, le=1)
    done_steps: int
    total_steps: int
    queue_position: int | None = Field(description="1 = next to be claimed; null once no longer queued.")
    eta_seconds: float | None = Field(description="Seconds until it should finish; null once finished.")
    estimate: Estimate
    attempts: int
    error: str | None
    device_class: str
    code_version: str
    config: dict[str, Any] = Field(description="The stored config, every default filled in.")
    created_at: str
    started_at: str | None
    finished_at: str | None
    links: JobLinks


RESULTS_DESCRIPTION = (
    "Null until the job succeeded. Every result has `environment`: `device`, `device_name`, `cpu_model`, "
    "`device_class` (what the cost model priced), `hardware_class` (`cpu:<model> (<vector width>)` or "
    "`cuda:<GPU name>`: a stored result answers only requests on this class), `dtype`, `torch_version`, "
    "`torch_build` (`version`, `git`, `cuda`, `cudnn`, `mkl`, `mkldnn`, `openmp`, `cpu_capability`), "
    "`determinism` (`deterministic_algorithms`, `deterministic_warn_only`, `cudnn_deterministic`, "
    "`cudnn_benchmark`, `float32_matmul_precision`, `intra_op_threads`, `interop_threads`; a quality run adds "
    "`seeds`), `threads`, `cpu_count`, `code_version`. A quality result's `pairs` are decided on the "
    "Holm-adjusted p: each has `a`, `b`, `seeds`, `mean_diff` (a − b), `mean_diff_ci95` ([low, high], 95% Welch "
    "interval, unadjusted), `t`, `df`, `p`, `p_holm`, `alpha`, `significant` (p_holm < alpha), `better` (the "
    "lower-loss variant, only when significant), `verdict` ('X lower loss than Y (Holm p = …)' or 'not "
    "distinguishable with N seeds (Holm p = …)'), `mde_80` (smallest |a − b| found with 80% power at alpha), "
    "`mde_80_holm` (the same at alpha / pairs), `suggested_seeds` (seeds per variant that find the observed "
    "difference with 80% power at alpha / pairs; null when significant, untested or over the cap) and "
    "`suggested_seeds_over_cap`. `verdict_rule` states the rule (`test`, `adjustment`, `alpha`, `pairs_tested`, "
    "`family_alpha_per_pair`, `seeds`, `confidence`, `power`); `rerun` is the preset `{seeds, label: 'run again "
    "with N seeds', undecided_pairs, settled_within_cap, beyond_cap, seed_cap, power}` (`seeds` null when no "
    "undecided pair settles within the cap)."
)


class JobView(JobSummary):
    """A job with its results (null until it succeeded)."""

    results: dict[str, Any] | None = Field(description=RESULTS_DESCRIPTION)


class JobCreated(JobView):
    """The answer to a submission."""

    cached: bool = Field(description="An identical finished comparison answered at once.")
    cancel_token: str | None = Field(description="Shown once, for a new job: send it to cancel the job.")


class JobPage(PageFields):
    items: list[JobSummary]


class EstimateLimits(Closed):
    seconds: float = Field(description="ACTLAB_COMPARE_MAX_EXPECTED_SECONDS.")
    peak_memory_bytes: int = Field(description="ACTLAB_COMPARE_MAX_PEAK_MEMORY_BYTES.")
    flops: float = Field(description="ACTLAB_COMPARE_MAX_FLOPS.")


class EstimateRefusal(Closed):
    limit: str = Field(description="seconds, peak_memory_bytes or flops.")
    message: str = Field(description="The refusal in plain words, with what to change.")
    setting: str = Field(description="The setting that holds the limit.")


class ComparisonEstimate(Closed):
    """What a comparison would cost on the device class it would run on: the cost model admission uses."""

    device_class: str
    seconds: float = Field(description="Expected wall-clock seconds, all phases.")
    training_seconds: float
    evaluation_seconds: float
    corpus_seconds: float
    compile_seconds: float
    startup_seconds: float
    peak_memory_bytes: int = Field(description="Estimated peak memory of all the job's processes.")
    flops: float = Field(description="Matmul FLOPs of the whole comparison.")
    limits: EstimateLimits
    allowed: bool = Field(description="False when a submission would be refused for its cost (422).")
    refusals: list[EstimateRefusal]
