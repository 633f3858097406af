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
from typing import Any

from app.answers.builder import Builder, round_like
from app.answers.entities import Entities
from app.answers.facts import Cell, Facts, paper_citation
from app.answers.intents import Intent, Slots, rank_order
from app.answers.tables import (
    COUNT_WORDS,
    ORDINALS,
    describe,
    direction,
    headline_columns,
    rank_words,
    select_columns,
    variant_list,
)
from app.spread import NO_SPREAD, WITHIN_NOISE, noise_reading

RANKING = re.compile(r"\brank(s|ed|ing)?\b|\border(ed)?\b|\bsort(ed)?\b|\bleaderboard\b|\bfrom best to worst\b|"
                     r"\ball (the )?variants\b|\b(top|bottom)[\s-]*(\d+|two|three|four|five|six)\b|\bpodium\b|"
                     r"\brunners?[- ]up\b|\ball (?:\d+|eight|twelve|the) (?:variants|ffns|activations|rows)\b|"
                     r"\b(?:for|of|across) (?:all|every|each) (?:the |of the )?(?:\w+ )?(?:variants?|ffns?|"
                     r"activations?|rows?)\b|\blist (?:the |all )?\w+ (?:for|of|across)\b|"
                     r"\b(?:compare|list|show)\s+(?:all|every|each)\b")
COUNT = re.compile(r"\b(?:top|best|worst|bottom)[\s-]*(\d+|two|three|four|five|six)\b")
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
#: "gated (GLU) variants", "ungated (dense) FFN": a group of variants, an aside in parentheses allowed.
_ASIDE = r"\s+(?:\([^)]{0,20}\)\s*)?"
GATED_ONLY = re.compile(rf"\bgated{_ASIDE}(variants?|ones?|ffns?|layers?|activations?|rows?)\b|\bamong (the )?gated\b|"
                        r"\bglu[- ]family\b")
DENSE_ONLY = re.compile(rf"\b(ungated|non-gated|dense){_ASIDE}(variants?|ones?|ffns?|layers?|activations?|rows?)\b|"
                        r"\bamong (the )?(ungated|non-gated|dense)\b")
SPREAD_WORDS = re.compile(r"\bstd\b|\bstd ?dev|\bstddev|\bstandard deviation|\bnoise (?:level|floor)|"
                          r"\bnois(?:y|ier|iest)\b|\bjust noise\b|\bvariability\b|\brun-to-run\b|\bspread\b|"
                          r"\+-|±|\bsignifican|"
                          r"\bmeaningful\b|\berror bars?\b|\bvarian(?:ce|ces)\b|\bnoise (?:on|in|of|for)\b|"
                          r"\b(?:outside|within|beyond|above|below) (?:the )?noise\b|\bor noise\b|\bnoise\?|"
                          r"\bbounces? around\b|\bfluctuat|\bjitter|\bwobbl|\brun to run\b|\b(?:error|noise) margin\b|"
                          r"\bmargin of error\b|\bvar(?:y|ies|ied) (?:between|across|from) "
                          r"(?:runs|seeds)\b|\b(?:between|across) (?:runs|seeds)\b|\binter-?run\b|"
                          r"\bmean anything\b|\bmeans anything\b|\breal difference\b|\breal\s*\?|\breal or\b|"
                          r"\bjust luck\b|\bby chance\b|\bstatistically\b|\bconfidence interval|\bconsistent\b|"
                          r"\bstdev\b|\bsd\b|σ|\bsigma\b|"
                          r"\bmost variable\b|\buncertaint")
RESULTS_WORD = re.compile(r"\bresults?\b|\bscores?\b|\bnumbers\b|\bbenchmarks?\b|\btables?\b|\bdownstream\b")


#: "noisiest", "most variable", "largest std" / "least noisy", "most stable", "smallest spread".
MOST_SPREAD = re.compile(r"\bnoisiest\b|\bmost (?:noisy|variable|variance|spread)\b|\bleast stable\b|"
                         r"\b(?:largest|biggest|highest|widest|max(?:imum)?) (?:run-to-run )?(?:std|stddev|spread|"
                         r"variance|variability|noise|error bars?)\b")
LEAST_SPREAD = re.compile(r"\bleast (?:noisy|variable|spread)\b|\bmost stable\b|\bleast noise\b|"
                          r"\b(?:smallest|lowest|tightest|min(?:imum)?) (?:run-to-run )?(?:std|stddev|spread|"
                          r"variance|variability|noise|error bars?)\b")


def spread_extreme(text: str) -> str | None:
    """'most' or 'least' where a spread question asks for the noisiest or the steadiest row."""
    return "most" if MOST_SPREAD.search(text) else "least" if LEAST_SPREAD.search(text) else None


