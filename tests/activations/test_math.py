"""The math of app/activations/ against references that share no code with it.

References are mpmath at 50 significant digits (more where a textbook formula cancels), scipy.special /
numpy float64 formulas, closed-form derivatives, and the independently computed table in
tests/reference/activation_reference_values.csv. Torch is never a reference here.

Tolerances. Float64 values and first derivatives must match to 1e-12 relative. The absolute floor added
to that bound is 1e-300: it only lets a result pass where the true value is below what float64 can hold
to 12 digits (e.g. GELU_tanh(−30) ≈ −10^−857 underflows to 0; subnormals start at 2.2e-308). Second
derivatives are compared to 1e-10 relative with an absolute floor of 1e-15: near a zero of f″, f″ is a
difference of terms of order 1 (e.g. σ″ = σ·σ(−x)·(σ(−x) − σ(x))), so float64 can only give it to a few
ulp of 1 there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath as mp
import numpy as np
import orjson
import pytest
from scipy import special

from app import activations as act
from tests.conftest import read_reference_csv

mp.mp.dps = 50


LAMBDA = mp.mpf("1.0507009873554804934193349852946")
ALPHA = mp.mpf("1.6732632423543772848170429916717")
C_TANH = mp.mpf("0.044715")
C_SIG = mp.mpf("1.702")

RTOL = 1e-12
ATOL_UNDERFLOW = 1e-300


def _gelu_tanh_mp(x: mp.mpf) -> mp.mpf:
    # The textbook form ½x(1 + tanh u): at x = −30, 1 + tanh u ≈ 10^−857, so it needs ~900 digits.
    with mp.workdps(1000):
        u = mp.sqrt(2 / mp.pi) * (x + C_TANH * x**3)
        return +(x / 2 * (1 + mp.tanh(u)))


def _sigmoid_mp(x: mp.mpf) -> mp.mpf:
    return 1 / (1 + mp.exp(-x))


MP_FUNCTIONS: dict[str, Callable[[mp.mpf], mp.mpf]] = {
    "relu": lambda x: max(mp.mpf(0), x),
    "gelu": lambda x: x * mp.ncdf(x),
    "gelu_tanh": _gelu_tanh_mp,
    "gelu_sigmoid": lambda x: x * _sigmoid_mp(C_SIG * x),
    "silu": lambda x: x * _sigmoid_mp(x),
    "sigmoid": _sigmoid_mp,
    "tanh": mp.tanh,
    "softplus": lambda x: mp.log(1 + mp.exp(x)),
    "mish": lambda x: x * mp.tanh(mp.log(1 + mp.exp(x))),
    "elu": lambda x: x if x > 0 else mp.expm1(x),
    "selu": lambda x: LAMBDA * x if x > 0 else LAMBDA * ALPHA * mp.expm1(x),
    "squared_relu": lambda x: max(mp.mpf(0), x) ** 2,
    "identity": lambda x: x,
}

# Piecewise functions: closed-form first derivatives (mp.diff would straddle the kink at x = 0).
MP_PIECEWISE_DERIVATIVE: dict[str, Callable[[mp.mpf], mp.mpf]] = {
    "relu": lambda x: mp.mpf(1) if x > 0 else mp.mpf(0),
    "elu": lambda x: mp.mpf(1) if x > 0 else mp.exp(x),
    "selu": lambda x: LAMBDA if x > 0 else LAMBDA * ALPHA * mp.exp(x),
    "squared_relu": lambda x: 2 * max(mp.mpf(0), x),
    "identity": lambda x: mp.mpf(1),
}

POINTS = [
    -30.0, -20.0, -10.0, -6.0, -4.0, -3.0, -2.5, -1.5, -1.0, -0.75, -0.5, -0.1, -1e-3, -1e-8,
    0.0,
    1e-8, 1e-3, 0.1, 0.5, 0.75, 1.0, 1.5, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0, 30.0,
]  # fmt: skip


def mp_value(fn_id: str, x: float) -> mp.mpf:
    return MP_FUNCTIONS[fn_id](mp.mpf(x))


def mp_derivative(fn_id: str, x: float) -> mp.mpf:
    if fn_id in MP_PIECEWISE_DERIVATIVE:
        return MP_PIECEWISE_DERIVATIVE[fn_id](mp.mpf(x))
    return mp.diff(MP_FUNCTIONS[fn_id], mp.mpf(x))


def assert_close(got: float, ref: mp.mpf, rtol: float, atol: float, what: str) -> None:
    err = abs(mp.mpf(got) - ref)
    assert err <= rtol * abs(ref) + atol, f"{what}: got {got!r}, reference {mp.nstr(ref, 17)}, error {mp.nstr(err, 3)}"


def test_registry_has_every_function_of_the_issue() -> None:
    assert set(act.SCALAR_IDS) == set(MP_FUNCTIONS)
    assert act.GATE_IDS == ("glu", "bilinear", "reglu", "geglu", "geglu_tanh", "swiglu", "clamped_swiglu_a1.702")
    gates = {g: act.get(g).gate_activation for g in act.GATE_IDS}
    assert gates == {
        "glu": "sigmoid",
        "bilinear": "identity",
        "reglu": "relu",
        "geglu": "gelu",
        "geglu_tanh": "gelu_tanh",
        "swiglu": "silu",
        "clamped_swiglu_a1.702": "gelu_sigmoid",
    }
    for entry in act.all_activations():
        assert entry.formula and entry.name
        assert entry.family in ("scalar", "gate")
        if entry.introduced_by is not None and entry.introduced_by.arxiv is not None:
            assert entry.introduced_by.arxiv.count(".") == 1
        orjson.dumps(entry.to_dict())


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("gelu_new", "gelu_tanh"),
        ("gelu_pytorch_tanh", "gelu_tanh"),
        ("gelu_fast", "gelu_tanh"),
        ("Approximate GELU", "gelu_tanh"),
        ("approximate-gelu", "gelu_tanh"),
        ("quick_gelu", "gelu_sigmoid"),
        ("swish", "silu"),
        ("relu2", "squared_relu"),
        ("GELU", "gelu"),
    ],
)
def test_aliases_resolve_to_canonical_ids(alias: str, expected: str) -> None:
    assert act.get(alias).id == expected


@pytest.mark.parametrize("fn_id", sorted(MP_FUNCTIONS))
def test_values_match_mpmath(fn_id: str) -> None:
    got = act.scalar_values(fn_id, POINTS)
    for x, value in zip(POINTS, got, strict=True):
        assert_close(float(value), mp_value(fn_id, x), RTOL, ATOL_UNDERFLOW, f"{fn_id}({x})")


@pytest.mark.parametrize("fn_id", sorted(MP_FUNCTIONS))
def test_first_derivatives_match_mpmath(fn_id: str) -> None:
    entry = act.get(fn_id)
    got = act.scalar_values(fn_id, POINTS, derivative=1)
    checked = 0
    for x, value in zip(POINTS, got, strict=True):
        if x in entry.nondifferentiable_points:
            continue  # no derivative to compare with: see test_convention_at_nondifferentiable_points
        assert_close(float(value), mp_derivative(fn_id, x), RTOL, ATOL_UNDERFLOW, f"{fn_id}'({x})")
        checked += 1
    assert checked >= 20


SCIPY_VALUES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "gelu": lambda x: x * special.ndtr(x),
    "gelu_sigmoid": lambda x: x * special.expit(1.702 * x),
    "silu": lambda x: x * special.expit(x),
    "sigmoid": special.expit,
    "tanh": np.tanh,
    "softplus": lambda x: np.logaddexp(x, 0.0),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "squared_relu": lambda x: np.maximum(x, 0.0) ** 2,
}

SCIPY_DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "gelu": lambda x: special.ndtr(x) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi),
    "sigmoid": lambda x: special.expit(x) * special.expit(-x),
    "tanh": lambda x: 4 * special.expit(2 * x) * special.expit(-2 * x),
    "softplus": special.expit,
}


@pytest.mark.parametrize("fn_id", sorted(SCIPY_VALUES))
def test_values_match_scipy_on_a_dense_grid(fn_id: str) -> None:
    x = np.linspace(-12.0, 12.0, 2401)
    got = act.scalar_values(fn_id, x)
    ref = SCIPY_VALUES[fn_id](x)
    # scipy/numpy are themselves float64: each side carries ~1 ulp, hence the 1e-15·|x| absolute slack.
    np.testing.assert_allclose(got, ref, rtol=RTOL, atol=1e-15 * 12)


@pytest.mark.parametrize("fn_id", sorted(SCIPY_DERIVATIVES))
def test_first_derivatives_match_scipy_closed_forms(fn_id: str) -> None:
    x = np.linspace(-12.0, 12.0, 2401)
    got = act.scalar_values(fn_id, x, derivative=1)
    np.testing.assert_allclose(got, SCIPY_DERIVATIVES[fn_id](x), rtol=RTOL, atol=1e-15)


def _reference_rows() -> list[dict[str, str]]:
    return read_reference_csv("activation_reference_values.csv")


def test_reference_csv_values_and_derivatives() -> None:
    rows = _reference_rows()
    assert len(rows) == 108
    # 12 significant digits: the printed value is within 5e-12 relative of the true one.
    rtol = 1e-11
    checked = 0
    for row in rows:
        fn_id, x = row["function"], float(row["x"])
        value = float(act.scalar_values(fn_id, [x])[0])
        expected = float(row["value"])
        assert abs(value - expected) <= rtol * abs(expected), (fn_id, x, value, expected)
        derivative = float(act.scalar_values(fn_id, [x], derivative=1)[0])
        if row["derivative"] == "undefined":
            continue
        expected_d = float(row["derivative"])
        assert abs(derivative - expected_d) <= rtol * abs(expected_d), (fn_id, x, derivative, expected_d)
        checked += 1
    assert checked == 106


def test_reference_csv_undefined_derivatives_are_exactly_the_convention_points() -> None:
    rows = _reference_rows()
    undefined = {(r["function"], float(r["x"])) for r in rows if r["derivative"] == "undefined"}
    declared = {
        (r["function"], float(r["x"])) for r in rows if float(r["x"]) in act.get(r["function"]).nondifferentiable_points
    }
    assert undefined == declared == {("relu", 0.0), ("selu", 0.0)}


def test_convention_at_nondifferentiable_points() -> None:
    # ReLU′(0) = 0 (the left derivative; the right one is 1); SELU′(0) = λα (left; right λ).
    spec = act.CurveSpec(("relu", "selu", "elu", "squared_relu"), -1.0, 1.0, 201, 1)
    curve = act.compute_curve(spec)
    zero = int(np.flatnonzero(curve.x == 0.0)[0])
    by_fn = {s.fn: s for s in curve.series}
    assert by_fn["relu"].y[zero] == 0.0
    assert_close(float(by_fn["selu"].y[zero]), LAMBDA * ALPHA, RTOL, 0.0, "SELU'(0)")
    assert by_fn["relu"].by_convention_x == (0.0,)
    assert by_fn["selu"].by_convention_x == (0.0,)
    assert by_fn["elu"].by_convention_x == ()  # ELU with α = 1 is differentiable at 0
    assert by_fn["elu"].y[zero] == 1.0
    assert by_fn["squared_relu"].by_convention_x == ()
    # Second derivatives: undefined at 0 for all four; the reported value is the right-hand one (0 for the
    # ELU family, whose right-hand side is linear).
    second = act.compute_curve(act.CurveSpec(spec.functions, -1.0, 1.0, 201, 2))
    for s in second.series:
        assert s.by_convention_x == (0.0,), s.fn
        assert s.y[zero] == 0.0, s.fn
    # A grid without 0 on it has nothing to flag.
    off = act.compute_curve(act.CurveSpec(("relu",), -1.0, 1.0, 200, 1))
    assert off.series[0].by_convention_x == ()


SECOND_DERIVATIVE_CLOSED_FORMS: dict[str, Callable[[mp.mpf], mp.mpf]] = {
    "gelu": lambda x: mp.npdf(x) * (2 - x * x),
    "silu": lambda x: _sigmoid_mp(x) * _sigmoid_mp(-x) * (2 + x * (1 - 2 * _sigmoid_mp(x))),
    "softplus": lambda x: _sigmoid_mp(x) * _sigmoid_mp(-x),
    "tanh": lambda x: -2 * mp.tanh(x) * mp.sech(x) ** 2,
    "elu": lambda x: mp.exp(x) if x < 0 else mp.mpf(0),
    "selu": lambda x: LAMBDA * ALPHA * mp.exp(x) if x < 0 else mp.mpf(0),
    "squared_relu": lambda x: mp.mpf(2) if x > 0 else mp.mpf(0),
    "relu": lambda x: mp.mpf(0),
    "identity": lambda x: mp.mpf(0),
}


@pytest.mark.parametrize("fn_id", sorted(SECOND_DERIVATIVE_CLOSED_FORMS))
def test_second_derivatives_closed_form(fn_id: str) -> None:
    xs = [x for x in POINTS if x != 0.0]
    got = act.scalar_values(fn_id, xs, derivative=2)
    for x, value in zip(xs, got, strict=True):
        assert_close(float(value), SECOND_DERIVATIVE_CLOSED_FORMS[fn_id](mp.mpf(x)), 1e-10, 1e-15, f"{fn_id}''({x})")


@pytest.mark.parametrize("fn_id", ["gelu_tanh", "gelu_sigmoid", "mish", "sigmoid", "gelu"])
def test_second_derivatives_match_mpmath_diff(fn_id: str) -> None:
    xs = [-8.0, -3.0, -1.0, -0.3, 1e-6, 0.3, 1.0, 3.0, 8.0]
    got = act.scalar_values(fn_id, xs, derivative=2)
    for x, value in zip(xs, got, strict=True):
        ref = mp.diff(MP_FUNCTIONS[fn_id], mp.mpf(x), 2)
        assert_close(float(value), ref, 1e-10, 1e-15, f"{fn_id}''({x})")


def test_swish_beta_parameter() -> None:
    xs = [-5.0, -1.0, -0.2, 0.0, 0.4, 2.0, 7.0]
    for beta in (0.5, 2.0):
        f = lambda x, b=mp.mpf(beta): x * _sigmoid_mp(b * x)  # noqa: E731
        values = act.scalar_values("silu", xs, beta=beta)
        derivs = act.scalar_values("silu", xs, derivative=1, beta=beta)
        for x, v, d in zip(xs, values, derivs, strict=True):
            assert_close(float(v), f(mp.mpf(x)), RTOL, ATOL_UNDERFLOW, f"swish_{beta}({x})")
            assert_close(float(d), mp.diff(f, mp.mpf(x)), RTOL, ATOL_UNDERFLOW, f"swish_{beta}'({x})")


def test_float64_curves_stay_finite_over_the_whole_allowed_range() -> None:
    x = np.linspace(-1000.0, 1000.0, 4001)
    for fn_id in act.SCALAR_IDS:
        for order in (0, 1, 2):
            assert np.isfinite(act.scalar_values(fn_id, x, derivative=order)).all(), (fn_id, order)


# --- GELU approximations ------------------------------------------------------------------------


def _worst_error_mp(approx: Callable[[mp.mpf], mp.mpf], guess: float) -> tuple[mp.mpf, mp.mpf]:
    """The stationary point of e = approx − GELU near the guess (findroot on e′), and e there."""

    def err(x: mp.mpf) -> mp.mpf:
        return approx(x) - x * mp.ncdf(x)

    with mp.workdps(40):
        x_star = mp.findroot(lambda x: mp.diff(err, x), mp.mpf(guess))
        return x_star, err(x_star)


def _gelu_tanh_np(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


@pytest.mark.parametrize(
    ("fn_id", "guess", "np_approx", "stated_error", "stated_x", "sign"),
    [
        ("gelu_tanh", 2.7, _gelu_tanh_np, 4.7324e-4, 2.699, 1.0),
        ("gelu_sigmoid", 2.27, lambda x: x * special.expit(1.702 * x), 2.0335e-2, 2.270, -1.0),
    ],
)
def test_gelu_approximation_worst_error(
    fn_id: str,
    guess: float,
    np_approx: Callable[[np.ndarray], np.ndarray],
    stated_error: float,
    stated_x: float,
    sign: float,
) -> None:
    result = act.compute_error(act.ErrorSpec(fn_id, "gelu", -10.0, 10.0, 200_001))
    stats = result.stats

    # Reference 1: the stationary point of the error, found by mpmath.
    x_star, e_star = _worst_error_mp(MP_FUNCTIONS[fn_id], guess)
    h = 20.0 / 200_000
    assert stats.argmax_abs_error is not None
    assert abs(abs(stats.argmax_abs_error) - float(x_star)) <= h
    # On the grid the maximum can only be a hair below the true one: |e(x* + δ)| = |e*| − O(e″δ²), δ ≤ h/2.
    assert float(abs(e_star)) * (1 - 1e-6) <= stats.max_abs_error <= float(abs(e_star)) * (1 + 1e-12)
    assert math.copysign(1.0, result.error_at_argmax) == sign == math.copysign(1.0, float(e_star))

    # Reference 2: a scipy scan of the same grid, evaluated independently.
    x = np.linspace(-10.0, 10.0, 200_001)
    err = np_approx(x) - x * special.ndtr(x)
    i = int(np.argmax(np.abs(err)))
    assert stats.max_abs_error == pytest.approx(abs(err[i]), rel=1e-9)
    assert abs(stats.argmax_abs_error) == pytest.approx(abs(x[i]), abs=h)
    assert stats.rms_error == pytest.approx(float(np.sqrt(np.mean(err**2))), rel=1e-9)

    # The error is even, so its worst points are a pair ±x*.
    assert len(stats.worst_x) == 2
    assert stats.worst_x[0] == pytest.approx(-stats.worst_x[1], abs=h)

    # The numbers as the issue states them.
    assert round(stats.max_abs_error, 8 if stated_error < 1e-3 else 6) == stated_error
    assert abs(abs(stats.argmax_abs_error) - stated_x) < 1e-3


def test_max_relative_error_definition() -> None:
    result = act.compute_error(act.ErrorSpec("gelu_tanh", "gelu", -4.0, 4.0, 8001, include_curve=True))
    assert result.x is not None and result.error is not None
    x = np.linspace(-4.0, 4.0, 8001)
    ref = x * special.ndtr(x)
    floor = 1e-12 * np.abs(ref).max()
    keep = np.abs(ref) >= floor
    rel = np.abs(_gelu_tanh_np(x) - ref)[keep] / np.abs(ref[keep])
    assert result.stats.rel_error_floor == pytest.approx(floor)
    assert result.stats.rel_error_points_skipped == int((~keep).sum())  # x = 0, where GELU is 0
    assert result.stats.max_rel_error == pytest.approx(rel.max(), rel=1e-6)
    np.testing.assert_allclose(result.error, _gelu_tanh_np(x) - ref, rtol=0, atol=1e-15)


# --- low-precision dtypes -------------------------------------------------------------------------


def _is_representable(values: np.ndarray, dtype: str) -> bool:
    v = values[np.isfinite(values)]
    if dtype == "bfloat16":  # bfloat16 is float32 with the low 16 bits of the significand zero
        return bool(np.all((v.astype(np.float32).view(np.uint32) & 0xFFFF) == 0) and np.all(v.astype(np.float32) == v))
    return bool(np.all(v.astype(np.float16 if dtype == "float16" else np.float32).astype(np.float64) == v))


#: The smallest normal number of each dtype: below it a relative error says nothing, and the service skips it.
SMALLEST_NORMAL = {"float32": 2.0**-126, "bfloat16": 2.0**-126, "float16": 2.0**-14}
ROUNDING_REFERENCES: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[mp.mpf], mp.mpf]]] = {
    "gelu": (lambda x: x * special.ndtr(x), lambda x: x * mp.ncdf(x)),
    "silu": (lambda x: x * special.expit(x), lambda x: x / (1 + mp.exp(-x))),
    "tanh": (np.tanh, mp.tanh),
}


def _grid_index(curve: act.Curve, x: float | None) -> int:
    assert x is not None
    hits = np.flatnonzero(curve.x == x)
    assert hits.size, f"the reported worst point {x} is not a grid point"
    return int(hits[0])


@pytest.mark.parametrize(
    ("dtype", "unit_roundoff"),
    [("float32", 2.0**-24), ("bfloat16", 2.0**-8), ("float16", 2.0**-11)],
)
def test_rounding_error_of_low_precision_dtypes(
    dtype: str, unit_roundoff: float, report_measurement: Callable[[str, object], None]
) -> None:
    """The service promises that a curve in a low-precision dtype holds numbers of that dtype and that the
    rounding error and the summary it reports are right: y − f64(x̃) against a reference that shares no code
    with it, every bound it states holds at every point and is reached where it says. How large the error
    is belongs to the CPU's kernel (float16 GELU, whose 1 + erf cancels on the left tail, stays under a
    relative error of 2e-3 on one x86-64 CPU and reaches 4.6e-3 on another), so that is reported, not asserted."""
    curve = act.compute_curve(act.CurveSpec(("gelu", "silu", "tanh"), -4.0, 4.0, 2001, 0, dtype))
    assert curve.x_rounded is not None
    assert _is_representable(curve.x_rounded, dtype)
    x_rounded = np.asarray(curve.x_rounded)
    for s in curve.series:
        stats = s.rounding
        assert stats is not None and s.rounding_error is not None
        assert _is_representable(s.y, dtype), s.fn
        y = np.asarray(s.y)
        f64, f_mp = ROUNDING_REFERENCES[s.fn]
        ref = f64(x_rounded)
        # The error is the dtype's result minus the float64 value at the same (rounded) input.
        err = y - ref
        np.testing.assert_allclose(s.rounding_error, err, rtol=0, atol=1e-15)
        finite = np.isfinite(err)
        assert stats.nonfinite_points == int(np.count_nonzero(~finite)), s.fn
        abs_err = np.abs(err[finite])

        # The largest absolute error bounds every point's error and is reached where the service says.
        assert abs_err.max() == pytest.approx(stats.max_abs_error, rel=1e-9, abs=1e-15), s.fn
        i = _grid_index(curve, stats.argmax_abs_error)
        assert abs(err[i]) == pytest.approx(stats.max_abs_error, rel=1e-9, abs=1e-15), s.fn
        exact_i = f_mp(mp.mpf(float(x_rounded[i])))
        assert float(abs(mp.mpf(float(y[i])) - exact_i)) == pytest.approx(stats.max_abs_error, rel=1e-9, abs=1e-15)

        # Relative error over |reference| ≥ the dtype's smallest normal number; the points below it are counted.
        floor = SMALLEST_NORMAL[dtype]
        assert stats.rel_error_floor == floor, s.fn
        keep = finite & (np.abs(ref) >= floor)
        assert stats.rel_error_points_skipped == int(np.count_nonzero(finite & ~keep)), s.fn
        rel = np.abs(err[keep]) / np.abs(ref[keep])
        assert rel.max() == pytest.approx(stats.max_rel_error, rel=1e-6), s.fn
        j = _grid_index(curve, stats.argmax_rel_error)
        exact_j = f_mp(mp.mpf(float(x_rounded[j])))
        assert float(abs((mp.mpf(float(y[j])) - exact_j) / exact_j)) == pytest.approx(stats.max_rel_error, rel=1e-6)
        assert float(np.sqrt(np.mean(np.square(err[finite])))) == pytest.approx(stats.rms_error, rel=1e-6), s.fn

        # The total error also counts the rounding of the input: y − f64(x).
        total = np.abs(y - f64(np.asarray(curve.x)))
        assert s.max_abs_total_error == pytest.approx(float(total[np.isfinite(total)].max()), rel=1e-9, abs=1e-15)
        # The arithmetic ran in the dtype: a float64 computation would not be off by a hundredth of its roundoff.
        assert stats.max_rel_error > unit_roundoff / 100, (s.fn, stats.max_rel_error)

        ratio = stats.max_rel_error / unit_roundoff
        report_measurement(f"{dtype} {s.fn} max relative error / unit roundoff", f"{ratio:.3g}")
        report_measurement(f"{dtype} {s.fn} worst relative error at x", f"{stats.argmax_rel_error:.6g}")


def test_low_precision_overflow_is_counted_not_hidden() -> None:
    # float16 tops out at 65504: squared ReLU overflows beyond x ≈ 256.
    curve = act.compute_curve(act.CurveSpec(("squared_relu",), 0.0, 1000.0, 1001, 0, "float16"))
    s = curve.series[0]
    assert s.rounding is not None
    expected = int(np.count_nonzero(np.float64(curve.x_rounded) ** 2 > 65519.0))  # 65520 rounds to inf
    assert s.rounding.nonfinite_points == expected > 0


# --- gate surfaces --------------------------------------------------------------------------------


GATE_REFERENCES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "glu": special.expit,
    "bilinear": lambda a: a,
    "reglu": lambda a: np.maximum(a, 0.0),
    "geglu": lambda a: a * special.ndtr(a),
    # ½a(1 + tanh u) = a·σ(2u); the σ form keeps float64 precision on the left tail.
    "geglu_tanh": lambda a: a * special.expit(2 * math.sqrt(2 / math.pi) * (a + 0.044715 * a**3)),
    "swiglu": lambda a: a * special.expit(a),
}


@pytest.mark.parametrize("gate_id", sorted(GATE_REFERENCES))
def test_gate_surfaces_match_the_direct_formula(gate_id: str) -> None:
    surface = act.compute_surface(act.SurfaceSpec(gate_id, -5.0, 5.0, -3.0, 2.0, 61))
    a = np.linspace(-5.0, 5.0, 61)
    b = np.linspace(-3.0, 2.0, 61)
    assert surface.z.shape == (61, 61)
    np.testing.assert_array_equal(surface.a, a)
    np.testing.assert_array_equal(surface.b, b)
    expected = GATE_REFERENCES[gate_id](a)[np.newaxis, :] * b[:, np.newaxis]
    np.testing.assert_allclose(surface.z, expected, rtol=RTOL, atol=1e-15)


def test_swiglu_surface_uses_beta() -> None:
    surface = act.compute_surface(act.SurfaceSpec("swiglu", -2.0, 2.0, -1.0, 1.0, 21, beta=1.7))
    a, b = np.linspace(-2, 2, 21), np.linspace(-1, 1, 21)
    np.testing.assert_allclose(surface.z, (a * special.expit(1.7 * a))[None, :] * b[:, None], rtol=RTOL, atol=1e-15)


# --- properties -----------------------------------------------------------------------------------


def _stationary_point(fn_id: str, guess: float) -> tuple[float, float]:
    f = MP_FUNCTIONS[fn_id]
    x = mp.findroot(lambda t: mp.diff(f, t), mp.mpf(guess))
    return float(x), float(f(x))


@pytest.mark.parametrize(
    ("fn_id", "guess"),
    [("gelu", -0.75), ("gelu_tanh", -0.75), ("gelu_sigmoid", -0.75), ("silu", -1.28), ("mish", -1.19)],
)
def test_minimum_of_non_monotonic_functions(fn_id: str, guess: float) -> None:
    x_min, y_min = _stationary_point(fn_id, guess)
    props = act.properties(fn_id)
    assert props.minimum.kind == "interior"
    assert props.minimum.x == pytest.approx(x_min, abs=1e-9)
    assert props.minimum.value == pytest.approx(y_min, rel=1e-12)
    assert props.monotonic == "no"
    assert props.bounded_below and props.infimum == pytest.approx(y_min, rel=1e-12)
    assert not props.bounded_above
    assert props.first_derivative_continuous
    assert props.large_positive.description == "≈ x"
    assert props.large_negative.description == "→ 0"


def test_gelu_minimum_matches_the_known_value() -> None:
    props = act.properties("gelu")
    assert round(props.minimum.value, 5) == -0.16997
    assert round(props.minimum.x, 4) == -0.7518


def test_first_derivative_jumps_are_found_and_match_the_registry() -> None:
    relu = act.properties("relu")
    assert not relu.first_derivative_continuous
    (jump,) = relu.first_derivative_jumps
    assert (jump.x, jump.left, jump.right, jump.convention) == (0.0, 0.0, 1.0, 0.0)
    selu = act.properties("selu")
    (jump,) = selu.first_derivative_jumps
    assert jump.x == 0.0
    assert jump.left == pytest.approx(float(LAMBDA * ALPHA), rel=1e-8)
    assert jump.right == pytest.approx(float(LAMBDA), rel=1e-12)
    for fn_id in act.SCALAR_IDS:
        found = tuple(j.x for j in act.properties(fn_id).first_derivative_jumps)
        assert found == act.get(fn_id).nondifferentiable_points, fn_id


@pytest.mark.parametrize(
    ("fn_id", "monotonic", "below", "above", "neg", "pos"),
    [
        ("relu", "non-decreasing", 0.0, None, "→ 0", "≈ x"),
        ("squared_relu", "non-decreasing", 0.0, None, "→ 0", "→ +∞ like x²"),
        ("sigmoid", "increasing", 0.0, 1.0, "→ 0", "→ 1"),
        ("tanh", "increasing", -1.0, 1.0, "→ −1", "→ 1"),
        ("softplus", "increasing", 0.0, None, "→ 0", "≈ x"),
        ("elu", "increasing", -1.0, None, "→ −1", "≈ x"),
        ("identity", "increasing", None, None, "≈ x", "≈ x"),
    ],
)
def test_monotonicity_bounds_and_limits(
    fn_id: str, monotonic: str, below: float | None, above: float | None, neg: str, pos: str
) -> None:
    props = act.properties(fn_id)
    assert props.monotonic == monotonic
    assert props.bounded_below == (below is not None)
    assert props.bounded_above == (above is not None)
    assert props.infimum == below
    assert props.supremum == above
    assert props.large_negative.description == neg
    assert props.large_positive.description == pos


def test_selu_limits_are_its_constants() -> None:
    props = act.properties("selu")
    assert props.large_negative.kind == "constant"
    assert props.large_negative.limit == pytest.approx(-float(LAMBDA * ALPHA), rel=1e-15)
    assert props.large_positive.coefficient == pytest.approx(float(LAMBDA), rel=1e-12)
    assert props.large_positive.power == 1


def test_values_and_derivatives_at_zero() -> None:
    for fn_id in act.SCALAR_IDS:
        props = act.properties(fn_id)
        assert_close(props.value_at_0, mp_value(fn_id, 0.0), RTOL, ATOL_UNDERFLOW, fn_id)
        if fn_id in ("relu", "selu"):
            assert props.derivative_at_0_by_convention
            left = MP_PIECEWISE_DERIVATIVE[fn_id](mp.mpf(-1e-30))
            assert_close(props.derivative_at_0, left, RTOL, 0.0, fn_id)
        else:
            assert not props.derivative_at_0_by_convention
            assert_close(props.derivative_at_0, mp_derivative(fn_id, 0.0), RTOL, ATOL_UNDERFLOW, fn_id)
    assert act.properties("softplus").value_at_0 == pytest.approx(math.log(2), rel=1e-15)
    assert act.properties("mish").derivative_at_0 == pytest.approx(0.6, rel=1e-15)


# --- validation and caching -----------------------------------------------------------------------


def curve_spec(functions: list[str], *args: Any, **kwargs: Any) -> act.CurveSpec:
    """make_curve_spec with the service's default limits."""
    return act.make_curve_spec(functions, *args, max_points=100_001, max_functions=8, max_abs_x=1000.0, **kwargs)


