"""Differences the table's cells do not print, as the gap operation of app.answers.derived.

Why its own module: best minus worst of a column, one variant's distance to the best, a difference
relative to a cell in per cent, each variant's change from the short to the full run, the gated group set
against the dense one and two pasted cells are arithmetic over cited cells, not an ordering of them; the
detection (:func:`detect_gap`) and the composers are read together, apart from the rankings.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers.builder import Builder
from app.answers.column_spread import SPREAD_WORDS
from app.answers.entities import Entities
from app.answers.facts import Facts, paper_citation
from app.answers.intents import Slots
from app.answers.table_columns import columns_with_variant
from app.answers.tables import COUNT_WORDS, describe, direction, rank_words, select_columns
from app.answers.variant_groups import DENSE_ONLY, GATED_ONLY, _group

#: "the gap between the best and worst ffn on squad f1", "range of glue averages", "top-to-bottom spread".
RANGE_WORDS = re.compile(
    r"\b(?:gap|difference|diff|spread|distance|delta|margin|range)\s+(?:between|from)\s+(?:the\s+)?"
    r"(?:[\w\s'-]{0,40}?\bof (?:the )?)?"
    r"(?:best|top|highest|first|strongest)\b.{0,40}\b(?:worst|bottom|lowest|last|weakest)\b|"
    r"\b(?:best|top|highest|max(?:imum)?)\s+(?:minus|-|−|vs\.?|to|and)\s+(?:the\s+)?"
    r"(?:worst|bottom|lowest|min(?:imum)?)\b.{0,30}\b(?:gap|difference|diff|spread|distance|delta|margin|range)\b|"
    r"\b(?:best|top|max(?:imum)?)\s+minus\s+(?:the\s+)?(?:worst|bottom|min(?:imum)?)\b|"
    r"\brange of\b|\btop[- ]to[- ]bottom\b|\b(?:spread|range|gap)\s+(?:across|among|over)\s+(?:the\s+|all\s+)?"
    r"(?:\d+\s+|eight\s+)?(?:variants|ffns|activations)\b|\bhow (?:far|much) apart are (?:the )?(?:best|top)\b|"
    r"\bhow (?:wide|big|large) (?:is )?the (?:range|gap|spread) (?:of|on|in|across)\b")
#: "which variant improves the most from 65k to full training": the row whose two cells differ the most.
MOST_CHANGE = re.compile(r"\b(?:improves?|improved|drops?|dropped|falls?|fell|gains?|gained|changes?|changed|"
                         r"decreases?|decreased|shrinks?|moves?|benefits?)\b.{0,15}\b(?:the )?(?:most|least)\b|"
                         r"\b(?:biggest|largest|smallest|least|most) (?:drop|improvement|gain|change|decrease|"
                         r"benefit)\b")
LEAST_CHANGE = re.compile(r"\bleast\b|\bsmallest\b")
#: "relative improvement in %", "how many percent better", "as a percentage": a difference relative to a cell.
RELATIVE_WORDS = re.compile(r"%|\bper ?cent\b|\bpercentage\b|\brelative(?:ly)?\b(?!\s*(?:attention|position))|"
                            r"\bin relative terms\b")
_OTHER_PAPER_NAMED = re.compile(r"\bnarang\b|\btransformer modifications\b")
#: "do all the gated variants beat all the ungated ones", "is every gated variant better than relu on superglue",
#: "best dense vs worst gated": the gated group set against the dense group (or one dense variant).
GROUPS_SET_AGAINST = re.compile(
    r"\b(?:all|every|each|any)(?: of)?(?: the)? (?:gated|glu)\b.{0,50}\b(?:beat|better|worse|than|over|vs\.?|"
    r"outperform\w*|win)\b|\bgated\b.{0,40}\b(?:vs\.?|versus|against|or|than|beat\w*)\s+(?:the\s+)?(?:all\s+)?(?:the\s+)?"
    r"(?:dense|ungated|non-gated)\b|\b(?:dense|ungated|non-gated)\b.{0,40}\b(?:vs\.?|versus|against|or|than)\s+"
    r"(?:the\s+)?(?:\w+\s+)?gated\b|\bdo the gated ones win\b|"
    r"\bgated (?:variants?|ones|ffns?|layers?) (?:always |all )?(?:win|beat\w*|are better|do better|outperform\w*)\b")
#: Sizes and costs are not table cells: "what % more params does swiglu have than relu" is not a gap of cells.
NOT_A_CELL = re.compile(r"\bparam|\bweights\b|\bflops\b|\bmatri(?:x|ces)\b|\bmemory\b|\bd_ff\b|\bwidth\b")
#: "how far behind the best is swish", "bilinear's gap to the top", "how far is x from the leader".
TO_THE_BEST = re.compile(r"\b(?:behind|from|to|off|short of|below|trails?|trailing)\s+(?:the\s+)?"
                         r"(?:best|top|leader|winner|first|first place|top spot|number one)\b|"
                         r"\bbehind the (?:best|top|leader|winner)\b")


#: "does shazeer explain why gated ffns are better", "any reason given for why gating wins": a question about
#: the paper's explanation of a result, not for the difference between its cells.
ASKS_REASON = re.compile(r"\b(?:explain|explanation|reason|theory|account)\w*\b.{0,40}\bwhy\b|"
                         r"\b(?:give|gives|gave|offer|offers|offered|has|have|had|any)\s+(?:a |an |any )?"
                         r"(?:reason|explanation|theory)\b", re.IGNORECASE)


def detect_gap(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """A difference the table's cells do not print: between the best and the worst variant of a column, or
    between two variants relative to the second (in per cent). None for anything else."""
    if _OTHER_PAPER_NAMED.search(text) or entities.models or NOT_A_CELL.search(text) or ASKS_REASON.search(text):
        return None
    if [n for n in entities.numbers if not (n == int(n) and 0 < n <= 12)]:  # "the 8 variants" is a count
        return _pasted_cells(text, entities, facts)
    columns, _ = select_columns(facts, Slots(benchmarks=list(entities.benchmarks), metrics=list(entities.metrics),
                                             steps=list(entities.steps)))
    if RANGE_WORDS.search(text) and (entities.benchmarks or entities.metrics or entities.steps):
        group = "gated" if GATED_ONLY.search(text) else "dense" if DENSE_ONLY.search(text) else ""
        return {"what": "range", "columns": [list(c) for c in columns[:4]], "group": group}
    variants = entities.variant_like()
    lengths = sorted({c.steps for c in facts.cells if c.table == 1})
    if MOST_CHANGE.search(text) and not variants and (len(entities.steps) == 2 or CHANGE_OVER_LENGTHS.search(text)):
        return {"what": "change", "steps": lengths, "least": bool(LEAST_CHANGE.search(text))}
    two = _two_columns(text, entities, facts, variants)
    if two is not None:
        return two
    if GROUPS_SET_AGAINST.search(text) and len(variants) <= 1:
        return {"what": "groups", "columns": [list(c) for c in columns[:4]], "variants": variants}
    if TO_THE_BEST.search(text) and len(variants) == 1:
        return {"what": "to_best", "columns": [list(c) for c in columns[:4]], "variants": variants}
    if RELATIVE_WORDS.search(text) and len(variants) >= 2:
        return {"what": "relative", "columns": [list(c) for c in columns[:6]], "variants": variants[:2]}
    return None


#: "how much did it drop", "what's the gap": the difference of two cells the question pastes.
PASTED_GAP = re.compile(r"\bhow (?:much|far)\b|\bgap\b|\bdifference\b|\bdelta\b|\bdiff\b|\bminus\b|\bdrop(?:ped)?\b|"
                        r"\bimprove(?:d|ment)?\b|\bchange[ds]?\b")


def _two_columns(text: str, entities: Entities, facts: Facts, variants: list[str]) -> dict[str, Any] | None:
    """'cb f1 minus cb acc for reglu': two downstream columns of one variant and their difference, in the order
    the question names them (a change over training length is left to the length answers)."""
    if len(variants) != 1 or not PASTED_GAP.search(text) or SPREAD_WORDS.search(text):
        return None
    named = entities.metrics if len(entities.metrics) == 2 else entities.benchmarks
    if len(named) != 2:
        return None
    cells = []
    for name in named:
        found = [c for c in facts.by_variant.get(variants[0], []) if c.table != 1 and (
            c.metric == name if named is entities.metrics else c.benchmark == name) and (
            named is not entities.metrics or not entities.benchmarks or c.benchmark in entities.benchmarks)]
        if len(found) != 1:
            return None
        cells.append([found[0].table, found[0].row, found[0].column])
    return {"what": "cells", "cells": cells}


def _pasted_cells(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """'geglu: 1.942 (65k) vs 1.633 (full) - how much did it drop?': two numbers that are cells of the named
    variants (one cell each) and a question for their difference."""
    variants = entities.variant_like()
    if len(entities.numbers) != 2 or not variants or not PASTED_GAP.search(text) or YES_NO_CLAIM.search(text) or (
            SPREAD_WORDS.search(text)):  # "… real difference or noise?" asks for the spread
        return None
    found = []
    for number in entities.numbers:
        wanted = Decimal(repr(number))
        cells = [c for c in facts.cells if not c.is_reference and c.variant in variants
                 and Decimal(c.value_text) == wanted]
        if len(cells) != 1:
            return None
        found.append([cells[0].table, cells[0].row, cells[0].column])
    return {"what": "cells", "cells": found} if found[0] != found[1] else None


#: A stated gap to check ("is the gap 0.3?") is a claim, not a request for the difference.
YES_NO_CLAIM = re.compile(r"^\s*(?:is|are|was|does|did)\b|\bright\s*\?|\btrue\s*\?|\bcorrect\s*\?")


def compose_gap(b: Builder, inputs: dict[str, Any]) -> None:
    """Answer a :func:`detect_gap` operation: best minus worst, a relative difference, or two pasted cells."""
    if inputs.get("what") == "cells":
        _compose_pasted(b, inputs)
        return
    if inputs.get("what") == "change":
        _compose_change(b, [int(x) for x in inputs.get("steps", [])], bool(inputs.get("least")))
        return
    if inputs.get("what") == "groups":
        _compose_groups(b, _as_columns(inputs), [str(v) for v in inputs.get("variants", [])])
        return
    if inputs.get("what") == "to_best":
        _compose_to_best(b, str((inputs.get("variants") or [""])[0]), _as_columns(inputs))
        return
    if inputs.get("what") == "relative":
        _compose_relative(b, [str(v) for v in inputs.get("variants", [])], _as_columns(inputs))
    else:
        _compose_range(b, _as_columns(inputs), str(inputs.get("group") or ""))


#: "from 65k to full training", "between the short and the long run": the two perplexity lengths.
CHANGE_OVER_LENGTHS = re.compile(r"\b(?:from|between)\b.{0,20}\b(?:65k|65,?536|short)\b.{0,30}\b(?:full|524k|"
                                 r"524,?288|long|final|end)\b|"
                                 r"\b(?:with|from) (?:more|longer|full) (?:pre-?)?training\b")


def _compose_change(b: Builder, steps: list[int], least: bool) -> None:
    """Each variant's drop in log-perplexity from the short to the full run, largest first (or smallest)."""
    if len(steps) != 2:
        b.add("The paper reports perplexity at one length only.")
        return
    drops = []
    for variant in dict.fromkeys(c.variant for c in b.facts.cells if c.table == 1 and not c.is_reference):
        short = next((c for c in b.facts.cells if c.variant == variant and c.steps == steps[0] and c.table == 1), None)
        full = next((c for c in b.facts.cells if c.variant == variant and c.steps == steps[1] and c.table == 1), None)
        if short is not None and full is not None:
            drops.append((b.diff(short, full), short, full))
    if not drops:
        b.add("The paper reports no such pair of columns.")
        return
    b.cite(paper_citation(b.facts.main_paper()))
    drops.sort(key=lambda d: d[0], reverse=not least)
    top = drops[0]
    listed = ", ".join(f"{s.row} {d}" for d, s, _ in drops)
    b.add(f"{'Smallest' if least else 'Largest'} drop in held-out log-perplexity from {b.steps(top[1])} to "
          f"{b.steps(top[2])} steps in the GLU-variants paper: **{top[1].row}**, {b.value(top[1])} → "
          f"{b.value(top[2])} ({top[0]}). Every variant, {'smallest' if least else 'largest'} first: {listed}. "
          "The ranking after full training is what the paper compares; the drops differ by less than the "
          "short runs' spreads.")


