"""The success body of ``GET /api/v1/comparisons/{id}/curves`` (``app.jobs.curves.to_json``)."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.common import Closed


class Curve(Closed):
    steps: list[int] = Field(description="Optimiser steps at which the loss was reported.")
    loss: list[float] = Field(description="The loss at each of those steps (nats/token).")


class RunCurves(Closed):
    variant: str
    seed: int
    final_val_loss: float | None = Field(description="On the fixed final set; null until the run finished.")
    tokens_per_second: float | None = Field(description="Training throughput; null until the run finished.")
    train: Curve = Field(description="Training loss of every step reported.")
    val: Curve = Field(description="Validation loss at each evaluation.")


class ComparisonCurves(Closed):
    """Every run's curves; a cancelled or failed job's are those it reported before it stopped."""

    source: str = Field(description="results (the job succeeded) or events (what it reported so far).")
    variants: list[str]
    seeds: list[int]
    reference: dict[str, float] = Field(description="The corpus's reference losses (entropy, bigram, unigram).")
    runs: list[RunCurves] = Field(description="Every planned run, variant by variant, seed by seed.")
