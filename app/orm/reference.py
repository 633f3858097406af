"""Reference data: papers, their tables, FFN variants, the model catalog and architecture facts.

Every stored number keeps its printed text next to its float (``value_text``), because "1.960" and
"1.96" are not the same statement about precision, and its provenance (paper, table, row, column).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.orm.base import Base, BigId


class DatasetInfo(Base):
    """One row: which version of app/data is loaded, and a revision that changes on every real change."""

    __tablename__ = "dataset_info"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Paper(Base):
    __tablename__ = "papers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(32), unique=True)
    arxiv_version: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    authors: Mapped[str] = mapped_column(String(300))
    organization: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    submitted: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    # Order in papers.yaml; the first paper is the one a query that names no paper is about.
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    facts: Mapped[list[PaperFact]] = relationship(
        back_populates="paper", order_by="PaperFact.position", cascade="all, delete-orphan"
    )
    tables: Mapped[list[PaperTable]] = relationship(
        back_populates="paper", order_by="PaperTable.number", cascade="all, delete-orphan"
    )


class PaperFact(Base):
    """A setup fact exactly as the paper states it, with the section it comes from."""

    __tablename__ = "paper_facts"
    __table_args__ = (UniqueConstraint("paper_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)

    paper: Mapped[Paper] = relationship(back_populates="facts")


class PaperTable(Base):
    __tablename__ = "paper_tables"
    __table_args__ = (UniqueConstraint("paper_id", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    caption: Mapped[str] = mapped_column(Text)
    source_label: Mapped[str] = mapped_column(String(200))
    stddev_row_label: Mapped[str] = mapped_column(String(64), default="ibid. stddev.")
    # The metrics drawn as bar panels on the paper page (one per line; null: no chart) and the chart's caption.
    chart_metrics: Mapped[str | None] = mapped_column(Text)
    chart_caption: Mapped[str | None] = mapped_column(Text)
    # How a difference's spread is described when it comes from the table's reference row (null: generic).
    reference_spread_source: Mapped[str | None] = mapped_column(Text)

    paper: Mapped[Paper] = relationship(back_populates="tables")


class Variant(Base):
    """An FFN variant as the paper defines it."""

    __tablename__ = "variants"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    activation: Mapped[str] = mapped_column(String(64))
    gated: Mapped[bool] = mapped_column(Boolean)
    formula_latex: Mapped[str] = mapped_column(Text)
    d_ff_paper: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class Result(Base):
    """One printed cell of a paper table.

    Reference rows (the Raffel et al. 2019 numbers and their run-to-run stddev) have
    ``is_reference`` set and ``variant_name`` empty, so no ranking can pick them up by accident.
    A row of another paper whose activation is not one of the stored variants keeps its printed
    ``row_label`` and an empty ``variant_name`` without being a reference row.

    ``value`` is null where the printed text is not a plain decimal ("223M", "11.1T"): such a text is a
    rounded magnitude, and no float would say exactly what was printed. ``verification`` says how the
    cell was checked (``two-source``, ``single-source`` or ``derived``, the last with its rule).
    ``training_steps`` is null where the paper prints no training length (model size, compute, speed).
    """

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("table_id", "row_label", "benchmark", "metric", "training_steps"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    table_id: Mapped[int] = mapped_column(BigId, ForeignKey("paper_tables.id", ondelete="CASCADE"), index=True)
    row_label: Mapped[str] = mapped_column(String(64))
    row_position: Mapped[int] = mapped_column(Integer)
    variant_name: Mapped[str | None] = mapped_column(ForeignKey("variants.name"), index=True)
    is_reference: Mapped[bool] = mapped_column(Boolean, default=False)
    benchmark: Mapped[str] = mapped_column(String(120), index=True)
    metric: Mapped[str] = mapped_column(String(64))
    column_label: Mapped[str] = mapped_column(String(120))
    column_position: Mapped[int] = mapped_column(Integer)
    training_steps: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str] = mapped_column(String(32))
    stddev: Mapped[float | None] = mapped_column(Float)
    stddev_text: Mapped[str | None] = mapped_column(String(32))
    higher_is_better: Mapped[bool] = mapped_column(Boolean)
    verification: Mapped[str] = mapped_column(String(16), default="two-source", server_default="two-source")
    verification_rule: Mapped[str | None] = mapped_column(Text)

    table: Mapped[PaperTable] = relationship()


class CatalogModel(Base):
    """A released model and the FFN it uses, with where each fact was verified."""

    __tablename__ = "catalog_models"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    organization: Mapped[str] = mapped_column(String(120), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    ffn_type: Mapped[str] = mapped_column(String(16))
    activation: Mapped[str] = mapped_column(String(32), index=True)
    d_model: Mapped[int | None] = mapped_column(Integer)
    d_model_text: Mapped[str] = mapped_column(String(120))
    d_ff: Mapped[int | None] = mapped_column(Integer)
    d_ff_text: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(Text)
    verified: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    # Mixture-of-experts shape, null for dense-FFN models (and a shared-expert count only where stated).
    moe_experts: Mapped[int | None] = mapped_column(Integer)
    moe_active_experts: Mapped[int | None] = mapped_column(Integer)
    moe_shared_experts: Mapped[int | None] = mapped_column(Integer)
    moe_expert_d_ff: Mapped[int | None] = mapped_column(Integer)
    d_ff_per_expert: Mapped[bool | None] = mapped_column(Boolean)
    moe_dense_layers: Mapped[int | None] = mapped_column(Integer)


class ArchitectureFact(Base):
    """A cell of a model report's architecture table (e.g. Gemma 2 Table 1), kept as printed."""

    __tablename__ = "architecture_facts"
    __table_args__ = (UniqueConstraint("family", "size", "parameter"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[str] = mapped_column(String(16))
    parameter: Mapped[str] = mapped_column(String(120))
    value_text: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(200))
    verified: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
