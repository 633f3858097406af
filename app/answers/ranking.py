"""Orderings of a result column and the run-to-run spread of its cells, as operations of app.answers.routing.

Why separate from ``tables.compose_best``: "best X" wants one winner, but "rank the variants by X", "top 3
by X" and "which gated variant is worst" want an ordered list, cut to N or to one group (gated or dense),
and the best-per-column template answered them with a single winner. Questions about the noise of a column
("CoLA stddev", "ReLU's run-to-run variability", "is ReGLU's SQuAD lead over GEGLU significant") were read
as "who is best" or sent to retrieval; they are answered here with the spread the paper publishes: the
per-variant stddev where Table 1 prints one, else the inter-run stddev of Raffel et al. it reprints, else
the one wording of app.spread for "nothing published".
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.answers.builder import Builder, round_like
from app.answers.entities import Entities
from app.answers.facts import Cell, Facts, paper_citation
from app.answers.intents import Intent, Slots, rank_order
from app.answers.tables import COUNT_WORDS, describe, direction, headline_columns, select_columns, variant_list
from app.spread import NO_SPREAD, WITHIN_NOISE, noise_reading

RANKING = re.compile(r"\brank(s|ed|ing)?\b|\border(ed)?\b|\bsort(ed)?\b|\bleaderboard\b|\bfrom best to worst\b|"
                     r"\ball (the )?variants\b|\b(top|bottom)\s+(\d+|two|three|four|five|six)\b")
COUNT = re.compile(r"\b(?:top|best|worst|bottom)\s+(\d+|two|three|four|five|six)\b")
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
#: "gated (GLU) variants", "ungated (dense) FFN": a group of variants, an aside in parentheses allowed.
_ASIDE = r"\s+(?:\([^)]{0,20}\)\s*)?"
GATED_ONLY = re.compile(rf"\bgated{_ASIDE}(variants?|ones?|ffns?|layers?)\b|\bamong (the )?gated\b|\bglu[- ]family\b")
DENSE_ONLY = re.compile(rf"\b(ungated|non-gated|dense){_ASIDE}(variants?|ones?|ffns?|layers?)\b|"
                        r"\bamong (the )?(ungated|non-gated|dense)\b")
SPREAD_WORDS = re.compile(r"\bstd\b|\bstd ?dev|\bstddev|\bstandard deviation|\bnoise level|\bnoisy\b|\bjust noise\b|"
                          r"\bvariability\b|\brun-to-run\b|\bspread\b|\+-|±|\bsignifican|\bmeaningful\b|"
                          r"\berror bars?\b|\bvariance\b")
RESULTS_WORD = re.compile(r"\bresults?\b|\bscores?\b|\bnumbers\b|\bbenchmarks?\b|\btables?\b|\bdownstream\b")


def wants_ranking(intent: Intent, text: str) -> bool:
    """A 'best' question that asks for an ordered list, N entries or one group of variants."""
    return intent.name == "best" and not intent.slots.variants and bool(
        RANKING.search(text) or COUNT.search(text) or GATED_ONLY.search(text) or DENSE_ONLY.search(text))


def wants_spread(text: str, entities: Entities) -> bool:
    """A question about the noise of a column or a variant's cells, or of the results in general."""
    if not SPREAD_WORDS.search(text) or entities.models:
        return False
    if entities.numbers and not (len(entities.variant_like()) >= 2 and entities.steps):
        return False  # numbers are a claim to check, unless they are the two cells of a named length
    columns = bool(entities.benchmarks or entities.metrics)
    variants = len(entities.variant_like())
    if variants >= 2:
        # a pair on a named column or length; other pair questions keep their curated explanations
        return columns or bool(entities.steps)
    if columns or variants == 1 or entities.steps:
        return True
    return not (entities.activations or entities.gates) and bool(RESULTS_WORD.search(text))


