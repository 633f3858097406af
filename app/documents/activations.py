"""The activation documents: what /api/v1/activations… returns and what the activation pages render.

The API serves the plain documents; the pages add their charts to the same dicts, so a page and its
JSON twin cannot drift apart. The CSV bodies of curves and errors are here too, because the API and
the explorer page serve the same bytes from one cache entry.
"""

from __future__ import annotations

import io
from typing import Any

import latex2mathml.converter
import numpy as np
from sqlalchemy.orm import Session

from app import catalog, papers, vocabulary
from app.activations.approximation import ApproximationError, ErrorSpec, compute_error
from app.activations.curves import Curve, CurveSpec, compute_curve
from app.activations.evaluation import scalar_values
from app.activations.functions import FloatArray
from app.activations.gelu_approximations import GELU_APPROXIMATIONS, gelu_approximation_report
from app.activations.properties import properties
from app.activations.registry import Activation, Family, all_activations, get
from app.activations.surfaces import SurfaceSpec, compute_surface
from app.activations.validation import make_curve_spec
from app.config import Settings
from app.plots import activations as charts

GELU_FORMS = ("gelu", "gelu_tanh", "gelu_sigmoid")


def mathml(latex: str) -> str:
    return str(latex2mathml.converter.convert(latex))


def activation_summary(entry: Activation) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "family": entry.family,
        "formula_latex": entry.formula,
        "introduced_by": entry.introduced_by.to_dict() if entry.introduced_by else None,
        "aliases": list(entry.aliases),
        "gate_activation": entry.gate_activation,
        "url": f"/api/v1/activations/{entry.id}",
        "page": f"/activations/{entry.id}",
    }


def activations_index(family: Family | None = None) -> list[dict[str, Any]]:
    return [activation_summary(e) for e in all_activations(family)]


def _variant_results(session: Session, variant_name: str) -> dict[str, Any]:
    variant = papers.get_variant(session, variant_name)
    table1 = [r for r in variant["results"] if r["source"]["table"] == 1]
    return {
        "name": variant["name"],
        "gated": variant["gated"],
        "d_ff_paper": variant["d_ff_paper"],
        "formula_latex": variant["formula_latex"],
        "c4_log_perplexity": table1,
        "url": f"/api/v1/variants/{variant['name']}",
        "page": f"/variants/{variant['name']}",
    }


def activation_document(session: Session, entry: Activation) -> dict[str, Any]:
    """Everything about one entry: registry facts, computed properties, the catalog models that use it
    (directly or through a gate built on it) and the GLU-variants paper's FFN results for it."""
    scalar = entry.scalar()
    doc: dict[str, Any] = {**entry.to_dict(), "formula_mathml": mathml(entry.formula)}
    doc["properties"] = properties(scalar.id).to_dict()
    doc["properties_of"] = scalar.id
    gates = [g.id for g in all_activations("gate") if g.gate_activation == entry.id]
    doc["gates_built_on_it"] = gates
    names = [entry.id, *gates]
    seen: set[str] = set()
    models = []
    for name in names:
        for m in catalog.models_using(session, name):
            if m["name"] not in seen:
                seen.add(m["name"])
                models.append(m)
    doc["models"] = models
    # The paper names an FFN by its (gate) activation; the tanh forms ran no experiment of their own.
    variant_scalar = get(vocabulary.form_of(entry.id)).scalar().id
    wanted_gated = None if entry.family == "scalar" else True
    variants = [
        v["name"]
        for v in papers.list_variants(session)
        if v["activation"] == variant_scalar and (wanted_gated is None or v["gated"] == wanted_gated)
    ]
    doc["ffn_variants"] = [_variant_results(session, name) for name in variants]
    doc["ffn_variants_note"] = (
        "The paper defines GELU as x·Φ(x) and does not say which numerical form it ran; its GELU rows are "
        "shown for the tanh form too."
        if entry.id in ("gelu_tanh", "geglu_tanh")
        else ""
    )
    doc["links"] = {
        "page": f"/activations/{entry.id}",
        "curve": f"/api/v1/curves?fn={scalar.id}&derivative=0",
        **({"surface": f"/api/v1/gates/{entry.id}/surface"} if entry.family == "gate" else {}),
    }
    return doc


def list_document() -> dict[str, Any]:
    """The activations page: every scalar with its properties, and every gate."""
    scalars = [
        {**activation_summary(e), "formula_mathml": mathml(e.formula), "properties": properties(e.id).to_dict()}
        for e in all_activations("scalar")
    ]
    gates = [{**activation_summary(e), "formula_mathml": mathml(e.formula)} for e in all_activations("gate")]
    return {"scalars": scalars, "gates": gates}


