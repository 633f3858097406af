"""The cells of Narang et al.'s tables a question names by row and column, and the same comparison shown
beside one of the GLU-variants paper.

Why apart from the rankings of app.answers.second_paper: a look-up orders nothing; it sets the named rows
side by side (or one row's two columns, or its two tables) with their difference, and its line wording is
shared only with the comparison shown beside the main paper's. Every value is a cited cell.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers.builder import Builder
from app.answers.facts import Cell, Facts, paper_citation
from app.answers.framing import confirmed
from app.answers.ranking import BEATERS
from app.answers.second_paper_table import (
    CELL_GAP,
    PAPER_ID,
    TABLE,
    _caveat,
    _columns,
    _count,
    _label,
    _number,
    _position,
    _rows,
    _table_cells,
    tables_asked,
)

HEADLINE_COLUMNS = ("Final loss", "SuperGLUE", "XSum", "WebQ", "WMT EnDe")


def compose_cells(b: Builder, question: str) -> None:
    """The cells of the rows and columns a question names; two rows are set side by side with their
    difference (computed from the printed values) and what the paper's spread says about it. One row asked
    for a gap between two columns, or between the two tables, gets that difference; a column named without
    a row ("narang's params and ops") is shown for every row."""
    text = question.lower()
    facts = b.facts
    paper = facts.side_papers.get(PAPER_ID)
    tables = tables_asked(text)
    cells = [c for c in facts.side_cells if c.paper == PAPER_ID and c.table in tables]
    rows = _rows(cells, text)
    columns = _columns(text) or list(HEADLINE_COLUMNS)
    if paper is not None and len(rows) == 1 and BEATERS.search(text):
        _compose_beaters(b, paper, rows[0], columns, tables[0])
        return
    if paper is None or not (rows or _columns(text)):
        b.add("The stored table of Narang et al. has no such row.")
        return
    b.cite(paper_citation(paper))
    where = " and ".join(f"Table {t}" for t in tables) + f" of {paper['authors']} ({paper['year']})"
    lines = []
    if not rows:
        lines = [_column_line(b, [c for c in cells if c.column == col and c.table == tables[0]]) for col in columns]
        lines = [line for line in lines if line]
    elif len(rows) == 1 and len(tables) == 2:
        for col in columns:
            pair = [facts.side_cell(PAPER_ID, t, rows[0], col) for t in tables]
            if all(c is not None for c in pair):
                lines.append(_gap_line(b, [c for c in pair if c is not None], by_table=True))
    elif len(rows) == 1 and len(columns) == 2 and CELL_GAP.search(text):
        in_order = sorted(columns, key=lambda col: _position(text, col))  # "early minus final": as written
        pair = [facts.side_cell(PAPER_ID, tables[0], rows[0], col) for col in in_order]
        if all(c is not None for c in pair):
            lines.append(_gap_line(b, [c for c in pair if c is not None], by_table=False))
    if rows and not lines:
        for col in columns:
            found = [facts.side_cell(PAPER_ID, tables[0], row, col) for row in rows]
            present = [c for c in found if c is not None]
            if not present:
                continue
            lines.append(_compare_line(b, present) if len(present) >= 2 else _value_line(b, present[0]))
    if not lines:
        b.add(f"{where} has no such column for {', '.join(rows)}.")
        return
    title = facts_table_title(cells, tables)
    if "LiGLU" in rows and "bilinear" in text and "liglu" not in text:  # the asker's name for the row
        title += ", where LiGLU is their name for the Bilinear FFN"
    lead = (f"In {where}{title}, “{paper['title']}”:" if len(lines) > 1 else f"In {where}{title}:")
    listed = "\n\n" + "\n".join(f"- {line}" for line in lines) if len(lines) > 1 else " " + lines[0]
    b.add(confirmed(question, "\n".join(lines)) + lead + listed)


def _compose_beaters(b: Builder, paper: dict[str, Any], row: str, columns: list[str], table: int) -> None:
    """The rows better than one named row ('which activations beat the vanilla baseline on superglue')."""
    b.cite(paper_citation(paper))
    lines = []
    for col in columns:
        cells = [c for c in b.facts.side_cells if c.paper == PAPER_ID and c.table == table and c.column == col
                 and _number(c) is not None]
        own = next((c for c in cells if c.row == row), None)
        if own is None:
            continue
        mine = _number(own) or Decimal(0)
        better = sorted((c for c in cells if c.row != row and (_number(c) or mine) != mine
                         and ((_number(c) or mine) > mine) == own.higher_is_better),
                        key=lambda c: _number(c) or Decimal(0), reverse=own.higher_is_better)
        listed = ", ".join(f"{c.row} {b.value(c)}{_caveat(c)}" for c in better) or "none"
        lines.append(f"- {_label(own)}: {_count(len(better))} of the other {_count(len(cells) - 1)} rows beat "
                     f"**{row}** ({b.value(own)}): {listed}.")
    if not lines:
        b.add(f"Table {table} of Narang et al. has no such column for {row}.")
        return
    b.add(f"In Table {table} of {paper['authors']} ({paper['year']}) (single runs: a small lead may be noise):"
          "\n\n" + "\n".join(lines))


def facts_table_title(cells: list[Cell], tables: list[int]) -> str:
    """' (the same activations with learned positional embeddings (App. A))' when the appendix table is read."""
    if tables == [TABLE]:
        return ""
    titles = {c.table: c.table_title for c in cells}
    return " (" + "; ".join(f"Table {t}: {titles[t][0].lower()}{titles[t][1:]}" for t in tables if t in titles) + ")"


def _column_line(b: Builder, cells: list[Cell]) -> str:
    """One column for every row: a single value when all rows share it (every activation row has 223M params)."""
    if not cells:
        return ""
    values = {c.value_text for c in cells}
    if len(values) == 1:
        return (f"{_label(cells[0]).split(' (')[0]}: **{b.value(cells[0])}** for every row of the table, "
                f"the same for all the activations{_caveat(cells[0])}.")
    return f"{_label(cells[0])}: " + ", ".join(f"{c.row} {b.value(c)}{_caveat(c)}" for c in cells) + "."


def _gap_line(b: Builder, shown: list[Cell], by_table: bool) -> str:
    """Two cells of one row (two columns, or one column in both tables) and their difference."""
    first, second = shown
    name = (lambda c: f"Table {c.table}") if by_table else (lambda c: c.column)
    values = " vs ".join(f"{name(c)} **{b.value(c)}**{_caveat(c)}" for c in shown)
    if _number(first) is None or _number(second) is None:
        return f"{first.row}: {values}."
    diff = b.diff(first, second)
    what = _label(first) if by_table else first.row
    return f"{what} of {first.row}: {values}; {name(first)} − {name(second)} = **{diff}**." if by_table else (
        f"{what}: {values}; {name(first)} − {name(second)} = **{diff}**.")


def _value_line(b: Builder, cell: Cell) -> str:
    spread = f" ± {b.stddev(cell)} (stddev over runs)" if cell.stddev_text else ""
    return f"{cell.row}'s {_label(cell)} is **{b.value(cell)}**{spread}{_caveat(cell)}."


def _compare_line(b: Builder, shown: list[Cell]) -> str:
    first, second = shown[0], shown[1]
    values = " vs ".join(f"{c.row} **{b.value(c)}**{_caveat(c)}" for c in shown)
    if _number(first) is None or _number(second) is None:
        return f"{_label(first)}: {values}."
    diff = b.diff(first, second)
    better = first if (diff > 0) == first.higher_is_better else second
    verdict = "equal" if diff == 0 else f"{better.row} is {'faster' if first.column == 'Step/s' else 'better'}"
    spread = (" The paper prints a run-to-run stddev for this column only: "
              + ", ".join(f"{c.row} ± {b.stddev(c)}" for c in shown if c.stddev_text) + "."
              if any(c.stddev_text for c in shown) else " Both are single runs: the paper prints no spread here.")
    return (f"{_label(first)}: {values}; {first.row} − {second.row} = {diff} ({verdict} by the printed values)."
            + spread)


def row_of(facts: Facts, variant: str) -> str | None:
    """This paper's row for a variant of the GLU-variants paper (LiGLU for FFN_Bilinear), if it has one."""
    return next((c.row for c in _table_cells(facts) if c.variant == variant), None)


