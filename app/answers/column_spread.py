"""The run-to-run spread of a column's cells, as an operation of app.answers.routing.

Why apart from the orderings of app.answers.ranking: questions about the noise of a column ("CoLA stddev",
"ReLU's run-to-run variability", "is ReGLU's SQuAD lead over GEGLU significant") were read as "who is
best" or sent to retrieval; they are answered here with the spread the paper publishes: the per-variant
stddev where Table 1 prints one, else the inter-run stddev of Raffel et al. it reprints, else the one
wording of app.spread for "nothing published". Its words (``SPREAD_WORDS``) also keep the difference
answers from taking a noise question.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.answers.builder import Builder, round_like
from app.answers.entities import Entities
from app.answers.facts import Cell, Facts, paper_citation
from app.answers.intents import Intent, Slots
from app.answers.tables import (
    COUNT_WORDS,
    describe,
    direction,
    headline_columns,
    select_columns,
    variant_list,
)
from app.spread import NO_SPREAD, WITHIN_NOISE, noise_reading

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


def _verdict(gap: str, spread: str | None, reading: str, single: str | None) -> str:
    """The direct answer to 'is the gap bigger than the noise' for one column, said first: no spread
    published, within noise, bigger than one run's stddev only, or bigger than the spread it has to exceed."""
    if spread is None:
        return (f"The paper cannot say: it publishes no spread for this column, so the {gap} gap is not set "
                "against any noise figure.")
    if reading != WITHIN_NOISE:
        return f"Yes: the {gap} gap is bigger than {spread}, the spread a gap between two single runs has to exceed."
    if single is not None and Decimal(gap) > Decimal(single):
        return (f"Only against one run's noise: the {gap} gap is bigger than Raffel et al.'s inter-run stddev "
                f"of {single} for this metric, but not than {spread}, the spread a gap between two single runs "
                "has to exceed, so it is within noise.")
    return f"No: the {gap} gap is within the noise, smaller than the {spread} a gap between two runs has to exceed."


def _pair(b: Builder, variants: list[str], columns: list[tuple[str, str, int]]) -> None:
    lines = []
    verdicts = []
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
        ref = b.facts.reference_cell(bench, metric, steps)
        single = ref.stddev_text if ref is not None and not (x.stddev_text and y.stddev_text) else None
        verdicts.append(_verdict(format(gap, "f"), None if spread is None else round_like(spread, x.value_text),
                                 reading, single))
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
        if single is not None and ref is not None:
            b.cite(ref.citation())
            text += f" Raffel et al.'s inter-run stddev for this metric is {single}."
        lines.append(text)
    if not lines:
        b.add("The paper reports no such column for both variants.")
        return
    lead = verdicts[0] + "\n\n" if len(verdicts) == 1 else ""
    b.add(lead + "Whether the gap is more than run-to-run noise, in the GLU-variants paper:\n\n" + "\n".join(lines))


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
