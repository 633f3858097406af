"""Answers from the paper's result tables: a value, a comparison of variants, the best per column, a
yes/no check of a number.

A table cell is shown with its rank among the variants and the run-to-run spread a difference has to
exceed, because a single number from a single run says little on its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from app.answers.builder import CAPABILITIES, Builder, round_like
from app.answers.entities import Entities
from app.answers.facts import Cell, Facts, paper_citation
from app.answers.framing import STATED_CHECK, is_claim, verdict
from app.answers.gaps import claimed_gap
from app.answers.intents import YES_NO, Intent, rank_order
from app.answers.retrieval import MIN_SCORE, ExplanationIndex, Hit
from app.answers.table_columns import COUNT_WORDS as COUNT_WORDS
from app.answers.table_columns import ORDINALS as ORDINALS
from app.answers.table_columns import TIES_ASKED
from app.answers.table_columns import describe as describe
from app.answers.table_columns import direction as direction
from app.answers.table_columns import headline_columns as headline_columns
from app.answers.table_columns import rank_words as rank_words
from app.answers.table_columns import select_columns as select_columns
from app.answers.table_columns import variant_list as variant_list
from app.answers.variant_groups import _group
from app.spread import NO_SPREAD


def noise_note(b: Builder, cell: Cell) -> str:
    spread = b.stddev(cell)
    if spread is not None:
        return f"run-to-run spread {spread}"
    ref = b.facts.reference_cell(cell.benchmark, cell.metric, cell.steps)
    if ref is not None and ref.stddev_text:
        b.cite(ref.citation())
        return f"Raffel et al.'s inter-run stddev for this metric: {ref.stddev_text}"
    if cell.table == 1:
        return "no run-to-run spread is published for this column"
    return NO_SPREAD


def compose_fact(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    variants = variant_list(slots)
    columns, note = select_columns(facts, slots)
    if not variants:
        compose_best(b, intent)
        return
    lines = []
    rows_for_table: dict[int, list[str]] = defaultdict(list)
    for variant in variants:
        for bench, metric, steps in columns:
            cells = facts.find(variant=variant, benchmark=bench, metric=metric, steps=steps)
            if not cells:
                continue
            cell = cells[0]
            rank = rank_words(facts, cell, bool(TIES_ASKED.search(intent.question)))
            lines.append(
                f"- **{variant}**, {describe(cell)} ({direction(cell)}): **{b.value(cell)}** — {rank}; "
                f"{noise_note(b, cell)}."
            )
            if variant not in rows_for_table[cell.table]:
                rows_for_table[cell.table].append(variant)
    if not lines:
        b.add("The paper reports no value for that combination. " + CAPABILITIES.split(". You can", 1)[0] + ".")
        return
    only_ppl = all(c[1] == "log-perplexity" for c in columns)
    paper = facts.main_paper()
    b.cite(paper_citation(paper))
    intro = "In the GLU-variants paper:" if not only_ppl else "Held-out log-perplexity in the GLU-variants paper:"
    if note:
        intro = f"{note} {intro}"
    b.add(intro + "\n\n" + "\n".join(lines))
    if any(c[1] == "log-perplexity" for c in columns) and len({c[2] for c in columns if c[1] == "log-perplexity"}) > 1:
        short = min(c[2] for c in columns if c[1] == "log-perplexity")
        cell = next(c for c in facts.cells if c.steps == short and c.table == 1)
        b.add(f"The {b.steps(cell)}-step figures are the short runs; full pre-training is the longer column "
              "(see the explanation of the common misreading of these columns).")
        exp = facts.explanations.get("misreading-1942")
        if exp is not None:
            b.cite(exp.citation())
    for table, rows in sorted(rows_for_table.items()):
        b.attachments.append({"kind": "paper_table", "paper": paper["id"], "table": table, "rows": rows,
                              "columns": [c for c in (describe_columns(facts, table, columns))]})


def describe_columns(facts: Facts, table: int, columns: list[tuple[str, str, int]]) -> list[str]:
    wanted = set(columns)
    return list(dict.fromkeys(c.column for c in facts.cells if c.table == table
                              and (c.benchmark, c.metric, c.steps) in wanted))


def compose_compare(b: Builder, intent: Intent, index: ExplanationIndex, entities: Entities) -> None:
    facts, slots = b.facts, intent.slots
    variants = variant_list(slots)
    if len(variants) < 2:
        if variants:
            compose_fact(b, intent)
        else:
            compose_best(b, intent)
        return
    columns, note = select_columns(facts, slots)
    paper = facts.main_paper()
    b.cite(paper_citation(paper))
    if note:
        b.add(note)
    if len(variants) == 2:
        _compare_two(b, variants[0], variants[1], columns)
    else:
        _compare_many(b, variants, columns)
    tables = sorted({c.table for col in columns for c in facts.find(benchmark=col[0], metric=col[1], steps=col[2])})
    for table in tables:
        b.attachments.append({"kind": "paper_table", "paper": paper["id"], "table": table, "rows": variants,
                              "columns": describe_columns(facts, table, columns)})
    hits = index.search(intent.retrieval_query or intent.question, entities, k=1)
    wanted = {f"variant:{v}" for v in variants}
    for hit in hits:
        exp = facts.explanations[hit.key]
        if "compare" in exp.tags and wanted <= set(exp.tags):
            b.cite(exp.citation())
            b.quote_ids.append(exp.post_id)
            b.add(f"More context: [{exp.title}]({exp.citation()['url']}).")


def _gap_sentence(b: Builder, x: Cell, y: Cell, d: Decimal, leader: str, spread: Decimal | None) -> str:
    """One column's comparison as a sentence: who leads by how much, and against which spread."""
    if leader == "tie":
        return f"{describe(x)} ({direction(x)}): they tie at {b.value(x)}."
    against = ("the paper publishes no spread for this column" if spread is None else
               f"{'within' if abs(d) <= spread else 'larger than'} the spread of {round_like(spread, x.value_text)}")
    return (f"{describe(x)} ({direction(x)}): {leader} is ahead by **{format(abs(d), 'f')}** ({b.value(x)} vs "
            f"{b.value(y)}; {against}).")