def count_asked(text: str) -> int | None:
    match = COUNT.search(text)
    if match is None:
        return None
    word = match.group(1)
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _group(facts: Facts, text: str) -> tuple[str, list[Cell]] | None:
    """('gated', keep) for a question about one group of variants, else None."""
    if GATED_ONLY.search(text):
        wanted, label = True, "gated"
    elif DENSE_ONLY.search(text):
        wanted, label = False, "dense (ungated)"
    else:
        return None
    return label, [c for c in facts.cells if not c.is_reference
                   and bool((facts.variants.get(c.variant or "") or {}).get("gated")) == wanted]


def compose_ranking(b: Builder, intent: Intent) -> None:
    facts, text = b.facts, intent.question.lower()
    order = rank_order(intent.question)
    columns, note = select_columns(facts, intent.slots)
    count = count_asked(text)
    group = _group(facts, text)
    b.cite(paper_citation(facts.main_paper()))
    lines = []
    for bench, metric, steps in columns:
        cells = facts.column_cells(bench, metric, steps)
        if group is not None:
            cells = [c for c in cells if c in group[1]]
        if not cells:
            continue
        descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                      "lowest": False, "highest": True}[order]
        ordered = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=descending)
        shown = ordered[:count] if count else ordered
        entries = [f"{'**' + c.row + '**' if c is shown[0] else c.row} {b.value(c)}" for c in shown]
        lines.append(f"- {describe(cells[0])} ({direction(cells[0])}): " + ", then ".join(entries) + ".")
    if not lines:
        b.add("The paper reports no such column.")
        return
    first = {"best": "best first", "worst": "worst first", "lowest": "lowest first", "highest": "highest first"}
    which = f"the {group[0]} variants" if group else "the variants"
    head = (f"The top {COUNT_WORDS[count]} of {which}" if count and count < len(COUNT_WORDS)
            else f"{which[0].upper()}{which[1:]}, ranked")
    intro = f"{head} ({first[order]}) in the GLU-variants paper; reference rows never compete:"
    if note:
        intro = note + " " + intro
    b.add(intro + "\n\n" + "\n".join(lines))
    b.add("Each cell is a single run; how far apart two cells must be to count is the column's run-to-run "
          "spread, which a comparison of two variants shows.")


def _spread_columns(facts: Facts, slots: Slots) -> list[tuple[str, str, int]]:
    """The columns of a spread question; a variant alone means the columns that print per-variant spreads."""
    benches = [x for x in slots.benchmarks if not any(o != x and o.startswith(x + "/") for o in slots.benchmarks)]
    named = {x.split("/", 1)[0] for x in slots.benchmarks if "/" not in x}
    if named:  # "glue rte": the RTE of GLUE, not SuperGLUE's
        benches = [x for x in benches if "/" not in x or x.split("/", 1)[0] in named] or benches
    narrowed = Slots.from_dict({**slots.to_dict(), "benchmarks": benches})
    if narrowed.benchmarks or narrowed.metrics or narrowed.steps:
        return select_columns(facts, narrowed)[0]
    return list(dict.fromkeys((c.benchmark, c.metric, c.steps) for c in facts.cells
                              if not c.is_reference and c.stddev_text))


