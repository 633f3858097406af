"""A stored table as its paper prints it: columns, rows, reference rows, spreads and the best cells.

"Best" is computed, not copied: the best printed value per column among the rows that may compete
(``app.papers.ranked``: no reference rows, no cells without a numeric value, no single-source cells),
so a paper's own typography (bold for "better than the baseline") is not mistaken for a ranking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.domain import UnknownNameError
from app.orm import Result
from app.papers import ranked, resolve_paper, results_query


def paper_table(session: Session, paper_id: str, number: int) -> dict[str, Any]:
    """A table as the paper prints it: columns, variant rows, reference rows, best cells marked."""
    paper = resolve_paper(session, paper_id, "paper_id")
    table = next((t for t in paper.tables if t.number == number), None)
    if table is None:
        raise UnknownNameError(
            "table", str(number), [str(t.number) for t in paper.tables], field="number"
        )
    results = list(
        session.scalars(
            results_query()
            .where(Result.table_id == table.id)
            .order_by(Result.row_position, Result.column_position)
        )
    )
    columns: dict[int, dict[str, Any]] = {}
    rows: dict[int, dict[str, Any]] = {}
    for r in results:
        columns.setdefault(
            r.column_position,
            {
                "label": r.column_label,
                "benchmark": r.benchmark,
                "metric": r.metric,
                "training_steps": r.training_steps,
                "higher_is_better": r.higher_is_better,
                "ranked": False,
            },
        )
        row = rows.setdefault(
            r.row_position,
            {"label": r.row_label, "variant": r.variant_name, "is_reference": r.is_reference, "cells": {}},
        )
        row["cells"][r.column_position] = {
            "value": r.value,
            "value_text": r.value_text,
            "stddev": r.stddev,
            "stddev_text": r.stddev_text,
            "verification": r.verification,
            "verification_rule": r.verification_rule,
            "best": False,
            "_ranked": ranked(r),
        }
    column_order = sorted(columns)
    for pos in column_order:
        candidates = [
            row["cells"][pos]
            for row in rows.values()
            if not row["is_reference"] and pos in row["cells"] and row["cells"][pos]["_ranked"]
        ]
        if len(candidates) < 2:
            continue  # one competing cell is no ranking
        columns[pos]["ranked"] = True
        pick = max if columns[pos]["higher_is_better"] else min
        best_value = pick(Decimal(c["value_text"]) for c in candidates)
        for cell in candidates:
            cell["best"] = Decimal(cell["value_text"]) == best_value
    for row in rows.values():
        for cell in row["cells"].values():
            del cell["_ranked"]
    variant_rows: list[dict[str, Any]] = []
    reference_rows: list[dict[str, Any]] = []
    for pos in sorted(rows):
        row = rows[pos]
        row["cells"] = [row["cells"].get(c) for c in column_order]
        (reference_rows if row["is_reference"] else variant_rows).append(row)
    # The reference stddev ("ibid. stddev.", as each table labels it) is printed as its own row.
    for ref in list(reference_rows):
        if any(c and c["stddev_text"] for c in ref["cells"]):
            reference_rows.append(
                {
                    "label": table.stddev_row_label,
                    "variant": None,
                    "is_reference": True,
                    "is_stddev": True,
                    "cells": [
                        None
                        if c is None or c["stddev_text"] is None
                        else {"value": c["stddev"], "value_text": c["stddev_text"], "stddev": None,
                              "stddev_text": None, "verification": c["verification"],
                              "verification_rule": c["verification_rule"], "best": False}
                        for c in ref["cells"]
                    ],
                }
            )
    return {
        "paper": paper.id,
        "number": table.number,
        "title": table.title,
        "caption": table.caption,
        "source": table.source_label,
        "chart_metrics": table.chart_metrics.splitlines() if table.chart_metrics else [],
        "chart_caption": table.chart_caption,
        "columns": [columns[c] for c in column_order],
        "rows": variant_rows,
        "reference_rows": reference_rows,
    }
