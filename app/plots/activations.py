"""Charts of activation curves, approximation errors and gate surfaces (SVG or PNG).

Figures are built with the object-oriented API (``Figure`` without pyplot), so concurrent requests do
not share pyplot's global state and need no lock; the look (fonts, spines, palette) comes from
app/plots/svg.py. Callers cache the rendered bytes: a matplotlib chart takes ~100 ms to draw, so the
curve chart's SVG is written without it (app/plots/curve_svg.py) and matplotlib draws its PNG only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from app.activations.approximation import ApproximationError
from app.activations.curves import Curve, CurveSpec, compute_curve
from app.activations.registry import get
from app.activations.surfaces import Surface
from app.plots.curve_svg import curve_chart_svg
from app.plots.svg import PALETTE, PHONE_WIDTH_IN, figure_to_chart, figure_to_png, figure_to_svg

PRIME = {0: "f(x)", 1: "f′(x)", 2: "f″(x)"}


def _render(fig: Figure, title: str, fmt: str) -> str | bytes:
    """``png`` and ``svg`` are response bodies; ``page`` is the markup a page inlines (wide and phone SVG)."""
    if fmt == "page":
        return figure_to_chart(fig, title)
    return figure_to_png(fig) if fmt == "png" else figure_to_svg(fig, title)


def _encoded(chart: str | bytes) -> bytes:
    return chart.encode() if isinstance(chart, str) else chart


def _mark_conventions(ax: object, x: np.ndarray, y: np.ndarray, points: Sequence[float], color: str) -> None:
    """Hollow markers where a derivative is undefined and the plotted value is autograd's convention."""
    for p in points:
        hit = np.flatnonzero(x == p)
        if hit.size:
            ax.plot(  # type: ignore[attr-defined]
                [p], [y[hit[0]]], marker="o", mfc="white", mec=color, ms=6, ls="none", zorder=5,
                label="value by convention (undefined)",
            )  # fmt: skip


def curve_title(curve: Curve) -> str:
    spec = curve.spec
    what = PRIME[spec.derivative]
    dtype = "" if spec.dtype == "float64" else f", computed in {spec.dtype}"
    return f"{what} of {', '.join(spec.functions)} on [{spec.xmin:g}, {spec.xmax:g}]{dtype}"


def curve_chart(curve: Curve, fmt: str = "page") -> str | bytes:
    """The curves; with a low-precision dtype a second panel shows each curve's rounding error. SVG (a page's
    drawings or a response body) is written directly (app/plots/curve_svg.py); PNG is drawn by matplotlib."""
    title = curve_title(curve)
    if fmt != "png":
        return curve_chart_svg(curve, title, PRIME[curve.spec.derivative], page=fmt == "page")
    return _render(_curve_figure(curve, title), title, fmt)


def _curve_figure(curve: Curve, title: str) -> Figure:
    lowp = curve.spec.dtype != "float64"
    fig = Figure(figsize=(8, 6.4 if lowp else 4.2))
    axes = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2]) if lowp else [fig.subplots()]
    ax = axes[0]
    shown_convention = False
    for i, s in enumerate(curve.series):
        color = PALETTE[i % len(PALETTE)]
        ax.plot(curve.x, s.y, color=color, lw=1.4, label=s.fn, drawstyle="steps-mid" if lowp else "default")
        if s.by_convention_x:
            _mark_conventions(ax, curve.x if not lowp else curve.x_rounded, s.y, s.by_convention_x, color)  # type: ignore[arg-type]
            shown_convention = True
    ax.axhline(0, color="#999", lw=0.6)
    ax.axvline(0, color="#999", lw=0.6)
    ax.set_ylabel(PRIME[curve.spec.derivative])
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=8, frameon=False, ncols=2 if len(unique) > 4 else 1)
    if shown_convention:
        ax.set_title("hollow marker: derivative undefined there; autograd's value shown", fontsize=8, loc="right")
    if lowp:
        err_ax = axes[1]
        for i, s in enumerate(curve.series):
            assert s.rounding_error is not None
            err_ax.plot(curve.x, s.rounding_error, color=PALETTE[i % len(PALETTE)], lw=0.9, label=s.fn)
        err_ax.axhline(0, color="#999", lw=0.6)
        err_ax.set_ylabel(f"{curve.spec.dtype} − float64")
        err_ax.set_xlabel("x")
    else:
        ax.set_xlabel("x")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def derivatives_chart(activation_id: str, xmin: float = -5.0, xmax: float = 5.0, points: int = 2001) -> str:
    """f, f′ and f″ side by side (the activation's page); on a phone one above the other."""
    entry = get(activation_id, family="scalar")
    title = f"{entry.name}: f, f′ and f″ on [{xmin:g}, {xmax:g}]"
    curves = [compute_curve(CurveSpec((entry.id,), xmin, xmax, points, order)) for order in range(3)]
    wide = _derivatives_figure(curves, title, phone=False)
    return figure_to_chart(wide, title, phone=_derivatives_figure(curves, title, phone=True))


