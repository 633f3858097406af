"""The flat (CSV) forms of the paper documents: a table as printed, a comparison of two variants.

The JSON documents themselves come from ``app.papers`` and ``app.paper_compare``; a CSV client gets
the same facts one row per line, with the printed text of every value.
"""

from __future__ import annotations

from typing import Any

COMPARE_CSV_COLUMNS = [
    "benchmark", "metric", "training_steps", "a", "a_value", "b", "b_value", "difference", "better", "spread", "noise",
    "a_verification", "b_verification", "single_source",
]
BEST_CSV_COLUMNS = [
    "paper", "benchmark", "metric", "training_steps", "best", "value_text", "tie", "verification", "single_source",
    "single_source_left_out", "source.label",
]
TWO_SOURCE = "two-source"


def table_rows(table: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """A ``paper_table`` document as CSV rows and columns: one row per printed row, a stddev column where one is.

    ``verification`` lists the statuses of a row's cells; a column holding any cell that is not
    two-source also gets its own "(verification)" column, so a single-source cell is never unmarked.
    """
    rows = []
    for row in table["rows"] + table["reference_rows"]:
        flat = {"row": row["label"]}
        statuses = []
        for col, cell in zip(table["columns"], row["cells"], strict=True):
            flat[col["label"]] = "" if cell is None else cell["value_text"]
            if cell is not None and cell["stddev_text"]:
                flat[f"{col['label']} (stddev)"] = cell["stddev_text"]
            if cell is not None:
                flat[f"{col['label']} (verification)"] = cell["verification"]
                statuses.append(cell["verification"])
        flat["verification"] = "; ".join(dict.fromkeys(statuses))
        rows.append(flat)
    columns = ["row"]
    for col in table["columns"]:
        columns.append(col["label"])
        if any(r.get(f"{col['label']} (stddev)") for r in rows):
            columns.append(f"{col['label']} (stddev)")
        if any(r.get(f"{col['label']} (verification)", TWO_SOURCE) != TWO_SOURCE for r in rows):
            columns.append(f"{col['label']} (verification)")
    columns.append("verification")
    return [{k: r.get(k, "") for k in columns} for r in rows], columns


def compare_rows(result: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """A ``compare`` document as CSV rows: one per benchmark and metric, values as printed."""
    rows = [
        {
            "benchmark": i["benchmark"], "metric": i["metric"], "training_steps": i["training_steps"],
            "a": i["a"]["variant"], "a_value": i["a"]["value_text"], "b": i["b"]["variant"],
            "b_value": i["b"]["value_text"], "difference": i["difference_text"], "better": i["better"],
            "spread": i["spread"], "noise": i["noise"], "a_verification": i["a"]["verification"],
            "b_verification": i["b"]["verification"], "single_source": i["single_source"],
        }
        for i in result["items"]
    ]
    return rows, COMPARE_CSV_COLUMNS if rows else []


ACROSS_CSV_COLUMNS = [
    "paper", "table", "benchmark", "metric", "training_steps", "a", "a_value", "b", "b_value", "better", "noise",
]


def across_rows(result: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """An ``across_papers`` document as CSV rows: one per paper and column, each paper's own labels."""
    rows = [
        {
            "paper": p["paper"], "table": i["table"], "benchmark": i["benchmark"], "metric": i["metric"],
            "training_steps": i["training_steps"], "a": p["row_labels"]["a"], "a_value": i["a_value_text"],
            "b": p["row_labels"]["b"], "b_value": i["b_value_text"], "better": i["better"], "noise": i["noise"],
        }
        for p in result["papers"]
        for i in p["items"]
    ]
    return rows, ACROSS_CSV_COLUMNS if rows else []