def _compose_groups(b: Builder, columns: list[tuple[str, str, int]], named: list[str]) -> None:
    """Per column: the worst gated variant against the best dense one (or the one dense variant named), and
    whether every gated variant is ahead."""
    facts = b.facts
    gated = {v for v, row in facts.variants.items() if row.get("gated")}
    b.cite(paper_citation(facts.main_paper()))
    lines, verdicts = [], []
    for column in columns:
        cells = facts.column_cells(*column)
        ours = [c for c in cells if c.variant in gated]
        theirs = [c for c in cells if c.variant not in gated and (not named or c.variant in named)]
        if not ours or not theirs:
            continue
        key = (lambda c: Decimal(c.value_text)) if cells[0].higher_is_better else (lambda c: -Decimal(c.value_text))
        worst_gated, best_dense = min(ours, key=key), max(theirs, key=key)
        ahead = key(worst_gated) > key(best_dense)
        verdicts.append(ahead)
        which = best_dense.row if named else f"the best dense variant, {best_dense.row},"
        lines.append(f"- {describe(worst_gated)} ({direction(worst_gated)}): the worst gated variant, "
                     f"{worst_gated.row} {b.value(worst_gated)}, is {'ahead of' if ahead else 'not ahead of'} "
                     f"{which} {b.value(best_dense)} — so {'every' if ahead else 'not every'} gated variant beats "
                     f"{'it' if named else 'every dense one'}.")
    if not lines:
        b.add("The paper reports no such column for both groups.")
        return
    lead = "Yes. " if all(verdicts) else "No. " if not any(verdicts) else "Partly. "
    b.add(lead + "Gated (GLU-family) against dense variants in the GLU-variants paper (single runs; reference rows "
          "never compete):\n\n" + "\n".join(lines))


