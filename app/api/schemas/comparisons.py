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


class JobView(JobSummary):
    """A job with its results (null until it succeeded)."""

    results: dict[str, Any] | None


class JobCreated(JobView):
    """The answer to a submission."""

    cached: bool = Field(description="An identical finished comparison answered at once.")
    cancel_token: str | None = Field(description="Shown once, for a new job: send it to cancel the job.")


class JobPage(PageFields):
    items: list[JobSummary]