def wants_ranking(intent: Intent, text: str) -> bool:
    """A 'best' question that asks for an ordered list, N entries or one group of variants."""
    return intent.name == "best" and not intent.slots.variants and bool(
        RANKING.search(text) or COUNT.search(text) or GATED_ONLY.search(text) or DENSE_ONLY.search(text)
        or ORDINAL.search(text))


#: "which variants beat relu on glue", "how many ffns outperform gelu": the rows better than one named row.
BEATERS = re.compile(r"\b(?:which|what|how many|who|list|anything|anyone|any (?:other )?(?:variants?|ffns?|"
                     r"activations?|ones?))\b.{0,40}\b(?:beat|beats|outperform\w*|(?:are|is|do|does|"
                     r"did|score|scored) better than|do better|did better|improve[sd]? (?:on|over|upon)|surpass\w*|"
                     r"(?:are|is) above|exceed\w*)\b")


def wants_beaters(text: str, entities: Entities) -> bool:
    """A question for the variants better than one named variant on a column."""
    return bool(BEATERS.search(text)) and len(entities.variant_like()) == 1 and not entities.models


def wants_spread(text: str, entities: Entities) -> bool:
    """A question about the noise of a column or a variant's cells, or of the results in general."""
    if not SPREAD_WORDS.search(text) or entities.models:
        return False
    if entities.numbers and not (len(entities.variant_like()) >= 2 and (
            entities.steps or entities.benchmarks or entities.metrics)):
        return False  # numbers are a claim to check, unless they are the two cells of a named column
    columns = bool(entities.benchmarks or entities.metrics)
    variants = len(entities.variant_like())
    if variants >= 2:
        # a pair on a named column or length; other pair questions keep their curated explanations
        return columns or bool(entities.steps)
    if columns or variants == 1 or entities.steps:
        return True
    return not (entities.activations or entities.gates) and bool(RESULTS_WORD.search(text))


def gap_columns(text: str, entities: Entities, facts: Facts) -> list[tuple[str, str, int]]:
    """'geglu beats swiglu by 0.003 - real or noise?': the columns on which the two named variants' cells differ
    by the gap the question states (its noise is asked about), or [] for any other question."""
    variants = entities.variant_like()
    if not SPREAD_WORDS.search(text) or len(variants) != 2 or not entities.numbers or entities.models:
        return []
    stated = {Decimal(repr(abs(n))) for n in entities.numbers}
    found = []
    for column in dict.fromkeys((c.benchmark, c.metric, c.steps) for c in facts.cells if not c.is_reference):
        cells = {c.variant: c for c in facts.column_cells(*column)}
        x, y = cells.get(variants[0]), cells.get(variants[1])
        if x is not None and y is not None and abs(Decimal(x.value_text) - Decimal(y.value_text)) in stated:
            found.append(column)
    return found


def checks_a_gap(entities: Entities) -> bool:
    """'is 0.31 on glue between reglu and swiglu within noise?': a yes/no question about the noise of two
    named variants' gap on a named column is the spread's to answer, not a claimed value's."""
    return len(entities.variant_like()) >= 2 and bool(entities.benchmarks or entities.metrics or entities.steps)


#: "third best glue avg", "2nd worst on cola", "the fourth-highest": one place of a column's order.
ORDINAL = re.compile(r"\b(second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|seventh|7th)[- ]"
                     r"(?:best|worst|highest|lowest|place|strongest|weakest|from (?:the )?(?:top|bottom))\b")
ORDINAL_NUMBERS = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
                   "sixth": 6, "6th": 6, "seventh": 7, "7th": 7}


def place_asked(text: str) -> int | None:
    """The place a question asks for ('third best' -> 3), or None."""
    match = ORDINAL.search(text)
    return ORDINAL_NUMBERS[match.group(1)] if match else None


