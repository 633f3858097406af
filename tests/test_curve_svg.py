"""The explorer's curve chart written as SVG without matplotlib: every curve, the legend, axes and their
labels, the rounding-error panel and the convention markers, readable text sizes, and a line thinned to
the pixels it covers."""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ET
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.activations.curves import CurveSpec, compute_curve
from app.http.lru import CachedResponse, RenderPool
from app.plots import activations as plots
from app.plots.axes import line_path, thinned, tick_label
from tests.conftest import open_client, sqlite_settings

NS = "{http://www.w3.org/2000/svg}"
HTML = {"Accept": "text/html"}


def _drawings(markup: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", markup, flags=re.S)]


def _texts(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in svg.iter(f"{NS}text")]


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the chart reaches for a matplotlib figure."""

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("the curve chart's SVG must not be drawn by matplotlib")

    monkeypatch.setattr(plots, "Figure", refuse)


def test_the_page_chart_has_a_wide_and_a_phone_drawing_with_every_curve_legend_and_axis(no_matplotlib: None) -> None:
    functions = ("gelu", "gelu_tanh", "gelu_sigmoid", "silu")
    curve = compute_curve(CurveSpec(functions, -4.0, 4.0, 1001))
    chart = plots.curve_chart(curve, "page")
    assert isinstance(chart, str)
    wide, narrow = _drawings(chart)
    assert (wide.get("class"), narrow.get("class")) == ("chart-wide", "chart-narrow")
    title = "f(x) of gelu, gelu_tanh, gelu_sigmoid, silu on [-4, 4]"
    for svg in (wide, narrow):
        assert svg.get("aria-label") == title and svg.get("role") == "img"
        assert svg.findtext(f"{NS}title") == title
        assert "4 curve(s)" in (svg.findtext(f"{NS}desc") or "")
        curves = [p for p in svg.iter(f"{NS}path") if p.get("class") == "curve"]
        assert [p.findtext(f"{NS}title") for p in curves] == list(functions)
        assert all(p.get("d", "").startswith("M") for p in curves)
        texts = _texts(svg)
        assert set(functions) <= set(texts), "a legend entry per curve"
        assert "x" in texts and "f(x)" in texts, "both axes are labelled"
        assert {"-4", "0", "4"} <= set(texts), "x ticks"
        assert sum(1 for line in svg.iter(f"{NS}line") if line.get("class") == "grid") >= 6
        assert int(svg.get("font-size", "0")) >= 11
        assert all(float(t.get("font-size", svg.get("font-size", "0"))) >= 11 for t in svg.iter(f"{NS}text"))
    assert int(narrow.get("width", "0")) < int(wide.get("width", "0"))


def test_a_low_precision_dtype_adds_the_rounding_error_panel_and_a_derivative_its_convention_markers(
    no_matplotlib: None,
) -> None:
    curve = compute_curve(CurveSpec(("relu", "gelu"), -2.0, 2.0, 401, derivative=1, dtype="bfloat16"))
    body = plots.curve_chart_bytes(curve, "svg").decode()
    (svg,) = _drawings(body)
    assert svg.get("class") is None, "a response body is shown at every width"
    assert svg.get("aria-label") == "f′(x) of relu, gelu on [-2, 2], computed in bfloat16"
    assert len([p for p in svg.iter(f"{NS}path") if p.get("class") == "curve"]) == 4, "curves and their errors"
    texts = _texts(svg)
    assert "f′(x)" in texts and "bfloat16 − float64" in texts
    assert "value by convention (undefined)" in texts
    markers = [c for c in svg.iter(f"{NS}circle") if c.get("class") == "convention"]
    assert [m.findtext(f"{NS}title") for m in markers] == ["relu at x = 0: value by convention (undefined)"]


def test_a_long_curve_is_thinned_to_its_pixels_keeping_its_extremes() -> None:
    x = np.linspace(-1.0, 1.0, 100_001)
    y = np.sin(40 * x)
    y[50_000] = 5.0  # a one-point spike must survive the thinning
    tx, ty = thinned(x, y, 600)
    assert tx.size <= 2 * 600 + 2 and ty.max() == 5.0 and ty.min() == pytest.approx(y.min())
    assert tx[0] == -1.0 and tx[-1] == 1.0 and np.all(np.diff(tx) > 0)
    curve = compute_curve(CurveSpec(("gelu",), -4.0, 4.0, 100_001))
    (svg,) = _drawings(plots.curve_chart_bytes(curve, "svg").decode())
    (path,) = [p for p in svg.iter(f"{NS}path") if p.get("class") == "curve"]
    assert path.get("d", "").count("L") < 2_000


def test_a_line_breaks_where_a_value_is_not_finite_and_tiny_ticks_stay_short() -> None:
    d = line_path(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, np.inf, 1.0, 2.0]))
    assert d == "M0.0,0.0M2.0,1.0L3.0,2.0"
    assert tick_label(2e-6, [0.0, 1e-6, 2e-6]) == "2e-06"


def test_the_explorer_page_inlines_the_directly_written_chart(client: TestClient, no_matplotlib: None) -> None:
    page = client.get("/activations/explore", params=[("fn", "gelu"), ("fn", "silu"), ("points", 777)], headers=HTML)
    assert page.status_code == 200
    wide, narrow = _drawings(page.text[page.text.index('id="explore-chart"') :])[:2]
    assert wide.get("class") == "chart-wide" and narrow.get("class") == "chart-narrow"
    assert [p.findtext(f"{NS}title") for p in wide.iter(f"{NS}path") if p.get("class") == "curve"] == ["gelu", "silu"]


def test_curve_charts_answer_while_every_matplotlib_render_thread_is_busy(db_path: Path) -> None:
    """The directly written SVG is built in the data pool: a queue of matplotlib drawings does not hold it."""
    with open_client(sqlite_settings(db_path, render_threads=2)) as client:
        pool: RenderPool = client.app.state.render_pool  # type: ignore[attr-defined]
        release, started = threading.Event(), threading.Semaphore(0)

        def busy_drawing() -> CachedResponse:
            started.release()
            release.wait(60)
            return CachedResponse(b"<svg/>", "image/svg+xml", '"x"')

        assert client.portal is not None
        drawings: list[Future[Any]] = [client.portal.start_task_soon(pool.run, busy_drawing) for _ in range(2)]
        answers: dict[str, int] = {}
        paths = ["/api/v1/curves?fn=gelu&fn=silu&points=4321&format=svg",
                 "/activations/explore?fn=gelu_tanh&points=1234"]

        def ask() -> None:
            for path in paths:
                answers[path] = client.get(path, headers=HTML).status_code

        asking = threading.Thread(target=ask)
        try:
            for _ in drawings:
                assert started.acquire(timeout=30), "the render threads did not start"
            asking.start()
            asking.join(timeout=60)
            assert not asking.is_alive(), f"answered only {sorted(answers)} while the render threads were busy"
            assert answers == dict.fromkeys(paths, 200)
            assert all(not d.done() for d in drawings)
        finally:
            release.set()
            if asking.is_alive():
                asking.join(timeout=60)
        assert [d.result(timeout=30).body for d in drawings] == [b"<svg/>", b"<svg/>"]