def test_curve_spec_is_canonical() -> None:
    a = curve_spec(["gelu_new", "GELU", "gelu_tanh"], -4, 4, 401)
    b = curve_spec(["gelu_tanh", "gelu"], -4.0, 4.0, 401)
    assert a == b and hash(a) == hash(b)
    assert a.functions == ("gelu_tanh", "gelu")


@pytest.mark.parametrize(
    ("kwargs", "field", "limit"),
    [
        ({"functions": ["gelu"], "xmin": 1.0, "xmax": 1.0}, "xmin", None),
        ({"functions": ["gelu"], "xmin": 2.0, "xmax": -2.0}, "xmin", None),
        ({"functions": ["gelu"], "xmin": float("nan")}, "xmin", None),
        ({"functions": ["gelu"], "xmax": float("inf")}, "xmax", None),
        ({"functions": ["gelu"], "beta": float("nan")}, "beta", None),
        ({"functions": ["gelu"], "points": 100_002}, "points", 100_001),
        ({"functions": ["gelu"], "points": 1}, "points", 2),
        ({"functions": ["gelu"], "xmin": -1000.5}, "xmin", 1000.0),
        ({"functions": ["gelu"], "xmax": 2000.0}, "xmax", 1000.0),
        ({"functions": ["gelu"], "derivative": 3}, "derivative", 2),
        ({"functions": ["gelu"], "dtype": "float8"}, "dtype", None),
        ({"functions": list(act.SCALAR_IDS[:9])}, "fn", 8),
        ({"functions": []}, "fn", None),
        ({"functions": ["swiglu"]}, "fn", None),
    ],
)
def test_curve_validation_names_the_field_and_limit(kwargs: dict[str, Any], field: str, limit: object) -> None:
    with pytest.raises(act.ActivationInputError) as info:
        curve_spec(**kwargs)
    assert info.value.field == field
    assert info.value.limit == limit
    assert isinstance(info.value, ValueError)


