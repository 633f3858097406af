"""Response models of the variant and model-catalog routes."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.common import Closed
from app.api.schemas.papers import ResultItem


class VariantSummary(Closed):
    name: str
    activation: str
    gated: bool
    formula_latex: str
    d_ff_paper: int
    description: str


class VariantList(Closed):
    items: list[VariantSummary]


class RankedResult(ResultItem):
    rank: int = Field(description="1 + the number of variants better in this column.")
    of: int = Field(description="Variants in this column.")


class VariantDetail(VariantSummary):
    results: list[RankedResult]


class CatalogModelOut(Closed):
    name: str
    organization: str
    year: int
    ffn_type: str
    activation: str
    d_model: int | None
    d_model_text: str
    d_ff: int | None
    d_ff_text: str
    source: str
    verified: str = Field(description="The verification column as the reference states it (e.g. 'two-source').")
    verified_summary: str = Field(
        description="A short label of `verified`: two-source, 'two-source, with notes', partly single-source, "
        "partly unverified."
    )
    moe_experts: int | None = Field(description="Routed experts per MoE layer; null for a dense-FFN model.")
    moe_active_experts: int | None = Field(description="Routed experts active per token.")
    moe_shared_experts: int | None = Field(description="Always-on shared experts, where the source states it.")
    moe_expert_d_ff: int | None = Field(description="The intermediate size of one expert.")
    d_ff_per_expert: bool | None = Field(
        description="True when d_ff is the per-expert width; false when it is the dense layers' width."
    )
    moe_dense_layers: int | None = Field(description="Leading dense (non-MoE) layers, where the source states it.")
    d_ff_ratio: float | None = Field(description="d_ff / d_model, computed from the stored widths.")
    d_ff_ratio_vs_8_3: float | None = Field(description="(d_ff / d_model) / (8/3).")
    d_ff_ratio_reading: str | None = Field(
        description="'8/3 rule' (within 2 %), 'above 8/3', 'below 8/3' for gated FFNs, 'dense 4×' for dense ones; "
        "MoE rows say whether the width is per expert."
    )


class CatalogModelList(Closed):
    items: list[CatalogModelOut]
    total: int


class ArchitectureFactOut(Closed):
    family: str
    size: str
    parameter: str
    value_text: str
    source: str
    verified: str


class CatalogModelDetail(CatalogModelOut):
    architecture_facts: list[ArchitectureFactOut]


class ArchitectureRow(Closed):
    parameter: str
    source: str
    values: dict[str, str] = Field(description="The printed value per model size.")


class ArchitectureTable(Closed):
    family: str
    sizes: list[str]
    rows: list[ArchitectureRow]
