"""Claims that gated FFN variants are smaller (or larger) than the dense ones in Narang et al.'s comparison.

Why a module of its own: the claim is about parameter counts, which that paper prints in its own column
(Params) and states in its setup (gated variants at d_ff 2048, dense ones at 3072), so it is decided by those
stored cells rather than by the sizing rules or by the GLU-variants paper's explanation of the 2/3 rule.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder

PAPER_ID = "narang-2021"
#: "so those models are smaller", "the gated ones have fewer params", "are the glu variants bigger".
SIZE_CLAIM = re.compile(r"\b(?:smaller|bigger|larger|heavier|lighter|cheaper)\b|\b(?:fewer|more|less)\s+"
                        r"(?:params?|parameters|weights)\b|\bparam(?:eter)?s?\s+(?:count\s+)?(?:differ|match)")
GATED_WORDS = re.compile(r"\bgated\b|\bglus?\b|\bgeglu\b|\bswiglu\b|\breglu\b|\bliglu\b|\bglu variants?\b")
DENSE_WORDS = re.compile(r"\bvanilla\b|\bdense\b|\bungated\b|\bnon-gated\b|\brelu\b|\bbaseline\b|\bplain\b|\b3072\b")
NARANG = re.compile(r"\bnarang\b")


def detect(text: str) -> dict[str, Any] | None:
    """The claim's direction ('smaller' or 'larger') when the question sets Narang et al.'s gated variants'
    size against the dense ones', or None."""
    claim = SIZE_CLAIM.search(text)
    if claim is None or not (NARANG.search(text) and GATED_WORDS.search(text) and DENSE_WORDS.search(text)):
        return None
    larger = re.search(r"bigger|larger|heavier|more", claim.group(0)) is not None
    return {"what": "param_claim", "larger": larger}


def compose(b: Builder, larger: bool = False) -> None:
    """No (or yes) from the Params column: every activation row's count beside the setup's d_ff rule."""
    cells = [c for c in b.facts.side_cells if c.paper == PAPER_ID and c.column == "Params"]
    if not cells:
        b.add("Narang et al.'s parameter counts are not in the stored evidence.")
        return
    gated = [c for c in cells if (b.facts.variants.get(c.variant or "") or {}).get("gated")]
    dense = [c for c in cells if c not in gated]
    for c in cells:
        b.cite(c.citation())
    same = len({c.value_text for c in cells}) == 1
    which = "larger" if larger else "smaller"
    lead = (f"No: in Narang et al.'s Table 1 the gated variants are not {which}: every activation row, gated or "
            f"not, has **{cells[0].value_text}** parameters." if same else
            "Not uniformly: the Params column of Narang et al.'s Table 1 differs between rows.")
    b.add(lead)
    lines = [f"- {c.row}: {c.value_text}" for c in [*dense[:1], *gated]]
    b.add("\n".join(lines))
    fact = b.facts.paper_fact(PAPER_ID, "d_ff")
    if fact is not None:
        b.cite(fact)
        b.add(f"Setup ({fact['location']}): d_ff {fact['value']}. The narrower gated width makes up for the gated "
              "layer's third matrix, so the totals match.")