def test_unknown_ids_list_the_valid_ones() -> None:
    with pytest.raises(act.UnknownActivationError) as info:
        curve_spec(["gelu", "relu6"])
    assert isinstance(info.value, KeyError)
    assert info.value.field == "fn"
    assert set(info.value.valid_ids) == set(act.REGISTRY)
    assert "relu6" in str(info.value)
    with pytest.raises(act.UnknownActivationError) as info:
        act.make_error_spec("gelu_tanh", "erf", max_points=200_001, max_abs_x=1000.0)
    assert info.value.field == "reference"
    with pytest.raises(act.UnknownActivationError) as info:
        act.make_surface_spec("gelu", max_points_per_axis=401, max_abs_x=1000.0)
    assert info.value.field == "id"
    assert info.value.valid_ids == list(act.GATE_IDS)


def test_surface_and_error_limits() -> None:
    with pytest.raises(act.ActivationInputError) as info:
        act.make_surface_spec("glu", points=402, max_points_per_axis=401, max_abs_x=1000.0)
    assert (info.value.field, info.value.limit) == ("points", 401)
    with pytest.raises(act.ActivationInputError) as info:
        act.make_surface_spec("glu", bmin=3.0, bmax=-3.0, max_points_per_axis=401, max_abs_x=1000.0)
    assert info.value.field == "bmin"
    with pytest.raises(act.ActivationInputError) as info:
        act.make_error_spec("gelu_tanh", "gelu", points=200_001, max_points=100_001, max_abs_x=1000.0)
    assert (info.value.field, info.value.limit) == ("points", 100_001)
    spec = act.make_error_spec("approximate gelu", "gelu", max_points=200_001, max_abs_x=1000.0)
    assert (spec.function, spec.reference) == ("gelu_tanh", "gelu")


