"""The activation endpoints and pages, in process: shapes, numbers against scipy, caching, and errors.

Numbers are checked against scipy/numpy formulas evaluated here (the math itself is covered against
mpmath in tests/activations/test_math.py); errors must be problem+json naming the field, the limit or the
valid ids.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy import special

from app import activations as act
from tests.conftest import open_client, sqlite_settings

PROBLEM = "application/problem+json"


def gelu_np(x: np.ndarray) -> np.ndarray:
    return x * special.ndtr(x)


def gelu_tanh_np(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def gelu_sigmoid_np(x: np.ndarray) -> np.ndarray:
    return x * special.expit(1.702 * x)


def assert_problem(response: Any, status: int, loc: list[str]) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert [e["loc"] for e in body["errors"]] == [loc], body
    assert loc[-1] in body["detail"]
    return body


# --- registry -----------------------------------------------------------------------------------------


def test_list_activations_json_and_csv(client: TestClient) -> None:
    body = client.get("/api/v1/activations").json()
    ids = [item["id"] for item in body["items"]]
    assert ids == [*act.SCALAR_IDS, *act.GATE_IDS]
    assert body["total"] == 20
    gelu = body["items"][1]
    assert gelu["introduced_by"]["arxiv"] == "1606.08415"
    assert gelu["page"] == "/activations/gelu"
    gates = client.get("/api/v1/activations", params={"family": "gate"}).json()
    assert [g["gate_activation"] for g in gates["items"]] == [
        "sigmoid",
        "identity",
        "relu",
        "gelu",
        "gelu_tanh",
        "silu",
        "gelu_sigmoid",
    ]
    response = client.get("/api/v1/activations", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == ids
    assert_problem(client.get("/api/v1/activations", params={"family": "vector"}), 422, ["query", "family"])


def test_activation_detail_has_properties_models_and_paper_results(client: TestClient) -> None:
    body = client.get("/api/v1/activations/gelu").json()
    assert body["id"] == "gelu" and body["family"] == "scalar"
    assert "<math" in body["formula_mathml"]
    assert body["properties"]["minimum"]["kind"] == "interior"
    assert round(body["properties"]["minimum"]["value"], 5) == -0.16997
    assert body["gates_built_on_it"] == ["geglu"]
    activations = {m["activation"] for m in body["models"]}
    assert {"gelu", "gelu_tanh", "geglu_tanh"} <= activations  # gelu, its tanh form, and gates built on gelu
    variants = {v["name"]: v for v in body["ffn_variants"]}
    assert set(variants) == {"FFN_GELU", "FFN_GEGLU"}
    steps = {r["training_steps"]: r["value_text"] for r in variants["FFN_GEGLU"]["c4_log_perplexity"]}
    assert steps == {65536: "1.942", 524288: "1.633"}  # GLU-variants paper, Table 1
    assert body["links"]["page"] == "/activations/gelu"


def test_alias_and_gate_detail(client: TestClient) -> None:
    body = client.get("/api/v1/activations/gelu_new").json()
    assert body["id"] == "gelu_tanh"
    assert body["ffn_variants_note"]
    swiglu = client.get("/api/v1/activations/swiglu").json()
    assert swiglu["family"] == "gate" and swiglu["properties_of"] == "silu"
    assert [v["name"] for v in swiglu["ffn_variants"]] == ["FFN_SwiGLU"]
    assert all(m["activation"] == "swiglu" for m in swiglu["models"]) and swiglu["models"]
    assert swiglu["links"]["surface"] == "/api/v1/gates/swiglu/surface"


def test_unknown_activation_is_404_with_valid_ids(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/activations/relu6"), 404, ["path", "id"])
    assert body["valid"] == [*act.SCALAR_IDS, *act.GATE_IDS]
    assert "relu6" in body["detail"]


# --- curves -------------------------------------------------------------------------------------------


def test_curve_json_values_match_scipy(client: TestClient) -> None:
    response = client.get(
        "/api/v1/curves", params=[("fn", "gelu"), ("fn", "gelu_new"), ("xmin", -6), ("xmax", 6), ("points", 1201)]
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    x = np.array(body["x"])
    assert x.size == 1201 and x[0] == -6.0 and x[-1] == 6.0
    assert [s["fn"] for s in body["series"]] == ["gelu", "gelu_tanh"]
    np.testing.assert_allclose(body["series"][0]["y"], gelu_np(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(body["series"][1]["y"], gelu_tanh_np(x), rtol=1e-12, atol=1e-14)
    assert "rounding_error" not in body["series"][0]
    assert body["dtype"] == "float64" and body["derivative"] == 0


def test_curve_derivative_flags_convention_points(client: TestClient) -> None:
    body = client.get(
        "/api/v1/curves", params=[("fn", "relu"), ("fn", "selu"), ("fn", "silu"), ("derivative", 1)]
    ).json()
    x = np.array(body["x"])
    zero = int(np.flatnonzero(x == 0.0)[0])
    relu, selu, silu = body["series"]
    assert relu["by_convention_x"] == [0.0] and relu["y"][zero] == 0.0
    assert selu["by_convention_x"] == [0.0]
    assert selu["y"][zero] == pytest.approx(1.0507009873554805 * 1.6732632423543772, rel=1e-15)
    assert silu["by_convention_x"] == []
    expected = special.expit(x) * (1 + x * special.expit(-x))
    np.testing.assert_allclose(silu["y"], expected, rtol=1e-12, atol=1e-15)


def test_curve_in_bfloat16_reports_rounding_error(client: TestClient) -> None:
    body = client.get("/api/v1/curves", params={"fn": "gelu", "dtype": "bfloat16", "points": 801}).json()
    series = body["series"][0]
    x_rounded = np.array(body["x_rounded"])
    y = np.array(series["y"])
    np.testing.assert_allclose(np.array(series["rounding_error"]), y - gelu_np(x_rounded), atol=1e-15)
    assert series["rounding"]["max_abs_error"] == pytest.approx(float(np.max(np.abs(y - gelu_np(x_rounded)))))
    assert 1e-4 < series["rounding"]["max_rel_error"] < 1e-2
    assert series["max_abs_total_error"] >= series["rounding"]["max_abs_error"]


def test_curve_cache_etag_and_formats(client: TestClient) -> None:
    params = [("fn", "gelu"), ("fn", "silu"), ("points", 501)]
    first = client.get("/api/v1/curves", params=params)
    again = client.get("/api/v1/curves", params=[("fn", "GELU"), ("fn", "swish"), ("points", 501)])
    assert first.headers["x-cache"] == "miss" and again.headers["x-cache"] == "hit"
    assert first.content == again.content
    not_modified = client.get("/api/v1/curves", params=params, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304

    as_csv = client.get("/api/v1/curves", params=[*params, ("format", "csv")])
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == ["x", "gelu", "silu"] and len(rows) == 502
    x, g, s = (float(v) for v in rows[251])
    assert g == pytest.approx(float(gelu_np(np.array(x))), rel=1e-15, abs=1e-300)
    assert s == pytest.approx(x * float(special.expit(x)), rel=1e-15, abs=1e-300)
    accept_csv = client.get("/api/v1/curves", params=params, headers={"Accept": "text/csv"})
    assert accept_csv.text == as_csv.text

    svg = client.get("/api/v1/curves", params=[*params, ("format", "svg")])
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and "gelu" in svg.text
    png = client.get("/api/v1/curves", params=[*params, ("format", "png")])
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("params", "loc", "limit"),
    [
        ({"fn": "gelu", "points": 100_002}, ["query", "points"], 100_001),
        ({"fn": "gelu", "points": 1}, ["query", "points"], 2),
        ({"fn": "gelu", "xmin": 2, "xmax": 2}, ["query", "xmin"], None),
        ({"fn": "gelu", "xmin": 3, "xmax": -3}, ["query", "xmin"], None),
        ({"fn": "gelu", "xmin": "nan"}, ["query", "xmin"], None),
        ({"fn": "gelu", "xmax": "inf"}, ["query", "xmax"], None),
        ({"fn": "gelu", "xmin": -1001}, ["query", "xmin"], 1000.0),
        ({"fn": "gelu", "derivative": 3}, ["query", "derivative"], 2),
        ({"fn": "gelu", "dtype": "int8"}, ["query", "dtype"], None),
        ({"fn": "gelu", "beta": "nan"}, ["query", "beta"], None),
        ({"fn": "swiglu"}, ["query", "fn"], None),
        ({"fn": "gelu", "format": "xml"}, ["query", "format"], None),
        ({}, ["query", "fn"], None),
    ],
)
def test_curve_errors_name_the_field_and_limit(
    client: TestClient, params: dict[str, Any], loc: list[str], limit: object
) -> None:
    body = assert_problem(client.get("/api/v1/curves", params=params), 422, loc)
    assert body["errors"][0].get("limit") == limit


def test_curve_function_count_and_unknown_names(client: TestClient) -> None:
    nine = [("fn", f) for f in act.SCALAR_IDS[:9]]
    body = assert_problem(client.get("/api/v1/curves", params=nine), 422, ["query", "fn"])
    assert body["errors"][0]["limit"] == 8
    body = assert_problem(client.get("/api/v1/curves", params={"fn": "relu6"}), 422, ["query", "fn"])
    assert body["valid"] == [*act.SCALAR_IDS, *act.GATE_IDS]


def test_limits_come_from_settings(db_path: Path) -> None:
    settings = sqlite_settings(db_path, curve_max_points=1001, curve_max_functions=2, curve_max_abs_x=50.0)
    with open_client(settings) as small:
        body = assert_problem(
            small.get("/api/v1/curves", params={"fn": "gelu", "points": 1002}), 422, ["query", "points"]
        )
        assert body["errors"][0]["limit"] == 1001
        three = [("fn", "gelu"), ("fn", "relu"), ("fn", "tanh")]
        assert_problem(small.get("/api/v1/curves", params=three), 422, ["query", "fn"])
        assert_problem(small.get("/api/v1/curves", params={"fn": "gelu", "xmax": 51}), 422, ["query", "xmax"])
        assert small.get("/api/v1/curves", params={"fn": "gelu", "points": 1001}).status_code == 200


# --- approximation error ------------------------------------------------------------------------------


def _scan(approx: Any, points: int) -> tuple[float, float]:
    x = np.linspace(-10.0, 10.0, points)
    err = approx(x) - gelu_np(x)
    i = int(np.argmax(np.abs(err)))
    return float(abs(err[i])), float(x[i])


def test_error_endpoint_default_grid(client: TestClient) -> None:
    body = client.get("/api/v1/activations/gelu_tanh/error", params={"reference": "gelu"}).json()
    assert body["points"] == 200_001  # the default is Settings.error_max_points
    max_err, at = _scan(gelu_tanh_np, 200_001)
    assert body["max_abs_error"] == pytest.approx(max_err, rel=1e-9)
    assert abs(body["argmax_abs_error"]) == pytest.approx(abs(at), abs=1e-9)
    assert round(body["max_abs_error"], 8) == 4.7324e-4
    assert abs(abs(body["argmax_abs_error"]) - 2.699) < 1e-3
    assert sorted(abs(x) for x in body["worst_x"]) == pytest.approx([abs(at)] * 2)
    assert "x" not in body and "error" not in body


@pytest.mark.parametrize(
    ("fn_id", "approx", "stated", "stated_x", "digits"),
    [("gelu_tanh", gelu_tanh_np, 4.7324e-4, 2.699, 8), ("gelu_sigmoid", gelu_sigmoid_np, 2.0335e-2, 2.270, 6)],
)
def test_error_endpoint_on_200001_points(
    db_path: Path, fn_id: str, approx: Any, stated: float, stated_x: float, digits: int
) -> None:
    with open_client(sqlite_settings(db_path)) as wide:  # the default error_max_points is 200,001
        body = wide.get(
            f"/api/v1/activations/{fn_id}/error",
            params={"reference": "gelu", "xmin": -10, "xmax": 10, "points": 200_001},
        ).json()
    max_err, at = _scan(approx, 200_001)
    assert body["max_abs_error"] == pytest.approx(max_err, rel=1e-9)
    assert abs(body["argmax_abs_error"]) == pytest.approx(abs(at), abs=1e-9)
    assert round(body["max_abs_error"], digits) == stated
    assert abs(abs(body["argmax_abs_error"]) - stated_x) < 1e-3
    assert math.copysign(1.0, body["error_at_argmax"]) == (1.0 if fn_id == "gelu_tanh" else -1.0)


def test_error_curve_and_csv(client: TestClient) -> None:
    params = {"reference": "gelu", "xmin": -3, "xmax": 3, "points": 601, "curve": "true"}
    body = client.get("/api/v1/activations/quick_gelu/error", params=params).json()
    assert body["fn"] == "gelu_sigmoid"
    x = np.array(body["x"])
    np.testing.assert_allclose(body["error"], gelu_sigmoid_np(x) - gelu_np(x), atol=1e-15)
    assert body["rms_error"] == pytest.approx(float(np.sqrt(np.mean((gelu_sigmoid_np(x) - gelu_np(x)) ** 2))))
    rows = list(
        csv.reader(
            io.StringIO(client.get("/api/v1/activations/quick_gelu/error", params={**params, "format": "csv"}).text)
        )
    )
    assert rows[0] == ["x", "error"] and len(rows) == 602


def test_error_endpoint_errors(client: TestClient) -> None:
    assert client.get("/api/v1/activations/gelu_tanh/error").json()["reference"] == "gelu"  # the default
    body = assert_problem(
        client.get("/api/v1/activations/gelu_tanh/error", params={"reference": "erf"}), 422, ["query", "reference"]
    )
    assert "gelu" in body["valid"]
    assert_problem(
        client.get("/api/v1/activations/gelu_fastest/error", params={"reference": "gelu"}), 404, ["path", "id"]
    )
    body = assert_problem(
        client.get("/api/v1/activations/gelu_tanh/error", params={"reference": "gelu", "points": 200_002}),
        422,
        ["query", "points"],
    )
    assert body["errors"][0]["limit"] == 200_001
    assert_problem(client.get("/api/v1/activations/geglu/error", params={"reference": "gelu"}), 422, ["path", "id"])
    assert_problem(
        client.get("/api/v1/activations/gelu_tanh/error", params={"reference": "gelu", "xmin": "-inf"}),
        422,
        ["query", "xmin"],
    )


# --- gate surfaces ------------------------------------------------------------------------------------


def test_gate_surface_json_and_svg(client: TestClient) -> None:
    params = {"amin": -3, "amax": 3, "bmin": -2, "bmax": 2, "points": 41}
    body = client.get("/api/v1/gates/glu/surface", params=params).json()
    a, b, z = np.array(body["a"]), np.array(body["b"]), np.array(body["z"])
    assert z.shape == (41, 41) and body["activation"] == "sigmoid"
    np.testing.assert_allclose(z, special.expit(a)[None, :] * b[:, None], rtol=1e-12, atol=1e-15)
    assert body["z_max"] == pytest.approx(float(z.max()))
    svg = client.get("/api/v1/gates/swiglu/surface", params={**params, "format": "svg"})
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.startswith("<svg")
    again = client.get("/api/v1/gates/glu/surface", params=params)
    assert again.headers["x-cache"] == "hit"


def test_gate_surface_errors(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/gates/gelu/surface"), 404, ["path", "id"])
    assert body["valid"] == list(act.GATE_IDS)
    body = assert_problem(client.get("/api/v1/gates/glu/surface", params={"points": 402}), 422, ["query", "points"])
    assert body["errors"][0]["limit"] == 401
    assert_problem(client.get("/api/v1/gates/glu/surface", params={"bmin": 1, "bmax": -1}), 422, ["query", "bmin"])
    assert_problem(client.get("/api/v1/gates/glu/surface", params={"amax": 1e4}), 422, ["query", "amax"])


# --- GELU approximations ------------------------------------------------------------------------------


def test_gelu_approximations_json(client: TestClient) -> None:
    body = client.get("/api/v1/gelu-approximations").json()
    tanh, sigmoid = body["approximations"]
    assert tanh["fn"] == "gelu_tanh" and sigmoid["fn"] == "gelu_sigmoid"
    assert round(tanh["max_abs_error"], 8) == 4.7324e-4
    assert round(sigmoid["max_abs_error"], 6) == 2.0335e-2
    # At +x* GELU ≈ 2.69, where half a bfloat16 gap is 2^-7: the tanh form's error is hidden there.
    positive = next(s for s in tanh["precision_scales"] if s["dtype"] == "bfloat16" and s["x"] > 0)
    assert positive["half_step"] == 2.0**-7
    assert positive["error_over_half_step"] == pytest.approx(tanh["max_abs_error"] / 2.0**-7, rel=1e-6)
    bf16 = tanh["agreement_in_16_bit_dtypes"][0]
    assert bf16["dtype"] == "bfloat16" and 0 < bf16["identical"] <= bf16["within_one_ulp"] <= bf16["inputs"]
    assert body["gelu_bfloat16_rounding"]["max_abs_error"] <= 2.0**-7 * 1.01


# --- pages --------------------------------------------------------------------------------------------

HTML = {"Accept": "text/html"}


def test_activation_pages(client: TestClient) -> None:
    page = client.get("/activations", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'href="/api/v1/activations"' in page.text and "<math" in page.text
    assert 'href="/activations/squared_relu"' in page.text

    detail = client.get("/activations/gelu", headers=HTML)
    assert detail.status_code == 200
    assert 'href="/api/v1/activations/gelu"' in detail.text
    assert "<svg" in detail.text and "<math" in detail.text
    assert "FFN_GEGLU" in detail.text and "−0.16997" in detail.text

    relu = client.get("/activations/relu", headers=HTML)
    assert "by convention" in relu.text
    gate = client.get("/activations/geglu_tanh", headers=HTML)
    assert gate.status_code == 200 and 'href="/api/v1/gates/geglu_tanh/surface"' in gate.text

    missing = client.get("/activations/relu6", headers=HTML)
    assert missing.status_code == 404 and "relu6" in missing.text


def test_explorer_page(client: TestClient) -> None:
    page = client.get("/activations/explore", headers=HTML)
    assert page.status_code == 200
    assert "<svg" in page.text and 'src="/static/explore.js"' in page.text
    assert 'href="/api/v1/curves?fn=gelu&amp;fn=gelu_tanh' in page.text
    custom = client.get(
        "/activations/explore",
        params=[("fn", "relu"), ("fn", "selu"), ("derivative", 1), ("dtype", "bfloat16"), ("at", "-1, 0, 2")],
        headers=HTML,
    )
    assert custom.status_code == 200
    assert "1.75809934" in custom.text  # SELU′(0) = λα, the convention value, in the table
    bad = client.get("/activations/explore", params={"fn": "gelu", "points": 10**7, "at": "1, x"}, headers=HTML)
    assert bad.status_code == 422
    assert "<code>points</code>: at most 100001 points" in bad.text and "is not a number" in bad.text
    assert client.get("/static/explore.js").status_code == 200


def test_gelu_approximations_page(client: TestClient) -> None:
    page = client.get("/gelu-approximations", headers=HTML)
    assert page.status_code == 200
    assert 'href="/api/v1/gelu-approximations"' in page.text
    assert page.text.count('<svg class="chart-wide"') == 3  # each chart also drawn for phones
    assert page.text.count('<svg class="chart-narrow"') == 3
    assert "4.7324 × 10⁻⁴" in page.text


def test_every_status_is_declared_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/api/v1/activations": {"200", "422"},
        "/api/v1/activations/{id}": {"200", "404", "422"},
        "/api/v1/curves": {"200", "422"},
        "/api/v1/activations/{id}/error": {"200", "404", "422"},
        "/api/v1/gates/{id}/surface": {"200", "404", "422"},
        "/api/v1/gelu-approximations": {"200", "422"},
    }
    for path, statuses in expected.items():
        declared = set(paths[path]["get"]["responses"])
        assert statuses <= declared, (path, declared)
    curve_content = paths["/api/v1/curves"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "image/svg+xml", "image/png"} <= set(curve_content)
