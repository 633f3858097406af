"""Which columns of the paper's result tables a question asks about, and a cell put in words: what it
measures, which way is better, and its rank among the variants.

Why a module of its own: every composer that reads the GLU-variants paper's tables (a value, a comparison,
a ranking, a claim about the best variant, a reference row) picks its columns and names its cells the same
way, so that choice lives in one place, apart from any one composer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from app.answers.facts import Cell, Facts
from app.answers.intents import Slots
from app.vocabulary import DENSE_VARIANT_OF, GATE_VARIANT_OF

ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth"]
COUNT_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
               "twelve"]


def describe(cell: Cell) -> str:
    if cell.table == 1:
        return f"held-out log-perplexity on C4 after {cell.steps:,} steps"
    suite = cell.benchmark.split("/", 1)[0].split(" (", 1)[0]
    suite = suite.split(" v", 1)[0] if suite.startswith("SQuAD") else suite
    if "/" in cell.benchmark:
        return f"{suite} {cell.column}"
    if cell.metric == "Score Average":
        return f"{suite} average"
    return f"{suite} {cell.metric}"


def direction(cell: Cell) -> str:
    return "higher is better" if cell.higher_is_better else "lower is better"


def variant_list(slots: Slots) -> list[str]:
    out = list(slots.variants)
    for variant in [*map(DENSE_VARIANT_OF.get, slots.activations), *map(GATE_VARIANT_OF.get, slots.gates)]:
        if variant and variant not in out:
            out.append(variant)
    return out


def headline_columns(facts: Facts) -> list[tuple[str, str, int]]:
    """Perplexity at both lengths, then the GLUE/SuperGLUE averages and SQuAD EM/F1."""
    seen: list[tuple[str, str, int]] = []
    for c in facts.cells:
        if c.is_reference:
            continue
        key = (c.benchmark, c.metric, c.steps)
        if key in seen:
            continue
        if c.table == 1 or c.metric == "Score Average" or c.table == 4:
            seen.append(key)
    return seen


def select_columns(facts: Facts, slots: Slots) -> tuple[list[tuple[str, str, int]], str | None]:
    """The table columns a question is about, and a note when part of the request matched nothing."""
    all_columns = list(dict.fromkeys((c.benchmark, c.metric, c.steps) for c in facts.cells if not c.is_reference))
    note = None
    if not (slots.benchmarks or slots.metrics or slots.steps):
        return headline_columns(facts), None
    cols = all_columns
    if slots.benchmarks:
        benches = _disambiguated(list(slots.benchmarks), list(slots.metrics))
        cols = [c for c in cols if c[0] in benches]
    elif slots.steps and not slots.metrics:
        cols = [c for c in cols if c[1] == "log-perplexity"]
    if slots.metrics:
        # "reglu: cola, sst-2, mrpc f1": the metric narrows the benchmarks that report it, not the others
        reporting = {c[0] for c in cols if c[1] in slots.metrics}
        narrowed = [c for c in cols if c[1] in slots.metrics or (slots.benchmarks and c[0] not in reporting)]
        if narrowed:
            cols = narrowed
        elif slots.benchmarks:
            note = "That metric is not reported for this benchmark; these are the metrics the paper reports."
        if not slots.benchmarks and narrowed:
            cols = narrowed
    if slots.steps:
        narrowed = [c for c in cols if c[2] in slots.steps]
        if narrowed:
            cols = narrowed
        else:
            note = ("The paper reports these benchmarks only for the fully pre-trained models, so the values below "
                    "are after full pre-training.")
    return cols, note


def _disambiguated(benchmarks: list[str], metrics: list[str]) -> list[str]:
    """'geglu rte (superglue)', 'superglue boolq': a suite named beside one of its tasks picks that task (of
    that suite, where the task name is ambiguous) and is not asked for its own average, unless the question
    names the average too."""
    suites = {b for b in benchmarks if "/" not in b}
    tasks = [b for b in benchmarks if "/" in b]
    chosen = [t for t in tasks if t.split("/", 1)[0] in suites]
    if not chosen:
        return benchmarks
    suffixes = {t.split("/", 1)[1] for t in chosen}
    kept = [t for t in tasks if t in chosen or t.split("/", 1)[1] not in suffixes]
    averaged = [s for s in suites if "Score Average" in metrics or not any(t.startswith(s + "/") for t in chosen)]
    return [b for b in benchmarks if b in kept or b in averaged]


#: "which other variants got exactly that", "anyone tied with it?", "who else has the same score".
TIES_ASKED = re.compile(r"\btie[ds]?\b|\btying\b|\bsame (?:score|value|number|result|cell|figure)\b|"
                        r"\bexactly (?:that|this|the same)\b|\b(?:got|have|has|share[sd]?|match(?:es|ed)?) (?:that|it|"
                        r"this)(?: too| as well)?\b|\bwho else\b", re.IGNORECASE)


def rank_words(facts: Facts, cell: Cell, ties_asked: bool = False) -> str:
    column = facts.column_cells(cell.benchmark, cell.metric, cell.steps)
    mine = Decimal(cell.value_text)
    better = sum(1 for c in column if (Decimal(c.value_text) > mine if cell.higher_is_better
                                       else Decimal(c.value_text) < mine))
    tied = [c.row for c in column if Decimal(c.value_text) == mine and c.row != cell.row]
    total = COUNT_WORDS[len(column)] if len(column) < len(COUNT_WORDS) else "all"
    # "(tied with FFN_ReLU and FFN_Bilinear)": which rows share the value, so "which others got that" is answered
    ties = f" (tied with {' and '.join(tied)})" if 0 < len(tied) <= 3 else (" (tied)" if tied else "")
    if ties_asked and not tied:
        ties = f" (no other variant has exactly {cell.value_text})"
    if better == 0:
        word = "highest" if cell.higher_is_better else "lowest"
        return f"the {word} of the {total} variants" + ties
    return f"{ORDINALS[better]} of the {total} variants" + ties


def columns_with_variant(
    facts: Facts, variant: str, columns: list[tuple[str, str, int]]
) -> Iterator[tuple[list[Cell], Cell]]:
    """Each of ``columns`` that has a cell of ``variant``: its variant cells and that cell (the loop every
    per-column answer about one variant starts with)."""
    for column in columns:
        cells = facts.column_cells(*column)
        own = next((c for c in cells if c.variant == variant), None)
        if own is not None:
            yield cells, own
