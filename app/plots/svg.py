"""What every chart shares: matplotlib set up once, the palette, SVG/PNG output and the render lock.

Charts are drawn server-side as SVG text to inline in pages (no JavaScript, works offline). Each chart
module (``app.plots.papers``, ``app.plots.activations``, ...) caches its renders on their input data, so a
chart is drawn once per dataset revision and process.
"""

from __future__ import annotations

import io
import threading

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "actlab",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
render_lock = threading.Lock()  # pyplot state is global; one figure at a time per process

PALETTE = ["#3b6ea8", "#c8553d", "#5b9a68", "#8c6bb1", "#d4a72c", "#4d9fb0", "#b05b8c", "#7a7a7a"]


def figure_to_svg(fig: Figure, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Title": title, "Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    start = svg.find("<svg")
    svg = svg[start:]
    return svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)


def figure_to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
