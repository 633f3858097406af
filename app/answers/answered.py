"""The answered-the-question check: every operation of the plan got an answer or a specific decline, about
the entity it asked about, and a false premise was named.

Why beside the grounding check: grounding proves that each number is stored or computed, not that the
paragraph answers what was asked — the old failure was a confident answer to a *neighbouring* question
(another variant's numbers, C4 numbers for a WikiText question). This check reads what each operation
produced (:class:`~app.answers.execute.Span`) against what it asked for, and its verdict is stored in "how
this was answered"; an answer that fails it is logged, so the evaluation can count it.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import CAPABILITIES, Builder
from app.answers.execute import Span
from app.answers.plan import Operation, Plan

#: Wording of a specific decline (each names what the stored evidence lacks).
DECLINE = re.compile(
    r"not in the stored evidence|does not cover|does not report|not in the catalog|does not hold|"
    r"holds no|has no |not among|cannot say|does not say|is not stored|no stored|not stored|does not rank|"
    r"no variant|not one of|isn't in|is not in|does not use|not answer",
    re.IGNORECASE,
)
#: Kinds whose answer must be about the variants or models they name (a ranking lists them all).
ABOUT_NAMED = ("lookup", "compare", "verify", "difference", "catalog", "spread")


def check(plan: Plan, b: Builder, spans: list[Span], members: dict[str, set[str]] | None = None) -> dict[str, Any]:
    """The check's verdict per operation, and overall ``ok``; ``members`` maps a model group ('Gemma 1') to
    the catalog models and report families it stands for."""
    groups = members or {}
    results = [_check_one(i, op, b, span, groups)
               for i, (op, span) in enumerate(zip(plan.operations, spans, strict=True))]
    return {"ok": all(not r["problems"] for r in results), "operations": results}


def _check_one(index: int, op: Operation, b: Builder, span: Span, groups: dict[str, set[str]]) -> dict[str, Any]:
    text = "\n\n".join(b.parts[span.parts[0]:span.parts[1]])
    problems: list[str] = []
    if not text.strip():
        status = "missing"
        problems.append("no text answers this part")
    elif CAPABILITIES in text and op.kind not in ("decline", "help"):
        status = "declined"
        problems.append("only the general scope note, no specific answer or decline")
    elif op.kind == "decline" or (DECLINE.search(text) and not _has_values(b, span)):
        status = "declined"
    else:
        status = "answered"
    if status == "answered" and op.kind in ABOUT_NAMED:
        problems += _other_entity(op, b, span, groups)
    result: dict[str, Any] = {"index": index, "kind": op.kind, "method": op.method, "asked": op.asked,
                              "status": status, "problems": problems}
    if op.method == "decline" and op.inputs.get("what") == "premise":
        result["premise"] = f"the premise that {op.inputs.get('name')} is best is named as false"
    return result


def _has_values(b: Builder, span: Span) -> bool:
    """Whether the operation showed stored values or computations (then a 'not' sentence is a caveat)."""
    cited = b.citations[span.citations[0]:span.citations[1]]
    return any(c.get("kind") in ("result", "catalog", "architecture") for c in cited) or (
        span.computations[1] > span.computations[0])


def _other_entity(op: Operation, b: Builder, span: Span, groups: dict[str, set[str]]) -> list[str]:
    """A problem when every stored row the operation cites is about an entity it did not ask about."""
    cited = b.citations[span.citations[0]:span.citations[1]]
    problems = []
    variants = set(op.slots.variants)
    rows = {_variant_of(b, c) for c in cited if c.get("kind") == "result"}
    if variants and rows and not (rows & variants):
        problems.append(f"asked about {', '.join(sorted(variants))} but cites only {', '.join(sorted(rows))}")
    models = set(op.slots.models)
    models |= {member for m in op.slots.models for member in groups.get(m, set())}
    named = {str(c.get("model")) for c in cited if c.get("kind") == "catalog"}
    named |= {str(c.get("family")) for c in cited if c.get("kind") == "architecture"}
    if models and named and not (named & models) and not any(_same_model(m, n) for m in models for n in named):
        problems.append(f"asked about {', '.join(sorted(models))} but cites only {', '.join(sorted(named))}")
    return problems


def _variant_of(b: Builder, citation: dict[str, Any]) -> str:
    """The variant a cited cell is about (another paper's row label maps to the variant it stands for)."""
    key = (int(citation.get("table", -1)), str(citation.get("row")), str(citation.get("column")))
    cell = b.facts.side_cell(str(citation.get("paper")), *key) if citation.get("paper") else None
    cell = cell or b.facts.cell(*key)
    return str(cell.variant if cell is not None and cell.variant else citation.get("row"))


def _same_model(asked: str, cited: str) -> bool:
    """A model family cited for one of its sizes ('Gemma 2' for 'Gemma 2 9B') is the model asked about."""
    a, c = asked.casefold(), cited.casefold()
    return a.startswith(c) or c.startswith(a)