def compose_spread(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    variants = variant_list(slots)
    columns = _spread_columns(facts, slots)
    if not (slots.variants or slots.activations or slots.gates or slots.benchmarks or slots.metrics or slots.steps):
        _overview(b, [c for c in headline_columns(facts) if c[1] == "Score Average" or c[0].startswith("SQuAD")])
        return
    b.cite(paper_citation(facts.main_paper()))
    if len(variants) == 2:
        _pair(b, variants, columns)
        return
    lines = []
    for bench, metric, steps in columns:
        cells = facts.column_cells(bench, metric, steps)
        mine = [c for c in cells if c.variant in variants] if variants else cells
        if not mine:
            continue
        lines.append(_column_line(b, cells[0], mine))
    if not lines:
        b.add("The paper reports no such column.")
        return
    b.add("Run-to-run spread in the GLU-variants paper:\n\n" + "\n".join(lines))


def _column_line(b: Builder, first: Cell, cells: list[Cell]) -> str:
    b.cite(first.citation())
    label = f"{describe(first)} ({direction(first)})"
    if any(c.stddev_text for c in cells):
        values = ", ".join(f"{c.row} {b.value(c)} ± {b.stddev(c)}" for c in cells if c.stddev_text)
        return f"- {label}: mean and stddev of the runs per variant: {values}."
    shown = "" if len(cells) > 3 else " (" + ", ".join(f"{c.row} {b.value(c)}" for c in cells) + ")"
    ref = b.facts.reference_cell(first.benchmark, first.metric, first.steps)
    if ref is not None and ref.stddev_text:
        b.cite(ref.citation())
        return (f"- {label}{shown}: each variant was fine-tuned once, so the paper gives no per-variant spread; it "
                f"reprints the inter-run stddev Raffel et al. measured for this metric, **{ref.stddev_text}**, and a "
                "gap between two variants has to exceed the combined spread of two such runs to be more than noise.")
    return f"- {label}{shown}: {NO_SPREAD} — the paper prints no stddev for this column."


def _pair(b: Builder, variants: list[str], columns: list[tuple[str, str, int]]) -> None:
    lines = []
    for bench, metric, steps in columns:
        cells = {c.variant: c for c in b.facts.column_cells(bench, metric, steps)}
        x, y = cells.get(variants[0]), cells.get(variants[1])
        if x is None or y is None:
            continue
        gap = abs(b.diff(x, y))
        spread, _how = b.spread(x, y)
        leader = x if (Decimal(x.value_text) > Decimal(y.value_text)) == x.higher_is_better else y
        reading = noise_reading(gap, spread)
        text = (f"- {describe(x)} ({direction(x)}): {x.row} {b.value(x)} vs {y.row} {b.value(y)}, "
                f"{leader.row} ahead by {format(gap, 'f')}; ")
        if spread is None:
            text += f"{NO_SPREAD}, so the paper does not separate the two on this column."
        else:
            verdict = "not significant" if reading == WITHIN_NOISE else "larger than the noise"
            own = (f" (run-to-run spreads {x.row} {b.stddev(x)}, {y.row} {b.stddev(y)})"
                   if x.stddev_text and y.stddev_text else "")
            text += (f"the gap has to exceed {round_like(spread, x.value_text)}{own} — **{reading}**, "
                     f"{verdict}.")
        ref = b.facts.reference_cell(bench, metric, steps)
        if ref is not None and ref.stddev_text and not (x.stddev_text and y.stddev_text):
            text += f" Raffel et al.'s inter-run stddev for this metric is {ref.stddev_text}."
        lines.append(text)
    if not lines:
        b.add("The paper reports no such column for both variants.")
        return
    b.add("Whether the gap is more than run-to-run noise, in the GLU-variants paper:\n\n" + "\n".join(lines))


def _overview(b: Builder, columns: list[tuple[str, str, int]]) -> None:
    facts = b.facts
    b.cite(paper_citation(facts.main_paper()))
    lines = []
    for bench, metric, steps in columns:
        ref = facts.reference_cell(bench, metric, steps)
        if ref is not None and ref.stddev_text:
            b.cite(ref.citation())
            lines.append(f"- {describe(ref)}: inter-run stddev {ref.stddev_text} (Raffel et al.)")
    text = ("The downstream results of the GLU-variants paper are single fine-tuning runs per variant, so the "
            "paper prints no per-variant spread for them; as a guide to how noisy they are it reprints the "
            "inter-run standard deviation (stddev) Raffel et al. measured for each metric")
    b.add(text + (":\n\n" + "\n".join(lines) if lines else "."))
    short = next((c for c in facts.cells if c.stddev_text and not c.is_reference), None)
    if short is not None:
        b.add(f"Only the perplexities after {b.steps(short)} steps carry a per-variant run-to-run spread.")
