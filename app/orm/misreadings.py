"""Common misreadings of activation facts, stored as data with their evidence.

The evidence and the things a misreading concerns are small nested lists read whole with their row, so
they are JSON columns rather than child tables; their keys are described in app/data/misreadings.yaml.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.orm.base import Base


class Misreading(Base):
    """A wrong reading, the right one, where it shows up, and the stored rows or sources that settle it."""

    __tablename__ = "misreadings"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    wrong: Mapped[str] = mapped_column(Text)
    right: Mapped[str] = mapped_column(Text)
    shows_up: Mapped[str] = mapped_column(Text)
    concerns: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