def _derivatives_figure(curves: Sequence[Curve], title: str, *, phone: bool) -> Figure:
    fig = Figure(figsize=(PHONE_WIDTH_IN, 6.6) if phone else (10, 3.2))
    axes = fig.subplots(3, 1, sharex=True) if phone else fig.subplots(1, 3, sharex=True)
    for order, (ax, curve) in enumerate(zip(axes, curves, strict=True)):
        s = curve.series[0]
        ax.plot(curve.x, s.y, color=PALETTE[order], lw=1.5)
        _mark_conventions(ax, curve.x, s.y, s.by_convention_x, PALETTE[order])
        ax.axhline(0, color="#999", lw=0.6)
        ax.axvline(0, color="#999", lw=0.6)
        if phone:
            ax.set_ylabel(PRIME[order])
        else:
            ax.set_title(PRIME[order], fontsize=10)
            ax.set_xlabel("x")
    if phone:
        axes[-1].set_xlabel("x")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def errors_chart(errors: Sequence[ApproximationError], title: str, log_scale: bool = False) -> str:
    """Error curves (function − reference), each with its worst points marked."""
    fig = Figure(figsize=(8, 3.8))
    ax = fig.subplots()
    for i, e in enumerate(errors):
        assert e.x is not None and e.error is not None
        color = PALETTE[(i + 1) % len(PALETTE)]
        y = np.abs(e.error) if log_scale else e.error
        ax.plot(e.x, y, color=color, lw=1.3, label=f"{e.spec.function} − {e.spec.reference}")
        for wx in e.stats.worst_x:
            j = int(np.argmin(np.abs(e.x - wx)))
            ax.plot([wx], [y[j]], marker="o", color=color, ms=4)
            ax.annotate(f"{e.error[j]:+.4g} at x = {wx:.4g}", (wx, y[j]), fontsize=7, xytext=(4, 4),
                        textcoords="offset points", color=color)  # fmt: skip
    if log_scale:
        ax.set_yscale("log")
        ax.set_ylabel("|error|")
    else:
        ax.axhline(0, color="#999", lw=0.6)
        ax.set_ylabel("error")
    ax.set_xlabel("x")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return figure_to_chart(fig, title)


def surface_chart(surface: Surface, fmt: str = "page", contours: int = 12) -> str | bytes:
    """Heat map of f(a)·b (a raster inside the SVG, so a 401² grid stays small) with contour lines."""
    spec = surface.spec
    title = f"{spec.gate}: {surface.activation}(a)·b"
    fig = Figure(figsize=(6.4, 5.2))
    ax = fig.subplots()
    limit = float(np.max(np.abs(surface.z))) or 1.0
    image = ax.imshow(
        surface.z, origin="lower", extent=(spec.amin, spec.amax, spec.bmin, spec.bmax), aspect="auto",
        cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest",
    )  # fmt: skip
    lines = ax.contour(surface.a, surface.b, surface.z, levels=contours, colors="k", linewidths=0.5)
    ax.clabel(lines, fontsize=6, fmt="%.3g")
    fig.colorbar(image, ax=ax, label="f(a)·b")
    ax.set_xlabel("a (gate input)")
    ax.set_ylabel("b (linear input)")
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return _render(fig, title, fmt)


def curve_chart_bytes(curve: Curve, fmt: str) -> bytes:
    """The curve chart as a response body (SVG text encoded, PNG as it is)."""
    return _encoded(curve_chart(curve, fmt))


def surface_chart_bytes(surface: Surface, fmt: str) -> bytes:
    """The surface heat map as a response body (SVG text encoded, PNG as it is)."""
    return _encoded(surface_chart(surface, fmt))