#: "is liglu the same as bilinear", "liglu = bilinear?": the two names set equal.
SAME_LAYER = re.compile(r"\bsame\b|\bidentical\b|\bequal|\bequivalent\b|\bjust\b|=|\bother name\b|"
                        r"\banother name\b|\baka\b|^\s*(?:is|are|does|do)\b", re.IGNORECASE)


def alias_line(b: Builder, variant: str, question: str) -> str | None:
    """What a row name of this paper's table means when the question uses it for a variant the GLU-variants
    paper names otherwise ("what is liglu": Narang et al.'s name for Shazeer's Bilinear), else None."""
    row = row_of(b.facts, variant)
    paper = b.facts.side_papers.get(PAPER_ID)
    if row is None or paper is None or row.lower() in variant.lower():
        return None
    if not re.search(rf"(?<![\w-]){re.escape(row)}(?![\w-])", question, re.IGNORECASE):
        return None
    b.cite(paper_citation(paper))
    yes = "Yes: " if SAME_LAYER.search(question) else ""
    return (f"{yes}**{row}** is the name {paper['authors']} ({paper['year']}) give to the GLU-variants paper's "
            f"{variant}: the same layer under another name, so their {row} row and Shazeer's {variant} row "
            "describe one function (trained on different baselines, so compare orderings, not absolute numbers).")


def names_both(facts: Facts, variants: list[str], question: str) -> bool:
    """Whether a question sets this paper's row name of one variant against the GLU-variants paper's name
    ("is liglu the same as bilinear"): a question about the names, answered by the definition."""
    if len(variants) != 1 or not SAME_LAYER.search(question):
        return False
    row, own = row_of(facts, variants[0]), variants[0].removeprefix("FFN_")
    return row is not None and row.lower() != own.lower() and all(
        re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question, re.IGNORECASE) for name in (row, own))


def compose_beside(b: Builder, variants: list[str]) -> None:
    """Two variants compared in the main paper get the same comparison in this paper's table beside it,
    labelled as another baseline (its absolute losses are not comparable, its ordering is)."""
    if len(variants) != 2:
        return
    rows = [row_of(b.facts, v) for v in variants]
    paper = b.facts.side_papers.get(PAPER_ID)
    if paper is None or None in rows:
        return
    lines = []
    for col in ("Final loss", "SuperGLUE"):
        shown = [b.facts.side_cell(PAPER_ID, TABLE, str(row), col) for row in rows]
        if all(c is not None for c in shown):
            lines.append(_compare_line(b, [c for c in shown if c is not None]))
    if lines:
        b.cite(paper_citation(paper))
        b.add(f"In the other stored paper, {paper['authors']} ({paper['year']}) Table {TABLE} (another baseline: "
              "compare the ordering, not the absolute numbers):\n\n" + "\n".join(f"- {line}" for line in lines))