def detail_document(session: Session, entry: Activation) -> dict[str, Any]:
    """The activation page: the JSON document with its charts and the entries it links to."""
    doc = activation_document(session, entry)
    scalar = entry.scalar()
    doc["derivatives_chart"] = charts.derivatives_chart(scalar.id)
    if entry.family == "gate":
        surface = compute_surface(SurfaceSpec(entry.id, -4.0, 4.0, -4.0, 4.0, 161))
        doc["surface_chart"] = charts.surface_chart(surface)
    doc["gate_entries"] = [activation_summary(get(g)) for g in doc["gates_built_on_it"]]
    doc["scalar_entry"] = activation_summary(scalar)
    return doc


def gelu_report_points(settings: Settings) -> int:
    """The /gelu-approximations grid: 100,001 points on [−10, 10], or fewer if the limit is lower."""
    return min(100_001, settings.curve_max_points)


def gelu_document(points: int) -> dict[str, Any]:
    """The GELU approximations page: the report the API serves, with curves and error charts."""
    report = gelu_approximation_report(-10.0, 10.0, points)
    curves = compute_curve(CurveSpec(GELU_FORMS, -4.0, 4.0, 2001))
    near = [compute_error(ErrorSpec(f, "gelu", -6.0, 6.0, 12_001, include_curve=True)) for f in GELU_APPROXIMATIONS]
    wide = [compute_error(ErrorSpec(f, "gelu", -10.0, 10.0, 20_001, include_curve=True)) for f in GELU_APPROXIMATIONS]
    tanh_error = report.approximations[0].approximation.stats.max_abs_error
    return {
        "report": report,
        "curves_chart": charts.curve_chart(curves),
        "errors_chart": charts.errors_chart(near, "Approximation − exact GELU"),
        "log_errors_chart": charts.errors_chart(wide, "|approximation − exact GELU| (log scale)", log_scale=True),
        "bf16_over_tanh": report.bfloat16_rounding.max_abs_error / tanh_error,
        "entries": {e: get(e) for e in GELU_FORMS},
        "mathml": {e: mathml(get(e).formula) for e in GELU_FORMS},
    }


def gelu_approximation_of(entry: Activation, points: int) -> dict[str, Any] | None:
    """For a GELU approximation's own page: its largest |error| against exact GELU on the grid of
    /gelu-approximations (the same cached computation that page reports), so the number is never typed
    in; None for every other activation."""
    if entry.id not in GELU_APPROXIMATIONS:
        return None
    error = compute_error(ErrorSpec(entry.id, "gelu", -10.0, 10.0, points))
    return {"xmin": -10.0, "xmax": 10.0, "points": points, "stats": error.stats}


def curve_spec_for(
    settings: Settings,
    fn: list[str],
    xmin: float,
    xmax: float,
    points: int,
    derivative: int,
    dtype: str,
    beta: float,
) -> CurveSpec:
    """A curve request checked against the limits in Settings (the API and the explorer share them)."""
    return make_curve_spec(
        fn,
        xmin,
        xmax,
        points,
        derivative,
        dtype,
        beta,
        max_points=settings.curve_max_points,
        max_functions=settings.curve_max_functions,
        max_abs_x=settings.curve_max_abs_x,
    )


def explorer_table(spec: CurveSpec, at: list[float]) -> list[dict[str, Any]]:
    """Each function's value at the chosen points, in float64 and in the curve's dtype."""
    table = []
    for fn_id in spec.functions:
        exact = scalar_values(fn_id, at, spec.derivative, spec.beta)
        low = scalar_values(fn_id, at, spec.derivative, spec.beta, spec.dtype)
        table.append({"fn": fn_id, "float64": list(exact), "dtype": list(low)})
    return table


def _csv(columns: list[FloatArray], names: list[str]) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, np.column_stack(columns), fmt="%.17g", delimiter=",", header=",".join(names), comments="")
    return buffer.getvalue().encode()


def curve_csv(curve: Curve) -> bytes:
    """x (and x rounded to the dtype), then each function and its rounding error, at full precision."""
    columns = [curve.x]
    names = ["x"]
    if curve.x_rounded is not None:
        columns.append(curve.x_rounded)
        names.append(f"x_{curve.spec.dtype}")
    for s in curve.series:
        columns.append(s.y)
        names.append(s.fn)
        if s.rounding_error is not None:
            columns.append(s.rounding_error)
            names.append(f"{s.fn}_rounding_error")
    return _csv(columns, names)


def error_csv(result: ApproximationError) -> bytes:
    """The error curve as x,error at full precision (the result must include its curve)."""
    assert result.x is not None and result.error is not None
    return _csv([result.x, result.error], ["x", "error"])