def _compose_to_best(b: Builder, variant: str, columns: list[tuple[str, str, int]]) -> None:
    """How far one variant is behind the best of each column (0 when it is the best)."""
    b.cite(paper_citation(b.facts.main_paper()))
    lines = []
    for cells, own in columns_with_variant(b.facts, variant, columns):
        best = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=own.higher_is_better)[0]
        if Decimal(best.value_text) == Decimal(own.value_text):
            lines.append(f"- {describe(own)} ({direction(own)}): **{variant}** is the best, at {b.value(own)}.")
            continue
        gap = abs(b.diff(best, own))
        lines.append(f"- {describe(own)} ({direction(own)}): {variant} {b.value(own)}, best {best.row} "
                     f"{b.value(best)} — **{format(gap, 'f')}** behind ({rank_words(b.facts, own)}).")
    if not lines:
        b.add(f"The paper reports no such column for {variant}.")
        return
    b.add(f"{variant} against the best variant of each column in the GLU-variants paper (reference rows never "
          "compete):\n\n" + "\n".join(lines))


def _compose_pasted(b: Builder, inputs: dict[str, Any]) -> None:
    """The two cells the question pasted, where each comes from, and their difference (first − second)."""
    cells = [b.facts.cell(int(t), str(r), str(c)) for t, r, c in inputs.get("cells", [])]
    shown = [c for c in cells if c is not None]
    if len(shown) != 2:
        b.add("Those numbers are not two cells of the stored tables.")
        return
    first, second = shown
    b.cite(paper_citation(b.facts.main_paper()))
    gap = b.diff(first, second)
    b.add(f"{b.value(first)} is {first.row}'s {describe(first)} and {b.value(second)} is {second.row}'s "
          f"{describe(second)} (Table {first.table}{'' if first.table == second.table else f', {second.table}'}); "
          f"{b.value(first)} − {b.value(second)} = **{gap}**.")


