"""The charts of the paper and the model catalog pages: a paper table as bars, activations by release year
(drawn as SVG text by :mod:`app.plots.bars_svg`, in about a millisecond)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.cache_memory import memoized
from app.plots.bars_svg import BarPanel, panels_chart, stacked_years_chart


def table_chart(table: dict[str, Any], gated_by_name: dict[str, bool]) -> str:
    """A paper table (a ``paper_tables.paper_table`` document) as the bar panels its page shows.

    One panel per column whose metric the table's ``chart_metrics`` lists; a panel holds the rows that
    compete in that column (numeric, not single-source), with the printed spread as error bars.
    """
    wanted = set(table["chart_metrics"])
    panels = []
    for i, column in enumerate(table["columns"]):
        if column["metric"] not in wanted:
            continue
        rows = [r for r in table["rows"] if r["cells"][i] is not None and r["cells"][i]["value"] is not None
                and r["cells"][i]["verification"] != "single-source"]
        cells = [r["cells"][i] for r in rows]
        spreads = tuple(c["stddev"] for c in cells)
        note = "± run-to-run spread" if any(x is not None for x in spreads) else "no spread reported"
        panels.append(
            BarPanel(
                f"{column['label']} ({note})",
                f"{column['metric']} ({'higher' if column['higher_is_better'] else 'lower'} is better)",
                tuple(r["label"] for r in rows),
                tuple(bool(r["variant"] and gated_by_name.get(r["variant"], False)) for r in rows),
                tuple(c["value"] for c in cells),
                spreads,
                tuple(c["value_text"] for c in cells),
            )
        )
    return bars_svg(tuple(panels), f"{table['title']} ({table['source']})")


@memoized("paper-charts", 32)  # two SVGs (wide and phone) each: counted in bytes
def bars_svg(panels: tuple[BarPanel, ...], title: str) -> str:
    """Bar panels side by side, each on its own axis, spreads as error bars, values labelled as printed;
    on a phone the panels stack, one above the other."""
    return panels_chart(panels, title)


def activations_by_year_chart(counts: dict[int, Counter[str]]) -> str:
    """The catalog page's chart from ``catalog.activation_choices_by_year``: models per year and activation."""
    return activations_by_year_svg(tuple((year, tuple(sorted(c.items()))) for year, c in counts.items()))


@memoized("catalog-charts", 16)
def activations_by_year_svg(counts: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]) -> str:
    """Stacked bars: how many catalog models of each year use each FFN activation; on a phone the years
    stand upright."""
    return stacked_years_chart(counts, "FFN activation of the catalog's models, by release year")
