"""Rankings and spreads over the activation table of the second stored paper (Narang et al. 2021).

Why apart from app.answers.tables: the answers read the GLU-variants paper's cells, whose benchmarks and
variants the lexicon knows; a question that names Narang et al. ("worst activation in narang by final
loss", "sigmoid early loss std (narang)") was answered from the wrong paper or fell out of scope. Its
first table is matched by its own column labels and row names (app.answers.second_paper_table), and
only its two-source cells compete in a ranking (single-source ones are shown nowhere in one). Every value
is a cited cell.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers.builder import Builder, round_like
from app.answers.cell_differences import LEAST_CHANGE, MOST_CHANGE, TO_THE_BEST
from app.answers.column_spread import RUNS_ASKED, spread_extreme
from app.answers.facts import Cell, Facts, paper_citation
from app.answers.framing import STATED_CHECK, is_claim, verdict
from app.answers.intents import BEST, HIGHEST, LOWEST, WORST, YES_NO, rank_order
from app.answers.ranking import COUNT, RANKING, count_asked, place_asked
from app.answers.second_paper_cells import compose_beside as compose_beside
from app.answers.second_paper_cells import compose_cells as compose_cells
from app.answers.second_paper_setup import ABOUT_PAPER as ABOUT_PAPER
from app.answers.second_paper_setup import compose_paper_info as compose_paper_info
from app.answers.second_paper_setup import compose_setup as compose_setup
from app.answers.second_paper_setup import setup_key as setup_key
from app.answers.second_paper_table import (
    APPENDIX,
    PAPER_ID,
    RANKED_COLUMNS,
    SIZE_COLUMNS,
    TABLE,
    _caveat,
    _cells,
    _columns,
    _count,
    _label,
    _number,
    _position,
    _rows,
    _table_cells,
    names_paper,
)
from app.answers.second_paper_table import COLUMN_WORDS as COLUMN_WORDS
from app.answers.second_paper_table import GENERIC_LOSS_WORDS as GENERIC_LOSS_WORDS
from app.answers.second_paper_table import NAMES as NAMES
from app.answers.second_paper_table import names_rows as names_rows
from app.answers.second_paper_table import names_size_columns as names_size_columns
from app.answers.second_paper_table import tables_asked as tables_asked
from app.answers.tables import ORDINALS
from app.answers.variant_groups import DENSE_ONLY, GATED_ONLY

SLOW = re.compile(r"\bslowest\b|\bslower\b")
FAST = re.compile(r"\bfastest\b|\bfaster\b|\bquickest\b|\bquicker\b")


#: "how much slower is swiglu than the baseline", "geglu vs reglu step/s": two rows set against each other.
AGAINST = re.compile(r"\bthan\b|\bvs\.?\b|\bversus\b|\bcompared (?:to|with)\b|\bagainst\b")
SUPERLATIVE = re.compile(r"\b\w+est\b|\bbest\b|\bworst\b|\brank|\border|\bsort|\btop\b|\bbottom\b")


def wants_ranking(text: str) -> bool:
    """A question naming the paper and asking for a best, worst, slowest or an ordered list (or for the row
    whose two columns differ the most)."""
    if names_paper(text) and MOST_CHANGE.search(text) and len(_columns(text)) == 2:
        return True
    if AGAINST.search(text) and not SUPERLATIVE.search(text):
        return False
    return names_paper(text) and bool(BEST.search(text) or SLOW.search(text) or FAST.search(text)
                                       or RANKING.search(text) or COUNT.search(text) or LOWEST.search(text)
                                       or HIGHEST.search(text) or WORST.search(text))


def compose_ranking(b: Builder, question: str) -> None:
    text = question.lower()
    facts = b.facts
    paper = facts.side_papers.get(PAPER_ID)
    if paper is not None and MOST_CHANGE.search(text) and len(_columns(text)) == 2:
        _compose_change_ranking(b, paper, sorted(_columns(text), key=lambda col: _position(text, col)),
                                least=bool(LEAST_CHANGE.search(text)))
        return
    table = tables_asked(text)[0]  # the appendix table when the question names it
    rows_of = [c for c in facts.side_cells if c.paper == PAPER_ID and c.table == table and not c.is_reference]
    pool = [c for c in rows_of if c.verification != "single-source" and _number(c) is not None]
    columns = _columns(text) or [c for c in RANKED_COLUMNS if c != "Step/s"]
    order = "worst" if SLOW.search(text) else "best" if FAST.search(text) else rank_order(question)
    count = count_asked(text)
    group = "gated" if GATED_ONLY.search(text) else "dense" if DENSE_ONLY.search(text) else ""
    lines, firsts, flagged = [], [], False
    for col in columns:
        cells = [c for c in pool if c.column == col]
        if len(cells) < 3:  # a column read in one copy only (WMT): its single-source cells, flagged
            cells = [c for c in rows_of if c.column == col and _number(c) is not None]
            flagged = flagged or any(c.verification == "single-source" for c in cells)
        if group:
            cells = [c for c in cells if _gated(c.row) == (group == "gated")]
        if not cells:
            continue
        descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                      "lowest": False, "highest": True}[order]
        ordered = sorted(cells, key=lambda c: _number(c) or Decimal(0), reverse=descending)
        firsts.append([c.row for c in ordered if _number(c) == _number(ordered[0])])
        shown = ordered[:count] if count else ordered
        place = place_asked(text)
        marked = shown[place - 1] if place and len(shown) >= place else shown[0]
        entries = [f"{'**' + c.row + '**' if c is marked else c.row} {b.value(c)}" for c in shown]
        named = [c for c in ordered if c.row in _rows(ordered, text)]
        where = "".join(f"{c.row} is {_place(ordered, c)} of the {_count(len(ordered))}"
                        + (f", {abs(b.diff(ordered[0], c))} behind {ordered[0].row}" if TO_THE_BEST.search(text)
                           and _number(c) != _number(ordered[0]) else "") + "; " for c in named[:2])
        lines.append(f"- {_label(cells[0])}: {where}" + ", then ".join(entries) + ".")
    if paper is None or not lines:
        b.add("The stored table of Narang et al. has no such column.")
        return
    b.cite(paper_citation(paper))
    first = {"best": "best first", "worst": "worst first", "lowest": "lowest first", "highest": "highest first"}
    claimed = _rows(pool, text) if len(firsts) == 1 else []
    which = {"gated": "The gated activations", "dense": "The ungated activations"}.get(group, "Activations")
    sources = ("most of the column was read in one copy of the paper only: single-source" if flagged
               else "single-source cells left out")
    asked = PAPER_PREFIX.sub("", question)  # "narang: is softplus really the slowest?" is a yes/no question
    b.add(verdict(asked, claimed, firsts[0] if claimed else []) +
          f"{which} in Table {table} of {paper['authors']} ({paper['year']}), “{paper['title']}”, ranked "
          f"({first[order]}; {sources}):\n\n" + "\n".join(lines))


def ranked_first(question: str, facts: Facts) -> list[str]:
    """The rows a ranking of one column of Narang et al.'s table puts first (all of them when tied), read
    from the cells the way :func:`compose_ranking` orders them; [] for several columns, a count, a place or
    a ranking of changes between columns.

    Why: the next question may set that row against a later one ("… and the smallest one?" … "how far
    apart"), so the thread keeps it as a subject, as it does for the GLU-variants paper's rankings."""
    text = question.lower()
    columns = _columns(text)
    if len(columns) != 1 or MOST_CHANGE.search(text) or count_asked(text) or place_asked(text):
        return []
    table = tables_asked(text)[0]
    rows_of = [c for c in facts.side_cells if c.paper == PAPER_ID and c.table == table and not c.is_reference
               and c.column == columns[0] and _number(c) is not None]
    pooled = [c for c in rows_of if c.verification != "single-source"]
    cells = pooled if len(pooled) >= 3 else rows_of
    group = "gated" if GATED_ONLY.search(text) else "dense" if DENSE_ONLY.search(text) else ""
    if group:
        cells = [c for c in cells if _gated(c.row) == (group == "gated")]
    if not cells:
        return []
    order = "worst" if SLOW.search(text) else "best" if FAST.search(text) else rank_order(question)
    descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                  "lowest": False, "highest": True}[order]
    values = [_number(c) or Decimal(0) for c in cells]
    top = max(values) if descending else min(values)
    return [c.row for c, value in zip(cells, values, strict=True) if value == top]


