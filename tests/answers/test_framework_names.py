"""The framework-name answers: the shipped mapping equals the verified reference table, and a question about
a name gets the function it computes (checked against tests/reference, not against the service's output)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.answers import framework_names
from tests.conftest import reference_file


def reference_rows() -> list[tuple[str, str, str]]:
    """(name cell, meaning, where verified) of the framework-names table in gelu_math.md §4."""
    text = reference_file("gelu_math.md").read_text(encoding="utf-8")
    section = text[text.index("## 4."):]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("Name", "---") and not set(cells[0]) <= set("-"):
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def test_every_shipped_name_is_a_row_of_the_reference_table() -> None:
    rows = reference_rows()
    assert len(rows) == len(framework_names.entries())
    previous_source = ""
    sources = {}
    for name, meaning, where in rows:
        previous_source = previous_source if where == "same" else where
        sources[(name, meaning)] = previous_source
    for entry in framework_names.entries():
        matches = [(n, m) for n, m, _ in rows if m == entry["meaning"]]
        assert matches, f"{entry['name']}: meaning {entry['meaning']!r} is not in the reference table"
        key = re.sub(r"^\"|\".*$| \(.*$", "", entry["name"]).split(" / ")[0].split("(")[0]
        row = next(((n, m) for n, m in matches if key.lower() in n.lower()), None)
        assert row is not None, f"{entry['name']}: no reference row names it"
        assert entry["source"].split(";")[0] in sources[row], entry["name"]


@pytest.mark.parametrize(("question", "activation", "verdict"), [
    ("is jax.nn.gelu exact by default?", "gelu_tanh", "No"),
    ("hidden_act gelu_new - exact or tanh?", "gelu_tanh", None),
    ("what does quick_gelu compute", "gelu_sigmoid", None),
    ("Is PyTorch's nn.GELU() the exact one?", "gelu", "Yes"),
])
def test_a_question_about_a_name_gets_what_it_computes(
    client: TestClient, question: str, activation: str, verdict: str | None,
) -> None:
    response = client.post("/api/v1/questions", json={"question": question})
    assert response.status_code == 201, response.text
    post = response.json()["post"]
    assert post["answer_meta"]["plan"]["operations"][0]["method"] == "framework_name"
    assert f"/activations/{activation})" in post["body"]
    if verdict is not None:
        assert post["body"].startswith(verdict)
    assert post["answer_meta"]["grounding"]["ok"]
