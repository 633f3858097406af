"""The flat (CSV) forms of the paper documents: a table as printed, a comparison of two variants.

The JSON documents themselves come from ``app.papers`` and ``app.paper_compare``; a CSV client gets
the same facts one row per line, with the printed text of every value.
"""

from __future__ import annotations

from typing import Any

COMPARE_CSV_COLUMNS = [
    "benchmark", "metric", "training_steps", "a", "a_value", "b", "b_value", "difference", "better", "spread", "noise",
]


def table_rows(table: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """A ``paper_table`` document as CSV rows and columns: one row per printed row, a stddev column where one is."""
    rows = []
    for row in table["rows"] + table["reference_rows"]:
        flat = {"row": row["label"]}
        for col, cell in zip(table["columns"], row["cells"], strict=True):
            flat[col["label"]] = "" if cell is None else cell["value_text"]
            if cell is not None and cell["stddev_text"]:
                flat[f"{col['label']} (stddev)"] = cell["stddev_text"]
        rows.append(flat)
    columns = ["row"]
    for col in table["columns"]:
        columns.append(col["label"])
        if any(r.get(f"{col['label']} (stddev)") for r in rows):
            columns.append(f"{col['label']} (stddev)")
    return rows, columns


def compare_rows(result: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """A ``compare`` document as CSV rows: one per benchmark and metric, values as printed."""
    rows = [
        {
            "benchmark": i["benchmark"], "metric": i["metric"], "training_steps": i["training_steps"],
            "a": i["a"]["variant"], "a_value": i["a"]["value_text"], "b": i["b"]["variant"],
            "b_value": i["b"]["value_text"], "difference": i["difference_text"], "better": i["better"],
            "spread": i["spread"], "noise": i["noise"],
        }
        for i in result["items"]
    ]
    return rows, COMPARE_CSV_COLUMNS if rows else []
