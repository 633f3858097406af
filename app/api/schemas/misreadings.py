"""Response models of the misreading routes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas.common import Closed, PageFields


class Concerns(Closed):
    models: list[str] = Field(description="Catalog model names.")
    activations: list[str] = Field(description="Activation ids.")
    papers: list[str] = Field(description="Paper ids.")


class ConcernLink(Closed):
    kind: Literal["model", "activation", "paper"]
    name: str
    page_url: str


class Citation(Closed):
    kind: Literal["paper_cell", "architecture_fact", "catalog_model", "reference_fact", "external"]
    label: str = Field(description="The cited row (paper, table, row, column; model and field) or the source text.")
    value_text: str | None = Field(description="The cited value exactly as printed, where one is cited.")
    source: str
    stored: bool = Field(description="Whether the cited row is stored and holds exactly this value.")
    url: str | None = Field(description="The JSON resource of the stored row, when stored.")
    page_url: str | None = Field(description="The page of the stored row, when it has one.")
    key: dict[str, str] = Field(description="What identifies the stored row (paper/table/row/column, model/field…).")


class MisreadingOut(Closed):
    id: str = Field(description="A stable slug.")
    title: str
    wrong: str = Field(description="The wrong reading.")
    right: str = Field(description="The right reading; numbers exactly as the reference prints them.")
    where: str = Field(description="Where the misreading shows up.")
    concerns: Concerns
    evidence: list[Citation]
    url: str
    page_url: str
    links: list[ConcernLink]


class MisreadingPage(PageFields):
    items: list[MisreadingOut]