#: The paper named before the question proper ("narang: …", "Narang et al. - …").
PAPER_PREFIX = re.compile(r"^\s*(?:in\s+)?narang(?:'s)?(?: et al\.?)?(?: \(?2021\)?)?\s*[:,\-–—]\s*", re.IGNORECASE)


def _place(ordered: list[Cell], cell: Cell) -> str:
    """'fourth' (or 'fourth, tied'): where a row sits in its column, counted from the best."""
    better = (lambda c: (_number(c) or 0) > (_number(cell) or 0)) if cell.higher_is_better else (
        lambda c: (_number(c) or 0) < (_number(cell) or 0))
    ahead = sum(1 for c in ordered if better(c))
    tied = sum(1 for c in ordered if _number(c) == _number(cell)) > 1
    return ORDINALS[ahead] + (", tied" if tied else "") if ahead < len(ORDINALS) else "last"


def _compose_change_ranking(b: Builder, paper: dict[str, Any], columns: list[str], least: bool) -> None:
    """Every row's difference between two columns (first named − second), largest first (or smallest)."""
    first, second = columns
    diffs = []
    for row in dict.fromkeys(c.row for c in _cells(b.facts)):
        x, y = (b.facts.side_cell(PAPER_ID, TABLE, row, col) for col in (first, second))
        if x is not None and y is not None and _number(x) is not None and _number(y) is not None:
            diffs.append((b.diff(x, y), x, y))
    if not diffs:
        b.add("The stored table of Narang et al. has no such pair of columns.")
        return
    b.cite(paper_citation(paper))
    diffs.sort(key=lambda d: abs(d[0]), reverse=not least)
    top = diffs[0]
    listed = ", ".join(f"{x.row} {abs(d)}" for d, x, _ in diffs)
    b.add(f"{'Smallest' if least else 'Largest'} change from {first} to {second} in Table {TABLE} of "
          f"{paper['authors']} ({paper['year']}): **{top[1].row}**, {b.value(top[1])} → {b.value(top[2])} "
          f"({abs(top[0])}). Every row, {'smallest' if least else 'largest'} first: {listed}.")