def _compare_two(b: Builder, a: str, c: str, columns: list[tuple[str, str, int]]) -> None:
    facts = b.facts
    lead = ""
    header = f"| | {a} | {c} | difference | spread | reading |\n|---|---|---|---|---|---|"
    rows = []
    summary = []
    for bench, metric, steps in columns:
        ca = facts.find(variant=a, benchmark=bench, metric=metric, steps=steps)
        cc = facts.find(variant=c, benchmark=bench, metric=metric, steps=steps)
        if not ca or not cc:
            continue
        x, y = ca[0], cc[0]
        d = b.diff(x, y)
        spread, _how = b.spread(x, y)
        leader = "tie" if d == 0 else (a if (d > 0) == x.higher_is_better else c)
        if spread is None:
            reading = f"{leader} ahead; {NO_SPREAD}" if leader != "tie" else "tie"
            spread_text = "—"
        else:
            spread_text = round_like(spread, x.value_text)
            if leader == "tie":
                reading = "tie"
            elif abs(d) > spread:
                reading = f"{leader} better (gap larger than the spread)"
            else:
                reading = f"{leader} ahead, within noise"
        rows.append(f"| {describe(x)} ({direction(x)}) | {b.value(x)} | {b.value(y)} | {format(abs(d), 'f')} | "
                    f"{spread_text} | {reading} |")
        lead = _gap_sentence(b, x, y, d, leader, spread)
        if x.table == 1:
            gap = format(abs(d), "f")
            if leader == "tie":
                summary.append(f"after {b.steps(x)} steps they tie at {b.value(x)}")
            elif spread is None:
                summary.append(f"after {b.steps(x)} steps {leader} is ahead by {gap} ({b.value(x)} vs "
                               f"{b.value(y)}; the paper publishes no spread for this column)")
            else:
                within = "within" if abs(d) <= spread else "larger than"
                summary.append(f"after {b.steps(x)} steps {leader} is ahead by {gap} ({b.value(x)} vs {b.value(y)}),"
                               f" {within} the run-to-run spread of {round_like(spread, x.value_text)}")
    if not rows:
        b.add(f"The paper has no common column for {a} and {c} in what was asked.")
        return
    if summary:
        b.add(f"**{a} vs {c}**, held-out log-perplexity (lower is better): " + "; ".join(summary) + ".")
    elif len(rows) == 1:  # one downstream column: the gap is the answer, said before the table
        b.add(f"**{a} vs {c}**, {lead}")
    else:
        b.add(f"**{a} vs {c}**:")
    b.add(header + "\n" + "\n".join(rows))
    downstream = [col for col in columns if col[1] != "log-perplexity"]
    if len(downstream) >= 2:
        wins = b.computed("wins", {"a": a, "b": c, "columns": [list(col) for col in downstream]},
                          f"columns won by {a} and by {c}")
        def count(n: object) -> str:  # in words: a count is not a table value
            k = int(str(n))
            return COUNT_WORDS[k] if k < len(COUNT_WORDS) else str(k)

        b.add(f"Downstream, {a} leads on {count(wins['a_wins'])} and {c} on {count(wins['b_wins'])} of these "
              f"{count(wins['total'])} columns ({count(wins['ties']) if int(str(wins['ties'])) else 'none'} tied). "
              "The spread column is what a gap between two single runs has to exceed: the root of the summed "
              "squares of the two run-to-run spreads where the paper prints them, otherwise of Raffel et al.'s "
              "inter-run stddev taken twice; each model was fine-tuned once.")


