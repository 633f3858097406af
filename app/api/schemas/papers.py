"""Response models of the paper routes: papers, their tables as printed, results, comparisons, winners."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.common import Closed, PageFields


class TableRef(Closed):
    number: int
    title: str


class PaperSummary(Closed):
    id: str
    arxiv_id: str
    arxiv_version: str
    arxiv_url: str
    title: str
    authors: str
    organization: str
    year: int
    submitted: str
    tables: list[TableRef]


class PaperList(Closed):
    items: list[PaperSummary]


class PaperFact(Closed):
    key: str
    label: str
    value: str
    location: str = Field(description="The section of the paper the fact comes from.")


class PaperDetail(PaperSummary):
    summary: str
    facts: list[PaperFact]


class TableColumn(Closed):
    label: str
    benchmark: str
    metric: str
    training_steps: int
    higher_is_better: bool


class TableCell(Closed):
    value: float
    value_text: str = Field(description='The value as printed, e.g. "1.960".')
    stddev: float | None
    stddev_text: str | None
    best: bool = Field(description="The best value of its column among the variants (reference rows never are).")


class TableRow(Closed):
    label: str
    variant: str | None
    is_reference: bool
    is_stddev: bool = Field(False, description="Present (true) on the row of reference spreads only.")
    cells: list[TableCell | None] = Field(description="One per column; null where the paper prints nothing.")


class PaperTableOut(Closed):
    paper: str
    number: int
    title: str
    caption: str
    source: str
    columns: list[TableColumn]
    rows: list[TableRow]
    reference_rows: list[TableRow]


class Source(Closed):
    """Where a number is printed: paper, arXiv id and version, table, row and column."""

    paper: str
    arxiv: str
    table: int
    row: str
    column: str
    label: str


class ResultItem(Closed):
    id: int
    variant: str | None = Field(description="Null on reference rows.")
    row_label: str
    is_reference: bool
    benchmark: str
    metric: str
    training_steps: int
    value: float
    value_text: str
    stddev: float | None
    stddev_text: str | None
    higher_is_better: bool
    source: Source


class ResultPage(PageFields):
    items: list[ResultItem]


class ComparedValue(Closed):
    variant: str
    value: float
    value_text: str
    stddev: float | None
    source: Source


class ComparisonItem(Closed):
    benchmark: str
    metric: str
    training_steps: int
    higher_is_better: bool
    a: ComparedValue
    b: ComparedValue
    difference: float
    difference_text: str
    better: str = Field(description="The better variant, or 'tie'.")
    spread: float | None
    spread_source: str
    noise: str
    verdict: str


class VariantComparison(Closed):
    a: str
    b: str
    items: list[ComparisonItem]
    wins: dict[str, int] = Field(description="Columns won by each variant, and ties.")


class BestItem(Closed):
    benchmark: str
    metric: str
    training_steps: int
    higher_is_better: bool
    best: list[str]
    value: float
    value_text: str
    tie: bool
    source: Source


class BestList(Closed):
    items: list[BestItem]
