"""Two variants side by side in the published tables: the difference, who is better, whether it is noise.

Numbers are subtracted as decimals built from the printed text (1.942 − 1.944 is −0.002), and a
difference is read against the run-to-run spread the paper reports (``app.spread`` holds the rule).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.orm import PaperTable, Result
from app.papers import resolve_paper, resolve_variant, results_query, source_of
from app.spread import NO_SPREAD, WITHIN_NOISE, combined_spread, noise_reading


def _spread(a: Result, b: Result, reference_stddev: dict[tuple[str, str, int], Result]) -> tuple[
    Decimal | None, str
]:
    """The run-to-run spread of a difference between two single runs, from what the paper reports.

    Table 1's 65,536-step column gives a spread per variant; Tables 2–4 give one inter-run stddev per
    metric (Raffel et al.'s). Two independent runs with spreads s_a and s_b differ by a spread of
    sqrt(s_a² + s_b²), which is what a difference has to exceed before it means anything.
    """
    if a.stddev_text and b.stddev_text:
        spread = combined_spread(Decimal(a.stddev_text), Decimal(b.stddev_text))
        return spread, "the paper's run-to-run spread of each variant in this column"
    ref = reference_stddev.get((a.benchmark, a.metric, a.training_steps))
    if ref is not None and ref.stddev_text:
        s = Decimal(ref.stddev_text)
        return combined_spread(s, s), "the inter-run stddev of Raffel et al. (2019) for this metric"
    return None, NO_SPREAD


def compare(session: Session, a: str, b: str, paper: str | None = None) -> dict[str, Any]:
    """Both variants' values per benchmark and metric, the difference, who is better, and the noise."""
    name_a, name_b = resolve_variant(session, a, "a"), resolve_variant(session, b, "b")
    stmt = results_query().join(Result.table)
    if paper is not None:
        stmt = stmt.where(PaperTable.paper_id == resolve_paper(session, paper).id)
    results = list(session.scalars(stmt.order_by(PaperTable.number, Result.column_position)))
    by_cell: dict[tuple[str, str, int], dict[str, Result]] = defaultdict(dict)
    reference_stddev: dict[tuple[str, str, int], Result] = {}
    for r in results:
        cell = (r.benchmark, r.metric, r.training_steps)
        if r.is_reference:
            reference_stddev[cell] = r
        elif r.variant_name in (name_a, name_b):
            by_cell[cell][r.variant_name] = r
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
        items.append(
            {
                "benchmark": cell[0],
                "metric": cell[1],
                "training_steps": cell[2],
                "higher_is_better": ra.higher_is_better,
                "a": {"variant": name_a, "value": ra.value, "value_text": ra.value_text,
                      "stddev": ra.stddev, "source": source_of(ra)},
                "b": {"variant": name_b, "value": rb.value, "value_text": rb.value_text,
                      "stddev": rb.stddev, "source": source_of(rb)},
                "difference": float(diff),
                "difference_text": _signed(diff),
                "better": better,
                "spread": None if spread is None else _round_like(spread, ra.value_text),
                "spread_source": spread_source,
                "noise": noise,
                "verdict": _verdict(better, noise),
            }
        )
    wins = {name_a: 0, name_b: 0, "tie": 0}
    for item in items:
        wins[str(item["better"])] += 1
    return {"a": name_a, "b": name_b, "items": items, "wins": wins}


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
