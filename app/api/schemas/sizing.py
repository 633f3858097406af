"""Response model of the hidden-size calculator."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.common import Closed


class SizingInputs(Closed):
    multiple_of: int | None = Field(description="LLaMA's rounding multiple (256 when rule=llama gives none).")
    ffn_dim_multiplier: str | None = Field(description="The multiplier as the exact decimal it was read as.")
    factor: int | None
    d_ff: int | None


class SizingStep(Closed):
    formula: str
    value: int


class VariantCost(Closed):
    name: str
    gated: bool
    matrices: int = Field(description="2 for the dense family, 3 for the gated family.")
    d_ff: int
    weights: int = Field(description="matrices · d_model · d_ff.")
    bias_params: int = Field(description="0 unless biases=true.")
    params: int = Field(description="weights + bias_params, per FFN layer.")
    flops_per_token: int = Field(description="Matmul FLOPs per token per layer: 2 · weights, ×3 for forward_backward.")


class FFNSizes(Closed):
    d_model: int
    rule: str
    rule_formula: str
    inputs: SizingInputs
    d_ff: int
    steps: list[SizingStep] = Field(description="The derivation of d_ff, one line per step of the rule.")
    biases: bool
    flops: str = Field(description="forward, or forward_backward.")
    variants: list[VariantCost]
    notes: list[str]
    assumptions: list[str]
    url: str
