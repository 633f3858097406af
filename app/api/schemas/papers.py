"""Response models of the paper routes: papers, their tables as printed, results, comparisons, winners."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas.common import Closed, PageFields

Verification = Literal["two-source", "single-source", "derived"]
VERIFICATION_HELP = (
    "two-source: read identically in two independent copies of the paper; single-source: read in one copy "
    "only (never ranked unless asked for); derived: computed from printed values by verification_rule."
)
STEPS_HELP = "Training steps of the column; null where the paper prints no training length (size, compute, speed)."
VALUE_HELP = 'The printed value as a float; null where the text is not a plain decimal ("223M", "11.1T").'


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
    verification_counts: dict[str, int] = Field(description="Stored cells per verification status.")


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
    training_steps: int | None = Field(description=STEPS_HELP)
    higher_is_better: bool
    ranked: bool = Field(description="Whether the column ranks its rows (at least two competing numeric cells).")


class TableCell(Closed):
    value: float | None = Field(description=VALUE_HELP)
    value_text: str = Field(description='The value as printed, e.g. "1.960".')
    stddev: float | None
    stddev_text: str | None
    verification: Verification = Field(description=VERIFICATION_HELP)
    verification_rule: str | None = Field(description="How a derived value was computed; null otherwise.")
    best: bool = Field(
        description="The best value of its column among the rows that compete (never reference rows, "
        "cells without a numeric value or single-source cells)."
    )


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
    chart_metrics: list[str] = Field(description="The metrics the paper page draws as bar panels.")
    chart_caption: str | None
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
    variant: str | None = Field(
        description="The stored variant the row is; null on reference rows and on rows of activations that "
        "are none of the stored variants (their row_label names them)."
    )
    row_label: str = Field(description="The row as the paper prints it.")
    is_reference: bool
    benchmark: str
    metric: str
    training_steps: int | None = Field(description=STEPS_HELP)
    value: float | None = Field(description=VALUE_HELP)
    value_text: str
    stddev: float | None
    stddev_text: str | None
    higher_is_better: bool
    verification: Verification = Field(description=VERIFICATION_HELP)
    verification_rule: str | None = Field(description="How a derived value was computed; null otherwise.")
    source: Source


class ResultPage(PageFields):
    items: list[ResultItem]


class ComparedValue(Closed):
    variant: str
    row_label: str = Field(description="The row as the paper prints it (e.g. LiGLU for FFN_Bilinear).")
    value: float | None
    value_text: str
    stddev: float | None
    verification: Verification = Field(description=VERIFICATION_HELP)
    source: Source


class ComparisonItem(Closed):
    table: int
    benchmark: str
    metric: str
    training_steps: int | None = Field(description=STEPS_HELP)
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
    single_source: bool = Field(description="True where either value was read in one copy only.")


class VariantComparison(Closed):
    a: str
    b: str
    paper: str | None = Field(description="The one paper compared (never two at once).")
    items: list[ComparisonItem]
    wins: dict[str, int] = Field(description="Columns won by each variant, and ties.")


class BestItem(Closed):
    paper: str
    benchmark: str
    metric: str
    training_steps: int | None = Field(description=STEPS_HELP)
    higher_is_better: bool
    best: list[str] = Field(description="The stored variant of each winning row, else its printed label.")
    best_rows: list[str] = Field(description="The winning rows as the paper prints them.")
    value: float | None
    value_text: str
    tie: bool
    verification: Verification = Field(description="The weakest status among the winning cells.")
    single_source: bool = Field(description="True where a winner was read in one copy only (only when asked for).")
    single_source_left_out: int = Field(description="Single-source cells of this column that did not compete.")
    source: Source


class BestList(Closed):
    items: list[BestItem]


class CrossPaperItem(Closed):
    table: int
    benchmark: str
    metric: str
    training_steps: int | None = Field(description=STEPS_HELP)
    a_value_text: str
    b_value_text: str
    better: str
    spread: float | None
    spread_source: str
    noise: str
    verdict: str


class PaperVerdict(Closed):
    """What one paper found for the pair, against its own noise; never pooled with another paper."""

    paper: str
    title: str
    authors: str
    year: int
    arxiv: str
    row_labels: dict[str, str] = Field(description="How this paper prints the two variants (a, b).")
    items: list[CrossPaperItem]
    wins: dict[str, int]
    noise: dict[str, int] = Field(description="How many of this paper's columns read as each noise verdict.")
    ordering: str


class CautionFact(Closed):
    paper: str
    label: str
    value: str


class AcrossPapers(Closed):
    a: str
    b: str
    papers: list[PaperVerdict]
    comparable: bool = Field(description="Always false: absolute values of two papers are never compared.")
    statement: str
    cautions: list[CautionFact] = Field(description="Each paper's own note on why its numbers stand apart.")