def test_cache_returns_the_same_read_only_result() -> None:
    lab = act.ActivationLab(cache_size=4)
    spec = curve_spec(["gelu", "silu"], -3, 3, 101)
    first = lab.curve(spec)
    second = lab.curve(curve_spec(["GELU", "swish"], -3.0, 3.0, 101))
    assert first is second
    assert lab.cache_info()["curve"]["hits"] == 1
    with pytest.raises(ValueError):
        first.series[0].y[0] = 1.0
    body = orjson.loads(orjson.dumps(first.to_dict(), option=orjson.OPT_SERIALIZE_NUMPY))
    assert body["x"][0] == -3.0 and [s["fn"] for s in body["series"]] == ["gelu", "silu"]
    assert len(body["series"][0]["y"]) == 101


# --- comparing inside 16-bit dtypes -------------------------------------------------------------------


def _bf16_spacing(value: float) -> float:
    # bfloat16 keeps 8 significant bits: the gap above |v| in [2^e, 2^(e+1)) is 2^(e−7)
    return 2.0 ** (math.floor(math.log2(abs(value))) - 7)


@pytest.mark.parametrize("value", [2.689614, 0.0093855, 1.0, 300.0, 1e-20])
def test_spacing_matches_the_formats(value: float) -> None:
    assert act.spacing(value, "float32") == float(np.spacing(np.float32(value)))
    assert act.spacing(value, "bfloat16") == _bf16_spacing(float(np.float32(value)))
    if 6.2e-5 < value < 6e4:  # float16's normal range
        assert act.spacing(value, "float16") == float(np.spacing(np.float16(value)))


