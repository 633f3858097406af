"""What every chart shares: matplotlib set up once, the palette, SVG/PNG output and the render lock.

Charts are drawn server-side as SVG text to inline in pages (no JavaScript, works offline). Each chart
module (``app.plots.papers``, ``app.plots.activations``, ...) caches its renders on their input data, so a
chart is drawn once per dataset revision and process.
"""

from __future__ import annotations

import io
import textwrap
import threading
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Text

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


# The phone rendering of a page's chart: drawn PHONE_WIDTH_IN wide (about 330 CSS px, a 390 px phone's
# column) and shown at that drawn size, so a point of font is 4/3 CSS px; every text gets at least
# PHONE_MIN_FONT_PT (11 CSS px). PHONE_MAX_HEIGHT_IN keeps a stack of panels on one screen or so.
PHONE_WIDTH_IN = 3.4
PHONE_MIN_FONT_PT = 8.5
PHONE_MAX_HEIGHT_IN = 6.0
PHONE_TITLE_CHARS = 40  # longer titles wrap on a phone


def figure_to_chart(fig: Figure, title: str, phone: Figure | None = None) -> str:
    """The chart as a page shows it: the drawn SVG for wide screens and a phone rendering, one of which the
    stylesheet hides (``.chart-wide`` / ``.chart-narrow``); shrinking the wide drawing to a phone's width
    would print its labels at 4-6 px. The phone rendering is ``phone`` when the chart draws one of its own
    (panels stacked rather than side by side), else the same figure made narrow; either way no text is
    under 11 CSS px and long titles wrap."""
    wide = _svg(fig, title, "chart-wide")
    if phone is None:
        phone = fig
        width, height = fig.get_size_inches()
        fig.set_size_inches(PHONE_WIDTH_IN, min(PHONE_MAX_HEIGHT_IN, max(2.8, height * PHONE_WIDTH_IN / width * 1.5)))
    else:
        plt.close(fig)
    for text in phone.findobj(Text):
        if float(text.get_fontsize()) < PHONE_MIN_FONT_PT:
            text.set_fontsize(PHONE_MIN_FONT_PT)
    # The title Text objects themselves (set_title would reset their size): matplotlib keeps them as
    # attributes without a public getter of the object.
    axis_titles = ("title", "_left_title", "_right_title")
    owners = [(phone, "_suptitle"), *((ax, name) for ax in phone.axes for name in axis_titles)]
    for owner, name in owners:
        title_text = getattr(owner, name, None)
        if isinstance(title_text, Text) and len(title_text.get_text()) > PHONE_TITLE_CHARS:
            title_text.set_text(textwrap.fill(title_text.get_text(), PHONE_TITLE_CHARS, break_on_hyphens=False))
    with warnings.catch_warnings():  # a crowded phone layout is drawn as well as it fits
        warnings.simplefilter("ignore", UserWarning)
        phone.tight_layout()
    narrow = _svg(phone, title, "chart-narrow")
    plt.close(phone)
    return wide + narrow


def _svg(fig: Figure, title: str, css_class: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Title": title, "Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.find("<svg") :]
    return svg.replace("<svg ", f'<svg class="{css_class}" role="img" aria-label="{title}" ', 1)


def figure_to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