def _as_columns(inputs: dict[str, Any]) -> list[tuple[str, str, int]]:
    raw = inputs.get("columns")
    return [(str(c[0]), str(c[1]), int(c[2])) for c in raw] if isinstance(raw, list) else []


def _compose_range(b: Builder, columns: list[tuple[str, str, int]], group: str) -> None:
    """Best and worst variant of each column and the gap between them (computed from the printed cells)."""
    facts = b.facts
    keep = _group(facts, {"gated": "gated variants", "dense": "dense variants"}.get(group, ""))
    b.cite(paper_citation(facts.main_paper()))
    lines = []
    for column in columns:
        cells = facts.column_cells(*column)
        if keep is not None:
            cells = [c for c in cells if c in keep[1]]
        if len(cells) < 2:
            continue
        ordered = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=cells[0].higher_is_better)
        best, worst = ordered[0], ordered[-1]
        gap = abs(b.diff(best, worst))
        line = (f"- {describe(best)} ({direction(best)}): best **{best.row}** {b.value(best)}, worst "
                f"**{worst.row}** {b.value(worst)} — a gap of **{format(gap, 'f')}** across the "
                f"{COUNT_WORDS[len(cells)] if len(cells) < len(COUNT_WORDS) else len(cells)} variants")
        ref = facts.reference_cell(*column)
        if ref is not None and ref.stddev_text:
            b.cite(ref.citation())
            line += f" (Raffel et al.'s inter-run stddev for this metric: {ref.stddev_text})"
        lines.append(line + ".")
    if not lines:
        b.add("The paper reports no such column.")
        return
    which = f"the {keep[0]} variants" if keep is not None else "the variants"
    b.add(f"Best minus worst of {which} in the GLU-variants paper (reference rows never compete):\n\n"
          + "\n".join(lines))


