"""How a paper entry of papers.yaml and its table CSVs become rows: papers are data, not code.

Everything specific to one paper (its reference rows, which printed row is which stored variant, how
its columns are labelled, which metrics are lower-is-better, what its chart draws, how its cells were
verified) is read from its entry, so adding a paper is adding files under app/data and nothing else.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

VERIFICATION_STATUSES = ("two-source", "single-source", "derived")
_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def numeric_value(text: str) -> float | None:
    """The float of a printed value, only where the text is a plain decimal and so says it exactly.

    "3.50" and "2.182" are plain decimals. "223M" or "11.1T" are rounded magnitudes with a unit: no
    float states what was printed (223M could be anything from 222.5M to 223.5M), so they get none and
    keep only their printed text.
    """
    stripped = text.strip()
    return float(stripped) if _PLAIN_DECIMAL.fullmatch(stripped) else None


def paper_row(paper: dict[str, Any], position: int) -> dict[str, Any]:
    keys = ("id", "arxiv_id", "arxiv_version", "title", "authors", "organization", "year")
    return {k: paper[k] for k in keys} | {
        "submitted": str(paper["submitted"]),
        "summary": paper["summary"].strip(),
        "position": position,
    }


def table_row(paper: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    metrics = table.get("chart_metrics")
    caption = table.get("chart_caption")
    return {
        "paper_id": paper["id"],
        "number": table["number"],
        "title": table["title"],
        "caption": table["caption"].strip(),
        "source_label": f"arXiv:{paper['arxiv_id']}{paper['arxiv_version']} Table {table['number']}",
        "stddev_row_label": table.get("stddev_row_label", paper.get("stddev_row_label", "stddev")),
        "chart_metrics": "\n".join(metrics) if metrics else None,
        "chart_caption": caption.strip() if caption else None,
        "reference_spread_source": paper.get("reference_spread_source"),
    }


def column_label(template: str, benchmark: str, metric: str, training_steps: int | None) -> str:
    """The column heading as the paper prints it, from the table's template (default "{task} {metric}")."""
    task = benchmark.split("/", 1)[1] if "/" in benchmark else ""
    return template.format(benchmark=benchmark, metric=metric, task=task, training_steps=training_steps).strip()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def table_sources(paper: dict[str, Any], table: dict[str, Any], data_dir: Path) -> list[tuple[dict[str, str], str]]:
    """The CSV rows of one table, each with the verification status its file (or the paper) gives it."""
    files = table.get("files") or [{"file": table["file"]}]
    out = []
    for spec in files:
        status = str(spec.get("verification", paper.get("verification", "two-source")))
        prefix = spec.get("source_prefix")
        for row in _read_csv(data_dir / spec["file"]):
            if prefix is None or row["source_table"].startswith(f"{prefix} ") or row["source_table"] == prefix:
                out.append((row, status))
    return out


def result_rows(
    table_id: int, paper: dict[str, Any], table: dict[str, Any], data_dir: Path, variant_names: set[str]
) -> list[dict[str, Any]]:
    """One row per printed cell; unknown variants, statuses and derived cells without a rule are errors."""
    reference_rows: dict[str, str] = paper.get("reference_rows") or {}
    row_variants: dict[str, str] = paper.get("row_variants") or {}
    lower_is_better = set(paper.get("lower_is_better_metrics") or [])
    template = str(table.get("column_label", "{task} {metric}"))
    labels: dict[str, str] = table.get("column_labels") or {}
    number = table["number"]
    row_positions: dict[str, int] = {}
    column_positions: dict[tuple[str, str, int | None], int] = {}
    out = []
    for r, default_status in table_sources(paper, table, data_dir):
        row_id = r["variant"]
        is_reference = row_id in reference_rows
        variant = None if is_reference else row_variants.get(row_id, row_id if row_id in variant_names else None)
        if variant is not None and variant not in variant_names:
            raise ValueError(f"{paper['id']} table {number}: unknown variant {variant!r}")
        if variant is None and not is_reference and not row_variants:
            raise ValueError(f"{paper['id']} table {number}: unknown variant {row_id!r}")
        status = (r.get("verification") or "").strip() or default_status
        rule = (r.get("verification_rule") or "").strip() or None
        if status not in VERIFICATION_STATUSES:
            raise ValueError(f"{paper['id']} table {number}: unknown verification {status!r}")
        if status == "derived" and rule is None:
            raise ValueError(f"{paper['id']} table {number}: a derived cell needs its verification_rule")
        # No training length is printed for model size, compute or speed: null, not a made-up 0.
        steps = int(r["training_steps"]) if r["training_steps"].strip() else None
        column = (r["benchmark"], r["metric"], steps)
        row_positions.setdefault(row_id, len(row_positions))
        column_positions.setdefault(column, len(column_positions))
        stddev_text = r["stddev"].strip() or None
        out.append(
            {
                "table_id": table_id,
                "row_label": reference_rows.get(row_id, row_id),
                "row_position": row_positions[row_id],
                "variant_name": variant,
                "is_reference": is_reference,
                "benchmark": r["benchmark"],
                "metric": r["metric"],
                "column_label": labels.get(r["metric"]) or column_label(template, r["benchmark"], r["metric"], steps),
                "column_position": column_positions[column],
                "training_steps": steps,
                "value": numeric_value(r["value"]),
                "value_text": r["value"].strip(),
                "stddev": numeric_value(stddev_text) if stddev_text else None,
                "stddev_text": stddev_text,
                "higher_is_better": r["metric"] not in lower_is_better,
                "verification": status,
                "verification_rule": rule,
            }
        )
    return out
