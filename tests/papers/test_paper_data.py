"""A paper is data: how papers.yaml entries and table CSVs become rows (printed values, statuses, labels)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.paper_data import column_label, numeric_value, result_rows

HEADER = "variant,benchmark,metric,training_steps,value,stddev,source_table,verification,verification_rule\n"


def test_only_plain_decimals_get_a_float() -> None:
    assert numeric_value("3.50") == 3.5 and numeric_value("2.182") == 2.182 and numeric_value("-0.002") == -0.002
    assert numeric_value("223M") is None and numeric_value("11.1T") is None and numeric_value("n/a") is None


def test_column_label_templates() -> None:
    assert column_label("{training_steps:,} steps", "C4", "log-perplexity", 65536) == "65,536 steps"
    assert column_label("{task} {metric}", "GLUE/CoLA", "MCC", 524288) == "CoLA MCC"
    assert column_label("{task} {metric}", "GLUE", "Score Average", 524288) == "Score Average"


def paper_files(tmp_path: Path, body: str) -> tuple[dict[str, object], dict[str, object]]:
    (tmp_path / "t.csv").write_text(HEADER + body, encoding="utf-8")
    paper = {"id": "p", "verification": "two-source", "row_variants": {"LiGLU": "FFN_Bilinear"}}
    return paper, {"number": 1, "file": "t.csv", "column_label": "{metric}"}


def test_derived_cells_keep_their_rule_and_unmapped_rows_their_label(tmp_path: Path) -> None:
    paper, table = paper_files(
        tmp_path,
        "LiGLU,C4,loss,100,1.5,,src,derived,mean of the two printed runs\nELU,C4,loss,100,1.7,,src,,\n",
    )
    rows = result_rows(1, paper, table, tmp_path, {"FFN_Bilinear"})
    assert [(r["row_label"], r["variant_name"], r["verification"], r["verification_rule"]) for r in rows] == [
        ("LiGLU", "FFN_Bilinear", "derived", "mean of the two printed runs"),
        ("ELU", None, "two-source", None),
    ]


@pytest.mark.parametrize(
    "line", ["LiGLU,C4,loss,100,1.5,,src,derived,\n", "LiGLU,C4,loss,100,1.5,,src,checked twice,\n"]
)
def test_a_derived_cell_without_rule_or_an_unknown_status_is_refused(tmp_path: Path, line: str) -> None:
    paper, table = paper_files(tmp_path, line)
    with pytest.raises(ValueError, match="verification"):
        result_rows(1, paper, table, tmp_path, {"FFN_Bilinear"})