def _compare_many(b: Builder, variants: list[str], columns: list[tuple[str, str, int]]) -> None:
    facts = b.facts
    header = "| | " + " | ".join(variants) + " | best of these |\n|---" + "|---" * (len(variants) + 1) + "|"
    rows = []
    for bench, metric, steps in columns:
        cells = [facts.find(variant=v, benchmark=bench, metric=metric, steps=steps) for v in variants]
        if not all(cells):
            continue
        chosen = [c[0] for c in cells]
        pick = max if chosen[0].higher_is_better else min
        top = pick(Decimal(c.value_text) for c in chosen)
        winners = [c.row for c in chosen if Decimal(c.value_text) == top]
        values = " | ".join(f"**{b.value(c)}**" if Decimal(c.value_text) == top else b.value(c) for c in chosen)
        rows.append(f"| {describe(chosen[0])} ({direction(chosen[0])}) | {values} | {', '.join(winners)} |")
    if not rows:
        b.add("The paper has no common column for these variants in what was asked.")
        return
    b.add(f"**{', '.join(variants)}** in the GLU-variants paper (best of these in bold):")
    b.add(header + "\n" + "\n".join(rows))
    ppl = [col for col in columns if col[1] == "log-perplexity"]
    for col in ppl:
        col_cells = [facts.find(variant=v, benchmark=col[0], metric=col[1], steps=col[2])[0] for v in variants]
        spreads = [b.stddev(c) for c in col_cells]
        if all(spreads):
            b.add(f"After {b.steps(col_cells[0])} steps the run-to-run spreads are "
                  + ", ".join(f"{c.row} {s}" for c, s in zip(col_cells, spreads, strict=True))
                  + "; gaps smaller than about these are noise.")
        else:
            b.add(f"After {b.steps(col_cells[0])} steps the paper publishes no spread.")


ORDER_TITLES = {
    "best": "Best variant",
    "worst": "Worst variant",
    "lowest": "Lowest value",
    "highest": "Highest value",
}


def compose_best(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    order = rank_order(intent.question)
    columns, note = select_columns(facts, slots)
    paper = facts.main_paper()
    b.cite(paper_citation(paper))
    lines, column_winners = [], []
    group = _group(facts, intent.question.lower())  # "the weakest of the gated ones": that group's cells only
    for bench, metric, steps in columns:
        cells = facts.column_cells(bench, metric, steps)
        cells = [c for c in cells if c in group[1]] if group is not None else cells
        if not cells:
            continue
        descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                      "lowest": False, "highest": True}[order]
        ordered = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=descending)
        top = Decimal(ordered[0].value_text)
        winners = [c for c in ordered if Decimal(c.value_text) == top]
        column_winners.append([w.row for w in winners])
        rest = [c for c in ordered if Decimal(c.value_text) != top]
        text = (f"- {describe(winners[0])} ({direction(winners[0])}): **{', '.join(w.row for w in winners)}** at "
                f"{b.value(winners[0])}")
        if len(winners) > 1:
            text += " (tied)"
        if rest:
            runner = rest[0]
            gap = format(abs(b.diff(winners[0], runner)), "f")
            spread, _ = b.spread(winners[0], runner)
            text += f"; next {runner.row} at {b.value(runner)}, {gap} {'behind' if order == 'best' else 'away'}"
            if spread is not None:
                text += (" — within noise" if abs(Decimal(gap)) <= spread else " — more than the spread") + (
                    f" (spread {round_like(spread, runner.value_text)})")
        lines.append(text + ".")
    if not lines:
        b.add("The paper reports no such column.")
        return
    among = f" among the {group[0]} variants" if group is not None else ""
    intro = f"{ORDER_TITLES[order]}{among} per column in the GLU-variants paper (reference rows never compete):"
    if order == "best" and not (slots.benchmarks or slots.metrics or slots.steps):
        intro = ("No single variant wins every metric. Best per headline column in the GLU-variants paper "
                 "(reference rows never compete):")
    if note:
        intro = note + " " + intro
    claim = verdict(intent.question, list(slots.variants), column_winners[0] if len(column_winners) == 1 else [])
    if claim == "No. " and len(columns) == 1:
        # "is swiglu best on squad em?": the claimed row's own value beside the winner's
        own = facts.find(variant=slots.variants[0], benchmark=columns[0][0], metric=columns[0][1],
                         steps=columns[0][2])
        if own:
            lines.append(f"- {own[0].row} is at {b.value(own[0])}, {rank_words(facts, own[0])}.")
    b.add(claim + intro + "\n\n" + "\n".join(lines))