def _gated(row: str) -> bool:
    """A gated (GLU-family) row of the table: GLU, GeGLU, ReGLU, SwiGLU, LiGLU."""
    return row.endswith("GLU")


#: "is the gap bigger than the noise", "is the difference significant": two rows' gap against their spreads.
PAIR_GAP = re.compile(r"\bgap\b|\bdifference\b|\bdiff\b|\bapart\b|\bmargin\b|\bsignifican|\b(?:bigger|larger|"
                      r"greater|more|smaller|less) than\b|\b(?:within|beyond|outside|above) (?:the )?noise\b")


def _gap_verdict(b: Builder, x: Cell, y: Cell) -> str | None:
    """Whether two rows' early-loss gap exceeds the spread of a difference of their runs, said first."""
    gap = abs(b.diff(x, y))
    spread, _how = b.spread(x, y)
    if spread is None:
        return None
    needed = round_like(spread, x.value_text)
    against = (f"the spread a gap between them has to exceed (the root of the summed squares of their stddevs "
               f"{b.stddev(x)} and {b.stddev(y)})")
    if gap > spread:
        return f"Yes: the {gap} gap between {x.row} and {y.row} is bigger than {needed}, {against}."
    return f"No: the {gap} gap between {x.row} and {y.row} is within the noise, smaller than {needed}, {against}."


def _single_run_verdict(columns: list[str]) -> str:
    """The direct answer to 'is the gap bigger than the noise' on columns the paper prints as single runs.

    Why said first: the early loss's spread, shown after it, belongs to another column; leading with its
    verdict would answer a question about a gap nobody asked."""
    named = " and ".join(columns)
    return (f"The paper cannot say: its {named} {'cells are' if len(columns) > 1 else 'column is'} single runs "
            "with no run-to-run spread printed, so there is no noise figure to set the gap against.")


#: "why does narang only give a std for the early loss": why the table is laid out as it is, which it does not say.
WHY_LAID_OUT = re.compile(r"\b(?:why|how come)\b.{0,60}\b(?:only|just|no|not)\b", re.IGNORECASE)


def noisiest_rows(question: str, facts: Facts) -> list[str]:
    """The rows an extreme-spread answer ("which activation has the biggest std") names, as
    :func:`compose_spread` picks them; [] for any other spread question (the next question's "its mean" is
    theirs)."""
    extreme = spread_extreme(question.lower())
    cells = [c for c in _cells(facts) if c.stddev_text]
    if extreme is None or len(cells) < 2:
        return []
    ordered = sorted(cells, key=lambda c: Decimal(c.stddev_text or "0"), reverse=extreme == "most")
    return [c.row for c in ordered if c.stddev_text == ordered[0].stddev_text]