def test_compare_in_dtype_counts_every_representable_input() -> None:
    patterns = np.arange(65536, dtype=np.uint32) << 16
    with np.errstate(invalid="ignore"):  # the NaN patterns
        bf16 = patterns.view(np.float32).astype(np.float64)
    expected = int(np.count_nonzero(np.isfinite(bf16) & (bf16 >= -10) & (bf16 <= 10)))
    fp16 = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float64)
    expected16 = int(np.count_nonzero(np.isfinite(fp16) & (fp16 >= -10) & (fp16 <= 10)))
    same = act.compare_in_dtype("gelu", "gelu", "bfloat16", -10.0, 10.0)
    # ±0 are two bit patterns with one value: the enumeration keeps both, as the format does.
    assert same.inputs == expected and same.identical == same.inputs and same.max_abs_difference == 0.0
    tanh = act.compare_in_dtype("gelu_tanh", "gelu", "float16", -10.0, 10.0)
    assert tanh.inputs == expected16
    assert 0 < tanh.identical <= tanh.within_one_ulp <= tanh.inputs
    with pytest.raises(act.ActivationInputError):
        act.compare_in_dtype("gelu_tanh", "gelu", "float32", -1.0, 1.0)


def test_gelu_report_puts_the_error_next_to_each_dtypes_resolution() -> None:
    report = act.gelu_approximation_report(-10.0, 10.0, 20_001)
    tanh = report.approximations[0]
    assert tanh.approximation.spec.function == "gelu_tanh"
    for scale in tanh.scales:
        x = np.array([scale.x])
        gelu = float((x * special.ndtr(x))[0])
        assert scale.gelu_value == pytest.approx(gelu, rel=1e-12)
        assert scale.error == pytest.approx(float((_gelu_tanh_np(x) - x * special.ndtr(x))[0]), rel=1e-9)
        if scale.dtype == "bfloat16":
            assert scale.half_step == _bf16_spacing(float(np.float32(abs(gelu)))) / 2
        # At +x*, GELU ≈ 2.69 and bfloat16's half-gap (2^-7) hides the 4.7e-4 error; at −x*, GELU ≈ −0.0094
        # and bfloat16 resolves it.
        if scale.dtype == "bfloat16":
            assert (scale.error_over_half_step < 1) == (scale.x > 0)
    # exact GELU's own bfloat16 rounding error is bounded by half a gap at the largest |GELU| (~10): 2^-5
    assert report.bfloat16_rounding.max_abs_error <= 2.0**-5
