"""Claims about a variant over *all* columns ("is GEGLU the best on every benchmark?"), checked column by column.

Why: the keyword intents read such a question as a lookup and list the variant's own cells, which never
says yes or no and hides the columns another variant wins. :func:`detect` reads the claim (one variant,
"best", "every/all"); :func:`compose` answers yes or no first, then each column's winner beside the
variant's own cell, every number a cited cell.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Cell, Facts, paper_citation
from app.answers.intents import slots_from
from app.answers.tables import describe, direction, select_columns

BEST = re.compile(r"\b(best|top|winner|wins|win|strongest|beats? (?:all|every|the others))\b")
EVERY = re.compile(r"\b(every|all|each|everything|across the board|always)\b")
GATED = re.compile(r"\b(gated|glu variants|glu-variants|glus|glu ffns?)\b")
UNGATED = re.compile(r"\b(ungated|non-gated|nongated|dense|plain|standard ffns?|ungated ones)\b")
BEAT = re.compile(r"\b(beat|beats|better|outperform|outperforms|win|wins|ahead|lower|higher|superior)\b")


def detect(entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The variant and columns of an 'X is the best on every …' claim, or None."""
    text = entities.text
    if GATED.search(text) and UNGATED.search(text) and BEAT.search(text) and not entities.models:
        columns, _ = select_columns(facts, slots_from(entities, text))
        columns = [c for c in columns if facts.column_cells(*c)]
        return {"variant": "", "columns": columns, "families": True} if columns else None
    if len(entities.variants) != 1 or entities.models or not (BEST.search(text) and EVERY.search(text)):
        return None
    columns, _ = select_columns(facts, slots_from(entities, text))
    columns = [c for c in columns if facts.column_cells(*c)]
    return {"variant": entities.variants[0], "columns": columns} if len(columns) >= 2 else None


#: "on every metric", "in all columns", "across every sub-task", "without exception": every printed column, the
#: tasks inside GLUE and SuperGLUE too, not only the headline averages.
EVERY_COLUMN = re.compile(r"\b(?:every|all|each|any)(?: single| one| of the| the| of| their)* (?:metric|column|cell|"
                          r"number|score|task|sub-?task|result|measure|entry|entries|benchmark|table)s?\b|"
                          r"\bwithout exception\b|\bacross the board\b")


