"""Charts that a thread post carries as an attachment: an activation curve or an approximation's error.

Each chart is drawn once per process and kept as its SVG string in the module cache ``attachments``
(app/cache_memory.py): at most 128 of them, counted in bytes (tens of kilobytes each) in the process's cache
budget, ``ACTLAB_RESPONSE_CACHE_MAX_BYTES``, and on /metrics as ``actlab_response_cache_bytes{cache="attachments"}``.
"""

from __future__ import annotations

from app.activations.approximation import ErrorSpec, compute_error
from app.activations.curves import CurveSpec, compute_curve
from app.cache_memory import memoized
from app.plots import activations as plots_activations

#: Attachment charts kept per process (the bytes bound them too).
MAX_CHARTS = 128


@memoized("attachments", MAX_CHARTS)
def curve_svg(functions: tuple[str, ...], xmin: float, xmax: float, error_of: str | None) -> str:
    """An activation curve (or an approximation's error curve) as inline SVG, drawn once per process."""
    if error_of:
        error = compute_error(
            ErrorSpec(functions[0], error_of, xmin, xmax, 2001, include_curve=True)
        )
        return plots_activations.errors_chart([error], f"{functions[0]} − {error_of} on [{xmin:g}, {xmax:g}]")
    curve = compute_curve(CurveSpec(functions, xmin, xmax, 801))
    chart = plots_activations.curve_chart(curve, "page")
    return chart if isinstance(chart, str) else chart.decode()