def count_asked(text: str) -> int | None:
    match = COUNT.search(text)
    if match is None and re.search(r"\bpodium\b", text):
        return 3
    if match is None and re.search(r"\brunners?[- ]up\b", text):
        return 2
    if match is None:
        return place_asked(text)
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
    named = variant_list(intent.slots)
    if BEATERS.search(text) and len(named) == 1:
        _compose_beaters(b, named[0], columns)
        return
    if count and TOP_AND_BOTTOM.search(text):
        # "top 3 and bottom 3 on glue": both ends, each best first
        order = "best"
        count = min(count * 2, 12)
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
        if count and TOP_AND_BOTTOM.search(text) and len(ordered) > count:
            shown = ordered[:count // 2] + ordered[-(count // 2):]
        place = place_asked(text)
        marked = shown[place - 1] if place and len(shown) >= place else shown[0]
        entries = [f"{'**' + c.row + '**' if c is marked else c.row} {b.value(c)}" for c in shown]
        lead = (f"{ORDINALS[place - 1]}: **{marked.row}** {b.value(marked)}; "
                if place and marked is not shown[0] else "")
        lines.append(f"- {describe(cells[0])} ({direction(cells[0])}): {lead}" + ", then ".join(entries) + ".")
    if not lines:
        b.add("The paper reports no such column.")
        return
    first = {"best": "best first", "worst": "worst first", "lowest": "lowest first", "highest": "highest first"}
    which = f"the {group[0]} variants" if group else "the variants"
    end = "bottom" if order == "worst" else "top"
    head = (f"The {end} {COUNT_WORDS[count]} of {which}" if count and count < len(COUNT_WORDS)
            else f"{which[0].upper()}{which[1:]}, ranked")
    if count and TOP_AND_BOTTOM.search(text):
        head = f"The top and bottom {COUNT_WORDS[count // 2]} of {which}"
    intro = f"{head} ({first[order]}) in the GLU-variants paper; reference rows never compete:"
    if note:
        intro = note + " " + intro
    b.add(intro + "\n\n" + "\n".join(lines))
    b.add("Each cell is a single run; how far apart two cells must be to count is the column's run-to-run "
          "spread, which a comparison of two variants shows.")


#: "top 3 and bottom 3", "best two and worst two": both ends of one column.
TOP_AND_BOTTOM = re.compile(r"\b(?:top|best)\b.{0,20}\b(?:and|&|plus|vs\.?)\s+(?:the\s+)?(?:bottom|worst)\b")


def _compose_beaters(b: Builder, variant: str, columns: list[tuple[str, str, int]]) -> None:
    """The variants whose cell is better than ``variant``'s, per column, best first."""
    lines = []
    for column in columns:
        cells = b.facts.column_cells(*column)
        own = next((c for c in cells if c.variant == variant), None)
        if own is None:
            continue
        mine = Decimal(own.value_text)
        better = sorted((c for c in cells if (Decimal(c.value_text) > mine) == own.higher_is_better
                         and Decimal(c.value_text) != mine), key=lambda c: Decimal(c.value_text),
                        reverse=own.higher_is_better)
        count = COUNT_WORDS[len(better)] if len(better) < len(COUNT_WORDS) else str(len(better))
        listed = ", ".join(f"{c.row} {b.value(c)}" for c in better) or "none"
        lines.append(f"- {describe(own)} ({direction(own)}): {count[0].upper()}{count[1:]} of the variants beat "
                     f"**{variant}** ({b.value(own)}): {listed}.")
    if not lines:
        b.add(f"The paper reports no such column for {variant}.")
        return
    b.add("In the GLU-variants paper (reference rows never compete; each cell is a single run, so a small lead "
          "may be noise):\n\n" + "\n".join(lines))


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
    if NEAR_THE_BEST.search(intent.question.lower()) and not variants:
        _compose_near_best(b, columns)
        return
    extreme = spread_extreme(intent.question.lower())
    if extreme and not variants and TASK_WORDS.search(intent.question.lower()):
        _noisiest_task(b, slots, extreme)
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
        lines.append(_column_line(b, cells[0], mine, intent.question))
    if not lines:
        b.add("The paper reports no such column.")
        return
    b.add("Run-to-run spread in the GLU-variants paper:\n\n" + "\n".join(lines))


#: "how many runs is the 65k spread based on?": how the spread was measured is asked, not only its value.
RUNS_ASKED = re.compile(r"\bhow many (?:runs|seeds|models|repeats|repetitions|trials)\b|\bbased on\b|"
                        r"\bover how many\b|\bhow (?:was|is|were|are) .{0,30}\b(?:measured|computed|estimated)\b|"
                        r"\bn\s*=\s*\?|\bsample size\b")


def _column_line(b: Builder, first: Cell, cells: list[Cell], question: str = "") -> str:
    b.cite(first.citation())
    label = f"{describe(first)} ({direction(first)})"
    if any(c.stddev_text for c in cells):
        values = ", ".join(f"{c.row} {b.value(c)} ± {b.stddev(c)}" for c in cells if c.stddev_text)
        runs = b.facts.paper_fact(b.facts.main_paper()["id"], "variability_runs") if RUNS_ASKED.search(
            question.lower()) else None
        how = ""
        if runs is not None:
            b.cite(runs)
            how = f" The spreads come from the paper's variability runs: {runs['value']} ({runs['location']})."
        return f"- {label}: mean and stddev of the runs per variant: {values}.{how}"
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
            short = _short_run_spreads(b, x, y)
            if short:
                text += f" The one length with per-variant spreads is {short}."
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


#: "which superglue task is the noisiest": columns, not variants, are compared by their spread.
TASK_WORDS = re.compile(r"\btasks?\b|\bsubtasks?\b|\bbenchmarks?\b|\bcolumns?\b|\bmetrics?\b|\bdatasets?\b")


#: "how many variants are within noise of the best", "which ones can't be separated from the winner".
NEAR_THE_BEST = re.compile(r"\b(?:within (?:the )?noise|indistinguishable|not separable|can'?t be separated|"
                           r"cannot be separated|statistically tied)\b.{0,20}\b(?:of|from|with) (?:the )?"
                           r"(?:best|top|leader|winner)\b")


def _compose_near_best(b: Builder, columns: list[tuple[str, str, int]]) -> None:
    """The variants whose gap to the column's best is within the spread a gap between two runs has to exceed."""
    b.cite(paper_citation(b.facts.main_paper()))
    lines = []
    for column in columns:
        cells = b.facts.column_cells(*column)
        if len(cells) < 2:
            continue
        ordered = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=cells[0].higher_is_better)
        best, near, measured = ordered[0], [], True
        for cell in ordered[1:]:
            spread, _how = b.spread(best, cell)
            if spread is None:
                measured = False
                break
            gap = abs(b.diff(best, cell))
            if gap <= spread:
                near.append(f"{cell.row} {b.value(cell)} (gap {format(gap, 'f')} ≤ "
                            f"{round_like(spread, cell.value_text)})")
        if not measured:
            lines.append(f"- {describe(best)}: best {best.row} {b.value(best)}; {NO_SPREAD}, so the paper "
                         "cannot say which variants are within noise of it.")
            continue
        count = COUNT_WORDS[len(near)] if len(near) < len(COUNT_WORDS) else "all"
        lines.append(f"- {describe(best)} ({direction(best)}): best **{best.row}** {b.value(best)}; other variants "
                     f"within the spread a gap between two runs has to exceed: {count} — {', '.join(near) or 'none'}.")
    if not lines:
        b.add("The paper reports no such column.")
        return
    b.add("Within run-to-run noise of the best, in the GLU-variants paper:\n\n" + "\n".join(lines))


