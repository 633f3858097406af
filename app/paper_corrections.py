"""An admin's correction of one stored cell, as printed text (``PATCH /api/v1/results/{id}``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain import InvalidInputError, UnknownNameError
from app.orm import DatasetInfo, PaperTable, Result
from app.papers import result_item


def correct_result(
    session: Session, result_id: int, value_text: str | None, stddev_text: str | None, clear_stddev: bool = False
) -> dict[str, Any]:
    """An admin's correction of one stored cell, as printed text; bumps the dataset revision.

    The files in app/data stay the source of truth: a later `actlab seed` restores their value unless the
    file is corrected too, which is what the README tells operators to do.
    """
    result = session.get(Result, result_id, options=[selectinload(Result.table).selectinload(PaperTable.paper)])
    if result is None:
        raise UnknownNameError("result", str(result_id), [], "result_id")
    if value_text is not None:
        result.value, result.value_text = _parse_printed(value_text, "body.value_text"), value_text.strip()
    if clear_stddev:
        result.stddev, result.stddev_text = None, None
    elif stddev_text is not None:
        result.stddev, result.stddev_text = _parse_printed(stddev_text, "body.stddev_text"), stddev_text.strip()
    info = session.scalar(select(DatasetInfo).where(DatasetInfo.id == 1))
    if info is not None:
        info.revision += 1
    session.flush()
    return result_item(result)


def _parse_printed(text: str, field: str) -> float:
    """A printed decimal such as "1.960": digits with an optional sign and point, nothing else."""
    stripped = text.strip()
    try:
        value = Decimal(stripped)
    except InvalidOperation as exc:
        raise InvalidInputError(field, "must be a decimal number as printed, e.g. 1.960") from exc
    if not value.is_finite() or not all(ch.isdigit() or ch in "+-." for ch in stripped):
        raise InvalidInputError(field, "must be a decimal number as printed, e.g. 1.960")
    return float(value)