#: Words that ask about the fully trained runs without naming the step count.
FULL_LENGTH = re.compile(r"\bfull(?:y)?\b|\bfinal\b|\bend of training\b|\bconverged\b")


def compose_verify(b: Builder, intent: Intent, index: ExplanationIndex, entities: Entities) -> list[Hit]:
    """A yes/no question about a number: where that number really comes from, and the value asked about."""
    facts, slots = b.facts, intent.slots
    variants = variant_list(slots)
    steps = list(slots.steps)
    if not steps and FULL_LENGTH.search(intent.question.lower()):  # "is 1.942 geglu's full ppl?"
        steps = [max(c.steps for c in facts.cells)]

    def fits(cell: Cell) -> bool:
        return ((not variants or cell.variant in variants) and (not steps or cell.steps in steps)
                and (not slots.benchmarks or cell.benchmark in slots.benchmarks))

    statements: list[str] = []
    any_fit = False
    for number in slots.numbers[:3]:
        wanted = Decimal(repr(number))
        values = [c for c in facts.cells if Decimal(c.value_text) == wanted]
        spreads = [c for c in facts.cells if c.stddev_text is not None and Decimal(c.stddev_text) == wanted]
        if not values and not spreads:
            statements.append("That number does not appear among the stored table values.")
            continue
        # Judge against every cell holding the number, and show the ones the question is about first.
        any_fit = any_fit or any(fits(c) for c in [*values, *spreads])
        values.sort(key=lambda c: not fits(c))
        spreads.sort(key=lambda c: not fits(c))
        for cell in values[:3]:
            statements.append(f"{b.value(cell)} is {cell.row}'s {describe(cell)} (Table {cell.table}).")
        for cell in spreads[:3]:
            statements.append(
                f"{b.stddev(cell)} is the run-to-run spread the paper gives for {cell.row}'s {describe(cell)} "
                f"(Table {cell.table})."
            )
    asked, asked_cells = [], []
    columns, _ = select_columns(facts, slots)
    shown = {Decimal(repr(n)) for n in slots.numbers}
    for variant in variants[:2]:
        for bench, metric, length in columns[:2]:
            cells = facts.find(variant=variant, benchmark=bench, metric=metric, steps=length)
            if cells and Decimal(cells[0].value_text) not in shown:
                asked.append(f"{variant}'s {describe(cells[0])} is **{b.value(cells[0])}**.")
                asked_cells.append(cells[0])
    gap = claimed_gap(b, intent.question, asked_cells, list(slots.numbers))
    statements, any_fit = ([gap[0]], gap[1]) if gap is not None else (statements, any_fit)
    checked = YES_NO.search(intent.question.lower()) or is_claim(intent.question) or STATED_CHECK.search(
        intent.question)  # "swiglu superglue avg was 76.00?", "…, yes or no"; not "what is 1.942?"
    verdict = ["Yes." if any_fit else "No."] if checked else []
    b.add(" ".join([*verdict, *statements, *asked]))
    hits = index.search(intent.retrieval_query or intent.question, entities, k=1)
    if hits and hits[0].score >= MIN_SCORE:
        exp = facts.explanations[hits[0].key]
        b.explanation(exp)
        b.add(f"See also: [{exp.title}]({exp.citation()['url']}).")
    return hits