def detect_every_column(entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """'every gated variant beats every ungated one on every metric': the gated-against-dense claim over every
    column of the GLU-variants paper's tables (sub-task columns included), or None when the question names its
    columns, a model or the other paper."""
    text = entities.text
    if not (GATED.search(text) and UNGATED.search(text) and BEAT.search(text) and EVERY_COLUMN.search(text)) or (
            entities.models or entities.benchmarks or entities.metrics or entities.steps
            or re.search(r"\bnarang\b", text)):
        return None
    columns = list(dict.fromkeys((c.benchmark, c.metric, c.steps) for c in facts.cells if not c.is_reference))
    return {"variant": "", "columns": columns, "families": True, "every_column": True} if columns else None


def _best(cells: list[Cell]) -> Cell:
    return sorted(cells, key=lambda c: Decimal(c.value_text), reverse=cells[0].higher_is_better)[0]


def compose(b: Builder, variant: str, columns: list[tuple[str, str, int]], families: bool = False,
            every_column: bool = False) -> None:
    """Yes when the variant is best in every column asked about, else no with the columns it loses."""
    if families and every_column:
        compose_gated_vs_dense_everywhere(b, columns)
        return
    if families:
        compose_gated_vs_dense(b, columns)
        return
    wins, losses = [], []
    for column in columns:
        cells = [c for c in b.facts.column_cells(*column) if not c.is_reference]
        best = _best(cells)
        own = next((c for c in cells if c.row == variant), None)
        top = Decimal(best.value_text)
        if own is not None and Decimal(own.value_text) == top:
            wins.append(f"- {describe(own)} ({direction(own)}): **{variant}** is best at {b.value(own)}.")
        else:
            line = f"- {describe(best)} ({direction(best)}): **{best.row}** is best at {b.value(best)}"
            losses.append(line + (f"; {variant} has {b.value(own)}." if own is not None else "."))
    if not losses:
        b.add(f"Yes: in the GLU-variants paper {variant} is the best variant in every column asked about.")
    else:
        b.add(f"No. {variant} is not the best on every benchmark in the GLU-variants paper; no single variant "
              "wins them all.")
    b.add("\n".join(losses + wins))


def compose_gated_vs_dense(b: Builder, columns: list[tuple[str, str, int]]) -> None:
    """'The gated variants beat the dense ones': true in a column when its worst gated variant beats its
    best dense one, partly when only some gated variants do."""
    verdicts, lines = [], []
    for column in columns[:6]:
        sides = _gated_against_dense(b.facts, column)
        if sides is None:
            continue
        gated, worst_gated, best_dense, lower = sides
        g, d = Decimal(worst_gated.value_text), Decimal(best_dense.value_text)
        all_beat = g < d if lower else g > d
        some_beat = any((Decimal(c.value_text) < d) if lower else (Decimal(c.value_text) > d) for c in gated)
        verdicts.append("all" if all_beat else "some" if some_beat else "none")
        lines.append(f"- {describe(best_dense)} ({direction(best_dense)}): the weakest gated variant, "
                     f"{worst_gated.row}, has {b.value(worst_gated)}; the best dense one, {best_dense.row}, has "
                     f"{b.value(best_dense)}.")
    if not verdicts:
        b.add("The stored columns asked about do not hold both gated and dense variants.")
        return
    if all(v == "all" for v in verdicts):
        lead = "Yes: every gated variant beats every dense (ungated) one in the GLU-variants paper"
    elif all(v == "none" for v in verdicts):
        lead = "No: no gated variant beats the best dense (ungated) one in the GLU-variants paper"
    else:
        lead = "Partly: not every gated variant beats every dense (ungated) one in the GLU-variants paper"
    b.add(lead + " for what you asked about.\n\n" + "\n".join(lines))


def _gated_against_dense(facts: Facts, column: tuple[str, str, int]) -> tuple[list[Cell], Cell, Cell, bool] | None:
    """A column's gated cells, its weakest gated cell, its best dense cell and whether lower is better; None
    when the column does not hold both kinds."""
    cells = [c for c in facts.column_cells(*column) if not c.is_reference and c.row in facts.variants]
    gated = [c for c in cells if facts.variants[c.row].get("gated")]
    dense = [c for c in cells if not facts.variants[c.row].get("gated")]
    if not gated or not dense:
        return None
    lower = not cells[0].higher_is_better
    return gated, sorted(gated, key=lambda c: Decimal(c.value_text), reverse=lower)[0], _best(dense), lower


def compose_gated_vs_dense_everywhere(b: Builder, columns: list[tuple[str, str, int]]) -> None:
    """'Every gated variant beats every dense one on every metric', decided over every column: the columns
    where it holds are counted and named, and each column where the best dense variant reaches the weakest
    gated one is listed with both cells (the counts are registered sums)."""
    facts = b.facts
    held: list[tuple[Cell, Cell]] = []
    failed: list[tuple[Cell, Cell]] = []
    for column in columns:
        sides = _gated_against_dense(facts, column)
        if sides is None:
            continue
        _, worst_gated, best_dense, lower = sides
        g, d = Decimal(worst_gated.value_text), Decimal(best_dense.value_text)
        (held if (g < d if lower else g > d) else failed).append((worst_gated, best_dense))
    if not held and not failed:
        b.add("The stored tables hold no column with both gated and dense variants.")
        return
    b.cite(paper_citation(facts.main_paper()))

    def count(items: list[Any], label: str) -> int:
        return int(b.computed("arith", {"op": "add", "operands": [{"number": 1} for _ in items]}, label)["result"])

    for pair in held:  # the columns named as holding: their cells are the evidence
        for cell in pair:
            b.cite(cell.citation())
    total = count(held + failed, "columns with gated and dense variants")
    named = ", ".join(describe(weakest) for weakest, _ in held)
    if not failed:
        b.add(f"Yes: in all **{total}** columns of the GLU-variants paper's tables every gated variant beats every "
              f"dense (ungated) one.")
        return
    where = (f"it holds in only **{count(held, 'columns where every gated variant wins')}** of them ({named})"
             if held else "it holds in none of them")
    lead = "No, only partly" if held else "No"
    b.add(f"{lead}: over all **{total}** columns of the GLU-variants paper's tables (sub-tasks included) {where}; "
          f"in the other **{count(failed, 'columns where a dense variant reaches a gated one')}** the best dense "
          "variant beats (or ties) the weakest gated one (single runs; reference rows never compete):")
    lines = ["| column | best dense | weakest gated |", "|---|---|---|"]
    for weakest, best in failed:
        lines.append(f"| {describe(best)} ({direction(best)}) | {best.row} {b.value(best)} | {weakest.row} "
                     f"{b.value(weakest)} |")
    b.add("\n".join(lines))


#: A number as people paste it into arithmetic ("768", "4,718,592", "2/3" is two numbers and a division).
_NUM = r"\d[\d,]*(?:\.\d+)?"
#: A product or quotient of written-out numbers ("3*768*2048", "2 × 768 × 3072", "3·768·2048", "8192/3").
PRODUCT = re.compile(rf"{_NUM}(?:\s*[*×·x/÷]\s*{_NUM})+|{_NUM}")
#: An equality between such expressions, the way an asker doubts one ("really equals", "==", "is the same as").
EQUALS = re.compile(r"\s*(?:={1,2}|(?:(?:really|actually|truly|exactly)\s+)?(?:equals?|is equal to|equal to|"
                    r"is the same as|the same as|same as|matches|gives the same as))\s*", re.IGNORECASE)


def _beside_equality(part: str, match: re.Match[str], first: bool) -> bool:
    """Whether the expression found in one side of an equality is the side's own end next to the equality word
    (a number inside a model's name, "falcon-7b d_ff", is not what that side states)."""
    between = part[match.end():] if first else part[:match.start()]
    return not re.search(r"[a-z_]", between, re.IGNORECASE)


def detect_arithmetic(text: str) -> dict[str, Any] | None:
    """'3*768*2048 really equals 2*768*3072?': two (or more) written-out expressions set equal for checking,
    at least one of them a product or quotient; None otherwise."""
    parts = EQUALS.split(text)
    if len(parts) < 2:
        return None
    sides = []
    for i, part in enumerate(parts):
        found = list(PRODUCT.finditer(part))
        if not found:
            return None
        match = found[-1] if i == 0 else found[0]  # the expression next to the equality word
        if not _beside_equality(part, match, first=i == 0):
            return None  # "falcon-7b d_ff = 4*4544?": a named value on that side, not a written-out number
        sides.append(match.group(0))
    if not any(re.search(r"[*×·x/÷]", s) for s in sides):
        return None
    return {"expressions": sides}


def _factors(expression: str) -> tuple[list[Decimal], list[str]]:
    numbers = [Decimal(n.replace(",", "")) for n in re.findall(_NUM, expression)]
    ops = ["/" if o in "/÷" else "*" for o in re.findall(r"[*×·x/÷]", expression)]
    return numbers, ops


def compose_arithmetic(b: Builder, expressions: list[str]) -> None:
    """Each side computed (registered, so the check re-runs it), then yes or no: are they all equal?"""
    values = []
    shown = []
    for expression in expressions:
        numbers, ops = _factors(expression)
        value = numbers[0]
        for op, n in zip(ops, numbers[1:], strict=False):
            operands = [{"number": _plain(value)}, {"number": _plain(n)}]
            value = b.computed("arith", {"op": "div" if op == "/" else "mul", "operands": operands},
                               f"{expression}")["result"]
        values.append(value)
        if not ops and values:  # a stated result: its gap to the first expression, computed
            gap = b.computed("arith", {"op": "absdiff", "operands": [{"number": _plain(values[0])},
                                                                      {"number": _plain(value)}]},
                             f"|{expressions[0]} − {expression}|")["result"]
            values.append(value)
            shown.append(f"**{_written(value)}** as stated" + (f", off by {_written(gap)}" if gap else ""))
            continue
        written = "".join(f" {'÷' if o == '/' else '×'} {_written(n)}" for o, n in zip(ops, numbers[1:], strict=False))
        shown.append(f"{_written(numbers[0])}{written} = **{_written(value)}**")
    same = all(v == values[0] for v in values)
    b.add(("Yes: they are equal. " if same else "No: they are not equal. ") + "; ".join(shown) +
          " (computed by this service).")


def _plain(value: Decimal) -> int | float:
    """A computation operand as a number (an int when whole), so the check counts it as the asker's input."""
    return int(value) if value == value.to_integral_value() else float(value)


def _written(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{float(value):.6g}"