def _noisiest_task(b: Builder, slots: Slots, extreme: str) -> None:
    """The tasks of the suites named (else every downstream column) ordered by Raffel et al.'s inter-run stddev."""
    suites = [x for x in slots.benchmarks if "/" not in x]
    refs = [c for c in b.facts.cells if c.is_reference and c.stddev_text
            and (not suites or any(c.benchmark.startswith(s + "/") for s in suites))]
    if not refs:
        b.add("The paper prints no inter-run spread for those columns.")
        return
    ordered = sorted(refs, key=lambda c: Decimal(c.stddev_text or "0"), reverse=extreme == "most")
    b.cite(paper_citation(b.facts.main_paper()))
    top = ordered[0]
    b.cite(top.citation())
    listed = ", ".join(f"{describe(c)} {c.stddev_text}" for c in ordered)
    for c in ordered:
        b.cite(c.citation())
    b.add(f"The {'noisiest' if extreme == 'most' else 'least noisy'} by the inter-run stddev Raffel et al. measured "
          f"(which the GLU-variants paper reprints): **{describe(top)}** at {top.stddev_text}. All of them, "
          f"{'largest' if extreme == 'most' else 'smallest'} first: {listed}.")


def _short_run_spreads(b: Builder, x: Cell, y: Cell) -> str:
    """'65,536 steps: FFN_GEGLU 1.942 ± 0.004, FFN_SwiGLU 1.944 ± 0.010' for a perplexity column without spreads."""
    if x.table != 1:
        return ""
    pair = [next((c for c in b.facts.cells if c.variant == v.variant and c.table == 1 and c.stddev_text), None)
            for v in (x, y)]
    if pair[0] is None or pair[1] is None:
        return ""
    return f"{b.steps(pair[0])} steps: " + ", ".join(f"{c.row} {b.value(c)} ± {b.stddev(c)}" for c in pair
                                                      if c is not None)


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


def detect_gap(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """A difference the table's cells do not print: between the best and the worst variant of a column, or
    between two variants relative to the second (in per cent). None for anything else."""
    if _OTHER_PAPER_NAMED.search(text) or entities.models or NOT_A_CELL.search(text):
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
    for column in columns:
        cells = b.facts.column_cells(*column)
        own = next((c for c in cells if c.variant == variant), None)
        if own is None:
            continue
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
