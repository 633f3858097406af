"""The model catalog of both reference files, found exactly through the API on SQLite and PostgreSQL.

Expected values come from tests/reference/model_catalog.csv and model_catalog_extended.csv at test time.
The MoE shape of each MoE row is written below next to the phrase of that row's ``source`` it comes from,
and the phrase is checked to be in the reference text, so a changed source fails here. Ratios are recomputed
with exact fractions; the gpt-oss gate is checked against an mpmath formula written from the reference row.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any
from urllib.parse import quote

import mpmath
import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from app.activations import get
from tests.conftest import read_reference_csv

FILES = ("model_catalog.csv", "model_catalog_extended.csv")
GPT_OSS = "clamped_swiglu_a1.702"

# model -> (phrase of its reference `source`, experts, active, shared, expert d_ff, d_ff is per expert, dense layers)
MOE: dict[str, tuple[str, int, int, int | None, int, bool, int | None]] = {
    # "MoE: 8 experts, top-2, d_ff column is per expert"
    "Mixtral 8x7B": ("MoE: 8 experts, top-2, d_ff column is per expert", 8, 2, None, 14336, True, None),
    # 2 shared + 160 routed, 6 active, expert 1536; d_ff column (12288) is the first dense layer (first_k_dense 1)
    "DeepSeek-V2": (
        "MoE: 2 shared + 160 routed experts, 6 routed active, expert intermediate size 1536; the value in d_ff "
        "column (12288) is the first, dense layer", 160, 6, 2, 1536, False, 1,
    ),
    # 1 shared + 256 routed, 8 active, expert 2048; d_ff column (18432) for the first 3 dense layers
    "DeepSeek-V3": (
        "MoE: 1 shared + 256 routed experts, 8 routed active, expert intermediate size 2048; the value in d_ff "
        "column (18432) is for the first 3 dense layers", 256, 8, 1, 2048, False, 3,
    ),
    # 128 routed, 8 active, no shared expert, every layer sparse; d_ff is per expert (moe_intermediate_size)
    "Qwen3-30B-A3B": (
        "MoE: 128 routed experts, 8 active per token, the config lists no shared expert, every layer sparse",
        128, 8, 0, 768, True, 0,
    ),
    "Qwen3-235B-A22B": ("MoE: 128 routed experts, 8 active, 94 layers; d_ff column is per expert", 128, 8, None,
                        1536, True, None),
    "Mixtral 8x22B": ("MoE: 8 experts, top-2, d_ff column is per expert", 8, 2, None, 16384, True, None),
    "gpt-oss-120b": ("MoE: 128 experts, top-4, 36 layers; d_ff column is per expert", 128, 4, None, 2880, True, None),
    "gpt-oss-20b": ("MoE: 32 experts, top-4, 24 layers; d_ff column is per expert", 32, 4, None, 2880, True, None),
}
MOE_KEYS = ("moe_experts", "moe_active_experts", "moe_shared_experts", "moe_expert_d_ff", "d_ff_per_expert",
            "moe_dense_layers")


@pytest.fixture
def api(each_database_client: TestClient) -> TestClient:
    return each_database_client


def reference_rows() -> list[dict[str, str]]:
    return [row for name in FILES for row in read_reference_csv(name)]


def number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def expected_reading(row: dict[str, str]) -> tuple[float | None, float | None, str | None]:
    d_model, d_ff = number(row["d_model"]), number(row["d_ff_or_intermediate_size"])
    if d_model is None or d_ff is None:
        return None, None, None
    ratio, vs = Fraction(d_ff, d_model), Fraction(d_ff, d_model) / Fraction(8, 3)
    if row["ffn_type"] == "dense":
        reading = "dense 4×" if ratio == 4 else f"dense {float(ratio):g}×"
    elif abs(vs - 1) <= Fraction(2, 100):
        reading = "8/3 rule"
    else:
        reading = "above 8/3" if vs > 1 else "below 8/3"
    if row["model"] in MOE:
        reading += ", per expert" if MOE[row["model"]][5] else ", dense layers"
    return float(ratio), float(vs), reading


def expected_item(row: dict[str, str]) -> dict[str, Any]:
    ratio, vs, reading = expected_reading(row)
    moe = MOE.get(row["model"])
    return {
        "name": row["model"],
        "organization": row["organization"],
        "year": int(row["year"]),
        "ffn_type": row["ffn_type"],
        "activation": row["activation"],
        "d_model": number(row["d_model"]),
        "d_model_text": row["d_model"],
        "d_ff": number(row["d_ff_or_intermediate_size"]),
        "d_ff_text": row["d_ff_or_intermediate_size"],
        "source": row["source"],
        "verified": row["verified"],
        **dict(zip(MOE_KEYS, moe[1:] if moe else (None,) * 6, strict=True)),
        "d_ff_ratio": ratio,
        "d_ff_ratio_vs_8_3": vs,
        "d_ff_ratio_reading": reading,
    }


def test_the_moe_table_here_quotes_the_reference_sources() -> None:
    rows = {r["model"]: r for r in reference_rows()}
    for model, (phrase, *_rest) in MOE.items():
        assert phrase in rows[model]["source"], model
    mentions_moe = {r["model"] for r in rows.values() if r["source"].startswith("MoE:")}
    assert mentions_moe == set(MOE), "every MoE row of the reference has its shape here"


def test_every_row_of_both_catalog_files_is_served_exactly(api: TestClient) -> None:
    rows = reference_rows()
    assert len(rows) == 58
    body = api.get("/api/v1/models").json()
    assert body["total"] == 58
    assert [m["name"] for m in body["items"]] == [r["model"] for r in rows], "catalog order is the files' order"
    for row, item in zip(rows, body["items"], strict=True):
        expected = expected_item(row)
        assert {k: item[k] for k in expected} == expected, row["model"]


def test_every_model_resolves_by_name_with_all_fields(api: TestClient) -> None:
    for row in reference_rows():
        response = api.get(f"/api/v1/models/{quote(row['model'], safe='')}")
        assert response.status_code == 200, (row["model"], response.text)
        expected = expected_item(row)
        assert {k: response.json()[k] for k in expected} == expected


def test_the_csv_carries_verification_moe_and_ratio_columns(client: TestClient) -> None:
    text = client.get("/api/v1/models", headers={"Accept": "text/csv"}).text
    served = list(csv.DictReader(io.StringIO(text)))
    rows = reference_rows()
    assert len(served) == len(rows) == 58
    for row, item in zip(rows, served, strict=True):
        expected = expected_item(row)
        assert (item["name"], item["verified"], item["source"]) == (row["model"], row["verified"], row["source"])
        for key in MOE_KEYS:
            value = expected[key]
            assert item[key] == ("" if value is None else str(value)), (row["model"], key, item[key])
        if expected["d_ff_ratio"] is None:
            assert item["d_ff_ratio"] == item["d_ff_ratio_vs_8_3"] == item["d_ff_ratio_reading"] == ""
        else:
            assert float(item["d_ff_ratio"]) == expected["d_ff_ratio"]
            assert float(item["d_ff_ratio_vs_8_3"]) == expected["d_ff_ratio_vs_8_3"]
            assert item["d_ff_ratio_reading"] == expected["d_ff_ratio_reading"]


def test_known_readings_of_the_width_ratio(client: TestClient) -> None:
    def model(name: str) -> dict[str, Any]:
        return client.get(f"/api/v1/models/{quote(name, safe='')}").json()

    # LLaMA-7B: 11008 / 4096 is 8/3 rounded up to a multiple of 256; Llama 3 8B: 14336 / 4096 = 3.5
    assert model("LLaMA-7B (v1)")["d_ff_ratio_reading"] == "8/3 rule"
    assert model("Llama 3 8B")["d_ff_ratio"] == 3.5
    assert model("Llama 3 8B")["d_ff_ratio_reading"] == "above 8/3"
    assert model("BERT-base")["d_ff_ratio_reading"] == "dense 4×"
    assert model("Qwen3-30B-A3B")["d_ff_ratio_reading"] == "below 8/3, per expert"
    assert model("Primer")["d_ff_ratio"] is None


def test_every_catalog_activation_is_a_registry_entry_that_lists_its_models(client: TestClient) -> None:
    by_activation: dict[str, set[str]] = {}
    for row in reference_rows():
        by_activation.setdefault(row["activation"], set()).add(row["model"])
    for label, models in by_activation.items():
        response = client.get(f"/api/v1/activations/{quote(label, safe='')}")
        assert response.status_code == 200, (label, response.text)
        doc = response.json()
        assert doc["id"] == label
        assert models <= {m["name"] for m in doc["models"]}, label
    gpt_oss = client.get(f"/api/v1/activations/{GPT_OSS}").json()
    assert [m["name"] for m in gpt_oss["models"]] == ["gpt-oss-120b", "gpt-oss-20b"]
    assert gpt_oss["family"] == "gate"
    assert gpt_oss["parameters"] == {"alpha": 1.702, "limit": 7.0}
    assert "<math" in gpt_oss["formula_mathml"]
    assert "gpt-oss" in gpt_oss["introduced_by"]["venue"]
    assert gpt_oss["links"]["surface"] == f"/api/v1/gates/{GPT_OSS}/surface"


def reference_gate(a: float, b: float) -> mpmath.mpf:
    """gate·σ(1.702·gate)·(up + 1), gate = min(a, 7), up = b clipped to [−7, 7] (the reference row's words)."""
    with mpmath.workdps(40):
        gate = min(mpmath.mpf(a), mpmath.mpf(7))
        up = max(mpmath.mpf(-7), min(mpmath.mpf(b), mpmath.mpf(7)))
        return gate / (1 + mpmath.exp(-mpmath.mpf("1.702") * gate)) * (up + 1)


def close(served: float, expected: mpmath.mpf) -> bool:
    return bool(abs(mpmath.mpf(served) - expected) <= mpmath.mpf("1e-13") * max(1, abs(expected)))


@pytest.mark.parametrize("a", [-9.0, -7.0, -1.0, 0.0, 0.5, 6.999999, 7.0, 7.000001, 8.0, 30.0])
@pytest.mark.parametrize("b", [-30.0, -7.000001, -7.0, -6.999999, -1.0, 0.0, 2.5, 7.0, 7.000001, 12.0])
def test_the_gpt_oss_gate_matches_an_independent_formula(a: float, b: float) -> None:
    entry = get(GPT_OSS)
    with torch.no_grad():
        served = entry.gate(torch.tensor([a], dtype=torch.float64), torch.tensor([b], dtype=torch.float64))
    assert close(float(served[0]), reference_gate(a, b)), (a, b)


def test_the_gpt_oss_gate_clamps_as_a_numpy_formula_says() -> None:
    a = np.linspace(-10, 10, 201)
    b = np.linspace(-10, 10, 201)
    gate = np.minimum(a, 7.0)
    expected = (gate / (1 + np.exp(-1.702 * gate)))[None, :] * (np.clip(b, -7.0, 7.0) + 1)[:, None]
    with torch.no_grad():
        served = get(GPT_OSS).gate(torch.from_numpy(a)[None, :], torch.from_numpy(b)[:, None]).numpy()
    np.testing.assert_allclose(served, expected, rtol=1e-13, atol=1e-300)
    # flat beyond the clamps: a above 7 and b beyond ±7 change nothing
    assert np.array_equal(served[:, a > 7], np.repeat(served[:, a == 7], (a > 7).sum(), axis=1))


def test_the_gate_surface_endpoint_serves_the_clamped_gate(client: TestClient) -> None:
    for params in ({"amin": -8, "amax": 8, "bmin": -8, "bmax": 8, "points": 17},
                   {"amin": 6.5, "amax": 7.5, "bmin": -7.5, "bmax": -6.5, "points": 5}):
        response = client.get(f"/api/v1/gates/{GPT_OSS}/surface", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert 7.0 in body["a"] or -7.0 in body["b"]
        for j, b in enumerate(body["b"]):
            for i, a in enumerate(body["a"]):
                assert close(body["z"][j][i], reference_gate(a, b)), (a, b)


def test_the_pages_show_the_new_columns(client: TestClient) -> None:
    page = client.get("/models").text
    assert page.count('<tr><th scope="row">') == 58
    assert 'class="badge verification"' in page
    assert f'href="/activations/{GPT_OSS}"' in page
    model = client.get("/models/gpt-oss-120b").text
    assert f'<a href="/activations/{GPT_OSS}">{GPT_OSS}</a>' in model
    assert "128 routed experts, 4 active per token" in model
    assert "below 8/3, per expert" in model
    assert 'class="badge verification"' in model
    deepseek = client.get("/models/DeepSeek-V3").text
    assert "(the dense layers; one expert is 2048)" in deepseek
    assert "shared experts: 1" in deepseek
    assert client.get(f"/activations/{GPT_OSS}").status_code == 200
