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
    verified: str


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