def compose_spread(b: Builder, question: str) -> None:
    text = question.lower()
    facts = b.facts
    if WHY_LAID_OUT.search(text):
        b.add("Narang et al. do not say why: the stored text of their paper gives no reason for which columns carry "
              "a run-to-run spread. What their Table 1 prints:")
    paper = facts.side_papers.get(PAPER_ID)
    cells = [c for c in _cells(facts) if c.stddev_text]
    rows = _rows(cells, text)
    shown = [c for c in cells if c.row in rows] if rows else cells
    if paper is None or not shown:
        b.add("The stored table of Narang et al. prints no run-to-run spread for that.")
        return
    b.cite(paper_citation(paper))
    extreme = spread_extreme(text)
    pasted = {Decimal(n) for n in re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", text)}
    by_value = [c.column for c in _cells(facts) if c.row in rows and _number(c) in pasted]
    single = [col for col in dict.fromkeys([*_columns(text), *by_value]) if col not in ("Early loss", *SIZE_COLUMNS)]
    asks_gap = len(shown) == 2 and extreme is None and bool(PAIR_GAP.search(text))
    lead = _gap_verdict(b, *shown) if asks_gap and not single else None  # the early loss's gap, when asked
    if lead is not None:
        b.add(lead)
    if asks_gap and single and rows:
        b.add(_single_run_verdict(single))
    if extreme is not None and len(shown) > 1:
        # "which activation has the noisiest early loss": the rows ordered by their printed stddev
        shown = sorted(shown, key=lambda c: Decimal(c.stddev_text or "0"), reverse=extreme == "most")
        top = [c for c in shown if c.stddev_text == shown[0].stddev_text]
        b.add(f"The {'largest' if extreme == 'most' else 'smallest'} run-to-run spread of the early loss in "
              f"Narang et al. ({paper['year']}): **{', '.join(c.row for c in top)}** at ± {b.stddev(top[0])} "
              f"(mean {', '.join(b.value(c) for c in top)}).")
    if single and rows:
        # "is swiglu's 1.789 vs geglu's 1.792 in narang significant?": those cells are single runs
        for col in single:
            found = [facts.side_cell(PAPER_ID, TABLE, row, col) for row in rows]
            present = [c for c in found if c is not None]
            if len(present) >= 2:
                b.add(f"{_label(present[0])}: " + " vs ".join(f"{c.row} {b.value(c)}" for c in present)
                      + f", a gap of {abs(b.diff(present[0], present[1]))}. These are single runs: the paper "
                      "prints no spread for this column, so it does not separate the two.")
            elif present:
                b.add(f"{present[0].row}'s {_label(present[0])} is {b.value(present[0])}, a single run: the paper "
                      "prints no spread for this column.")
    if APPENDIX in tables_asked(text):
        # the appendix table prints the early loss's stddev in a column of its own, for two rows only
        appendix = [c for c in facts.side_cells if c.paper == PAPER_ID and c.table == APPENDIX
                    and c.column == "Early loss std" and (not rows or c.row in rows)]
        if appendix:
            b.add(f"Table {APPENDIX} of Narang et al. ({paper['year']}) (learned positional embeddings) prints the "
                  "early-loss stddev for " + ", ".join(f"{c.row}: {b.value(c)}{_caveat(c)}" for c in appendix) + ".")
    if RUNS_ASKED.search(text):
        columns_fact = facts.paper_fact(PAPER_ID, "columns")
        if columns_fact is not None:
            b.cite(columns_fact)
            b.add(f"How the early loss is reported: {columns_fact['value']} ({columns_fact['location']}).")
    values = ", ".join(f"{c.row} {b.value(c)} ± {b.stddev(c)}" for c in shown)
    stated = {Decimal(n) for n in re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", text)}
    if stated and rows and YES_NO.search(PAPER_PREFIX.sub("", text)) and not single:
        # "is swiglu's early loss std 0.003 in narang?": the printed stddev decides
        printed = {Decimal(c.stddev_text) for c in shown if c.stddev_text} | {n for c in shown if (n := _number(c))}
        b.add("Yes." if stated <= printed else "No.")
    b.add(f"Narang et al. ({paper['year']}) print a run-to-run spread only for the early loss: the "
          f"{_label(shown[0])}, mean ± stddev over the runs: {values}. Their other columns are single runs "
          "with no spread printed.")


def compose_verify(b: Builder, question: str, numbers: list[float]) -> None:
    """A yes/no question about a number of this paper's table: which cell holds it, and the cell asked about."""
    text = question.lower()
    cells = _table_cells(b.facts)
    rows, columns = _rows(cells, text), _columns(text)
    asked = [c for c in cells if (not rows or c.row in rows) and (not columns or c.column in columns)]
    paper = b.facts.side_papers.get(PAPER_ID)
    if paper is None:
        b.add("The stored table of Narang et al. is not loaded.")
        return
    b.cite(paper_citation(paper))
    statements = []
    fits = False
    for number in numbers[:3]:
        wanted = Decimal(repr(number))
        holding = [c for c in cells if _number(c) == wanted]
        fits = fits or any(c in asked for c in holding)
        for cell in sorted(holding, key=lambda c: c not in asked)[:2]:
            statements.append(f"{b.value(cell)} is {cell.row}'s {_label(cell)}{_caveat(cell)}.")
        if not holding:
            statements.append("That number is not in its Table 1.")
    if not fits:
        statements += [f"{c.row}'s {_label(c)} is **{b.value(c)}**{_caveat(c)}." for c in asked[:2]
                       if Decimal(repr(numbers[0])) != _number(c)] if numbers and len(asked) <= 4 else []
    verdict = ("Yes." if fits else "No.") if YES_NO.search(text) or is_claim(question) or STATED_CHECK.search(
        question) else ""
    b.add(" ".join([verdict, f"In Table {TABLE} of {paper['authors']} ({paper['year']}):", *statements]).strip())
