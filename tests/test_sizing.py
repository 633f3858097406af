"""The hidden-size calculator: d_ff from configuration rules against the catalog's verified rows.

Expected widths come from tests/reference (model_catalog.csv rows and misreadings.md item 4), and
parameter counts from the hand formulas 2 · d · d_ff (dense) and 3 · d · d_ff (gated) written out here,
never from the calculator's own output.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from app import sizing
from app.config import Settings
from app.domain import InvalidInputError
from tests.conftest import open_client, read_reference_csv, reference_file

DENSE = ("ReLU", "GELU", "Swish", "SquaredReLU")
GATED = ("GLU", "Bilinear", "ReGLU", "GEGLU", "SwiGLU", "GEGLU_tanh")

# (catalog row, d_model, multiple_of, ffn_dim_multiplier) as the models' configurations state them.
LLAMA_CONFIGS = [
    ("LLaMA-7B (v1)", 4096, 256, None),
    ("Llama 2 70B", 8192, 4096, "1.3"),
    ("Llama 3 8B", 4096, 1024, "1.3"),
]
GEMMA_CONFIGS = [("Gemma 7B", 8), ("Gemma 2 9B", 4), ("Gemma 3 1B", 6)]


def catalog_row(model: str) -> dict[str, str]:
    rows = [r for r in read_reference_csv("model_catalog.csv") if r["model"] == model]
    assert len(rows) == 1, f"{model} is not one row of tests/reference/model_catalog.csv"
    return rows[0]


def misreading_four() -> str:
    """Item 4 of misreadings.md, the 2/3 (8/3) rounding."""
    text = reference_file("misreadings.md").read_text(encoding="utf-8")
    match = re.search(r"^4\. (.*?)^5\. ", text, flags=re.S | re.M)
    assert match, "misreadings.md has no item 4"
    return " ".join(match.group(1).split())


@pytest.mark.parametrize(("model", "d_model", "multiple_of", "multiplier"), LLAMA_CONFIGS)
def test_llama_rule_reproduces_the_catalog_rows(
    model: str, d_model: int, multiple_of: int, multiplier: str | None
) -> None:
    row = catalog_row(model)
    assert int(row["d_model"]) == d_model
    request = sizing.make_request(d_model, "llama", multiple_of=multiple_of, ffn_dim_multiplier=multiplier)
    assert sizing.hidden_size(request).d_ff == int(row["d_ff_or_intermediate_size"])


def test_llama_rule_matches_every_size_misreadings_item_4_states() -> None:
    item = misreading_four()
    stated = {
        (int(d), int(m), mult): int(size)
        for d, mult, m, size in re.findall(r"\(d (\d+)(?:, multiplier ([\d.]+))?, multiple_of (\d+)\) -> (\d+)", item)
    }
    assert len(stated) == 3
    for (d, m, mult), size in stated.items():
        request = sizing.make_request(d, "llama", multiple_of=m, ffn_dim_multiplier=mult or None)
        assert sizing.hidden_size(request).d_ff == size
    # "A different rounding gives 13568 instead of LLaMA-13B's 13824" (d 5120, multiple_of 256).
    wrong, right = map(int, re.search(r"gives (\d+) instead of LLaMA-13B's (\d+)", item).groups())  # type: ignore[union-attr]
    got = sizing.hidden_size(sizing.make_request(5120, "llama", multiple_of=256)).d_ff
    assert got == right != wrong


def test_the_steps_are_llamas_code_line_by_line() -> None:
    result = sizing.hidden_size(sizing.make_request(8192, "llama", multiple_of=4096, ffn_dim_multiplier="1.3"))
    # 2 · 32768 / 3 = 21845.33 -> 21845; 1.3 · 21845 = 28398.5 -> 28398; 4096 · ceil(28398 / 4096) = 4096 · 7.
    assert [s.value for s in result.steps] == [21845, 28398, 28672]
    assert result.notes == ()


def test_floor_division_is_pythons_int_of_the_float_quotient_for_every_accepted_d_model() -> None:
    for d in range(1, sizing.D_MODEL_MAX + 1):
        assert (8 * d) // 3 == int(2 * (4 * d) / 3)


def test_multiplier_is_exact_and_the_float_reading_is_noted_where_it_differs() -> None:
    assert sizing.parse_multiplier("1.3") == Decimal("13") / Decimal("10")
    # 0.7 · 170 is exactly 119; the float 0.7 (0.6999…) times 170 truncates to 118.
    result = sizing.hidden_size(sizing.make_request(64, "llama", multiple_of=1, ffn_dim_multiplier="0.7"))
    assert (8 * 64) // 3 == 170
    assert result.d_ff == 119
    assert len(result.notes) == 1 and "118" in result.notes[0]


@pytest.mark.parametrize("text", ["1.3", "1", "0.5", ".5", "0.0001", "15.99999", "16", "16.00", "1.30"])
def test_multiplier_pattern_accepts_decimals_in_range(text: str) -> None:
    value = sizing.parse_multiplier(text)
    assert value == Decimal(text) and Decimal(0) < value <= sizing.MULTIPLIER_MAX


@pytest.mark.parametrize("text", ["0", "0.0", "16.5", "16.01", "17", "1e3", "-1", "1.", "NaN", "inf", "01.3"])
def test_multiplier_pattern_refuses_the_rest(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        sizing.parse_multiplier(text)
    assert caught.value.field == "ffn_dim_multiplier"


@pytest.mark.parametrize(("model", "factor"), GEMMA_CONFIGS)
def test_gemma_factor_reproduces_the_catalog_rows(model: str, factor: int) -> None:
    row = catalog_row(model)
    request = sizing.make_request(int(row["d_model"]), "gemma", factor=factor)
    assert sizing.hidden_size(request).d_ff == int(row["d_ff_or_intermediate_size"])


def test_dense_rule_reproduces_bert_base() -> None:
    row = catalog_row("BERT-base")
    assert sizing.hidden_size(sizing.make_request(int(row["d_model"]), "dense")).d_ff == int(
        row["d_ff_or_intermediate_size"]
    )


def test_parameter_and_flop_counts_by_hand() -> None:
    d, d_ff = 4096, 11008
    result = sizing.hidden_size(sizing.make_request(d, "explicit", d_ff=d_ff))
    costs = {c["name"]: c for c in sizing.variant_costs(result)}
    assert set(costs) == set(DENSE) | set(GATED)
    for name in GATED:
        assert costs[name]["params"] == 3 * 4096 * 11008 == 135_266_304
        assert costs[name]["flops_per_token"] == 2 * 135_266_304
    for name in DENSE:
        assert costs[name]["params"] == 2 * 4096 * 11008 == 90_177_536
        assert costs[name]["flops_per_token"] == 2 * 90_177_536
    with_biases = sizing.variant_cost("SwiGLU", d, d_ff, biases=True, flops="forward_backward")
    assert with_biases["params"] == 3 * d * d_ff + 2 * d_ff + d
    assert with_biases["flops_per_token"] == 3 * 2 * 3 * d * d_ff  # biases are not matmul FLOPs
    assert sizing.variant_cost("ReLU", d, d_ff, biases=True)["bias_params"] == d_ff + d


def test_api_serves_llama_7b(client: TestClient) -> None:
    response = client.get("/api/v1/ffn-sizes", params={"d_model": 4096, "rule": "llama", "multiple_of": 256})
    assert response.status_code == 200
    body = response.json()
    assert body["d_ff"] == int(catalog_row("LLaMA-7B (v1)")["d_ff_or_intermediate_size"])
    swiglu = next(v for v in body["variants"] if v["name"] == "SwiGLU")
    assert swiglu["params"] == 3 * 4096 * 11008
    assert swiglu["flops_per_token"] == 2 * 3 * 4096 * 11008
    assert body["flops"] == "forward" and body["biases"] is False


def test_api_reads_the_multiplier_as_written(client: TestClient) -> None:
    params = {"d_model": 8192, "rule": "llama", "multiple_of": 4096, "ffn_dim_multiplier": "1.3"}
    body = client.get("/api/v1/ffn-sizes", params=params).json()
    assert body["d_ff"] == int(catalog_row("Llama 2 70B")["d_ff_or_intermediate_size"])
    assert body["inputs"]["ffn_dim_multiplier"] == "1.3"


def test_api_csv_has_a_row_per_variant(client: TestClient) -> None:
    response = client.get("/api/v1/ffn-sizes", params={"d_model": 768, "rule": "dense", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("name,gated,matrices,d_model,d_ff")
    assert len(lines) == 1 + len(DENSE) + len(GATED)
    assert "ReLU,False,2,768,3072,4718592,0,4718592,9437184" in lines


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"d_model": 4096, "rule": "explicit"}, "d_ff"),
        ({"d_model": 4096, "rule": "gemma"}, "factor"),
        ({"d_model": 4096, "rule": "dense", "d_ff": 11008}, "d_ff"),
        ({"d_model": 4096, "rule": "llama", "factor": 8}, "factor"),
        ({"d_model": 4096, "rule": "llama", "ffn_dim_multiplier": "0"}, "ffn_dim_multiplier"),
        ({"d_model": 4096, "rule": "llama", "ffn_dim_multiplier": "16.5"}, "ffn_dim_multiplier"),
        ({"d_model": 4096, "rule": "llama", "ffn_dim_multiplier": "1e3"}, "ffn_dim_multiplier"),
        ({"d_model": 131073, "rule": "dense"}, "d_model"),
        ({"d_model": 4096, "rule": "llama", "multiple_of": 65537}, "multiple_of"),
        ({"d_model": 4096, "rule": "half"}, "rule"),
        ({"rule": "dense"}, "d_model"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(client: TestClient, params: dict[str, object], field: str) -> None:
    response = client.get("/api/v1/ffn-sizes", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert ["query", field] in [e["loc"] for e in body["errors"]]
    assert field in body["detail"]


def test_variant_page_shows_llama_7b_by_default(client: TestClient) -> None:
    response = client.get("/variants/SwiGLU")
    assert response.status_code == 200
    html = response.text
    assert 'id="calculator"' in html and '<form method="get"' in html
    assert f'id="calc-d-ff">{11008}<' in html
    assert f'id="calc-params">{3 * 4096 * 11008:,}<' in html
    assert f'id="calc-flops">{2 * 3 * 4096 * 11008:,}<' in html


def test_variant_page_computes_the_form(client: TestClient) -> None:
    query = "d_model=768&rule=dense&multiple_of=256&ffn_dim_multiplier=&factor=&d_ff="
    html = client.get(f"/variants/ReLU?{query}").text
    assert f'id="calc-d-ff">{3072}<' in html
    assert f'id="calc-params">{2 * 768 * 3072:,}<' in html
    assert "Ignored for rule dense: multiple_of" in html
    bad = client.get("/variants/ReLU?d_model=4096&rule=explicit", headers={"accept": "application/json"})
    assert bad.status_code == 422 and ["query", "d_ff"] in [e["loc"] for e in bad.json()["errors"]]


def test_api_and_page_on_postgresql(pg_settings: Settings) -> None:
    with open_client(pg_settings) as pg:
        body = pg.get(
            "/api/v1/ffn-sizes",
            params={"d_model": 4096, "rule": "llama", "multiple_of": 1024, "ffn_dim_multiplier": "1.3"},
        ).json()
        assert body["d_ff"] == int(catalog_row("Llama 3 8B")["d_ff_or_intermediate_size"])
        assert 'id="calc-d-ff">11008<' in pg.get("/variants/GEGLU").text
