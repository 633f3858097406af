"""Two variants side by side in the published tables: the difference, who is better, whether it is noise.

Numbers are subtracted as decimals built from the printed text (1.942 − 1.944 is −0.002), and a
difference is read against the run-to-run spread the paper reports (``app.spread`` holds the rule).

A comparison is always within one paper (the named one, else the first stored): two papers' cells come
from different baselines and are never set against each other. Single-source cells are left out unless
asked for; then each item that uses one says so.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.orm import PaperTable, Result
from app.papers import paper_scope, ranked, resolve_variant, results_query, source_of
from app.spread import NO_SPREAD, WITHIN_NOISE, combined_spread, noise_reading


def _spread(a: Result, b: Result, reference_stddev: dict[tuple[str, str, int | None], Result]) -> tuple[
    Decimal | None, str
]:
    """The run-to-run spread of a difference between two single runs, from what the paper reports.

    A column may give a spread per row (a stddev next to each value), or the table may carry a reference
    row whose stddev is the inter-run spread of the metric. Two independent runs with spreads s_a and
    s_b differ by a spread of sqrt(s_a² + s_b²), which is what a difference has to exceed before it means anything.
    """
    if a.stddev_text and b.stddev_text:
        spread = combined_spread(Decimal(a.stddev_text), Decimal(b.stddev_text))
        return spread, "the paper's run-to-run spread of each variant in this column"
    ref = reference_stddev.get((a.benchmark, a.metric, a.training_steps))
    if ref is not None and ref.stddev_text:
        s = Decimal(ref.stddev_text)
        described = ref.table.reference_spread_source or f"the inter-run stddev of {ref.row_label} for this metric"
        return combined_spread(s, s), described
    return None, NO_SPREAD


def compare(
    session: Session, a: str, b: str, paper: str | None = None, include_single_source: bool = False
) -> dict[str, Any]:
    """Both variants' values per benchmark and metric, the difference, who is better, and the noise."""
    name_a, name_b = resolve_variant(session, a, "a"), resolve_variant(session, b, "b")
    paper_id = paper_scope(session, paper)
    stmt = results_query().join(Result.table).where(PaperTable.paper_id == paper_id)
    results = list(session.scalars(stmt.order_by(PaperTable.number, Result.column_position)))
    by_cell: dict[tuple[int, str, str, int | None], dict[str, Result]] = defaultdict(dict)
    reference_stddev: dict[tuple[str, str, int | None], Result] = {}
    for r in results:
        if r.is_reference:
            reference_stddev[(r.benchmark, r.metric, r.training_steps)] = r
        elif r.variant_name in (name_a, name_b) and ranked(r, include_single_source):
            by_cell[(r.table.number, r.benchmark, r.metric, r.training_steps)][r.variant_name] = r
    items = []
    for cell, pair in by_cell.items():
        if name_a not in pair or name_b not in pair:
            continue
        ra, rb = pair[name_a], pair[name_b]
        va, vb = Decimal(ra.value_text), Decimal(rb.value_text)
        diff = va - vb
        if diff == 0:
            better = "tie"
        else:
            a_wins = (diff > 0) == ra.higher_is_better
            better = name_a if a_wins else name_b
        spread, spread_source = _spread(ra, rb, reference_stddev)
        noise = noise_reading(diff, spread)
        single_source = "single-source" in (ra.verification, rb.verification)
        verdict = _verdict(better, noise)
        items.append(
            {
                "table": cell[0],
                "benchmark": cell[1],
                "metric": cell[2],
                "training_steps": cell[3],
                "higher_is_better": ra.higher_is_better,
                "a": _side(name_a, ra),
                "b": _side(name_b, rb),
                "difference": float(diff),
                "difference_text": _signed(diff),
                "better": better,
                "spread": None if spread is None else _round_like(spread, ra.value_text),
                "spread_source": spread_source,
                "noise": noise,
                "verdict": f"{verdict} (single-source cell)" if single_source else verdict,
                "single_source": single_source,
            }
        )
    wins = {name_a: 0, name_b: 0, "tie": 0}
    for item in items:
        wins[str(item["better"])] += 1
    return {"a": name_a, "b": name_b, "paper": paper_id, "items": items, "wins": wins}


def _side(variant: str, r: Result) -> dict[str, Any]:
    return {
        "variant": variant, "row_label": r.row_label, "value": r.value, "value_text": r.value_text,
        "stddev": r.stddev, "verification": r.verification, "source": source_of(r),
    }


def _verdict(better: str, noise: str) -> str:
    if better == "tie":
        return "tie"
    if noise == WITHIN_NOISE:
        return f"{better} ahead, within noise"
    if noise == NO_SPREAD:
        return f"{better} ahead; {NO_SPREAD}"
    return f"{better} better"


def _signed(value: Decimal) -> str:
    text = format(value, "f")
    return text if text.startswith("-") or value == 0 else f"+{text}"


def _round_like(value: Decimal, like_text: str) -> float:
    """A derived spread shown with one more decimal than the printed values it comes from."""
    decimals = len(like_text.split(".", 1)[1]) + 1 if "." in like_text else 1
    return float(round(value, decimals))