def _compose_relative(b: Builder, variants: list[str], columns: list[tuple[str, str, int]]) -> None:
    """Two variants' cells, their difference and that difference relative to the second one's cell, in %."""
    facts = b.facts
    if len(variants) < 2:
        b.add("A relative difference needs two variants of the table.")
        return
    a, c = variants[0], variants[1]
    b.cite(paper_citation(facts.main_paper()))
    lines = []
    for column in columns:
        x = next((cell for cell in facts.column_cells(*column) if cell.variant == a), None)
        y = next((cell for cell in facts.column_cells(*column) if cell.variant == c), None)
        if x is None or y is None:
            continue
        d = b.diff(x, y)
        ratio = b.computed("arith", {"op": "div", "operands": [{"number": str(d)}, {"citation": y.citation()}]},
                           f"({a} − {c}) / {c}, {x.column}")["result"]
        pct = b.computed("arith", {"op": "mul", "operands": [{"number": str(ratio)}, {"number": 100}]},
                         f"relative difference in per cent, {x.column}")["result"]
        better = d == 0 or (d > 0) == x.higher_is_better
        word = ("higher" if d > 0 else "lower") if d != 0 else "equal"
        lines.append(f"- {describe(x)} ({direction(x)}): {a} {b.value(x)} vs {c} {b.value(y)}; the difference "
                     f"{format(abs(d), 'f')} is **{format(abs(pct).quantize(Decimal('0.01')), 'f')}%** of {c}'s "
                     f"value ({a} {word}, {'better' if better else 'worse'})."
                     if d != 0 else f"- {describe(x)}: both {b.value(x)}, no difference.")
    if not lines:
        b.add(f"The paper has no common column for {a} and {c} in what was asked.")
        return
    b.add(f"**{a} relative to {c}** in the GLU-variants paper (difference divided by {c}'s value):\n\n"
          + "\n".join(lines))
