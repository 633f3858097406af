"""Rankings and spreads over the activation table of the second stored paper (Narang et al. 2021).

Why apart from app.answers.tables: the answers read the GLU-variants paper's cells, whose benchmarks and
variants the lexicon knows; a question that names Narang et al. ("worst activation in narang by final
loss", "sigmoid early loss std (narang)") was answered from the wrong paper or fell out of scope. Its
first table is matched here by its own column labels and row names, and only its two-source cells
compete in a ranking (single-source ones are shown nowhere in one). Every value is a cited cell.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.answers.builder import Builder
from app.answers.facts import Cell, Facts, paper_citation
from app.answers.framing import NAMING, STATED_CHECK, YES_NO_START, confirmed, is_claim, verdict
from app.answers.intents import BEST, HIGHEST, LOWEST, WORST, YES_NO, rank_order
from app.answers.ranking import (
    BEATERS,
    COUNT,
    DENSE_ONLY,
    GATED_ONLY,
    LEAST_CHANGE,
    MOST_CHANGE,
    RANKING,
    RUNS_ASKED,
    TO_THE_BEST,
    count_asked,
    place_asked,
    spread_extreme,
)
from app.answers.tables import COUNT_WORDS, ORDINALS

PAPER_ID = "narang-2021"
TABLE = 1
#: Its appendix table: the same activations with learned positional embeddings (cells read in one copy).
APPENDIX = 2
NAMES = re.compile(r"\bnarang\b|\btransformer modifications transfer\b")
SLOW = re.compile(r"\bslowest\b|\bslower\b")
FAST = re.compile(r"\bfastest\b|\bfaster\b|\bquickest\b|\bquicker\b")
#: The question words that name a column of the table (its column labels as the table prints them).
COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "Early loss": ("early loss", "early", "65k", "65,536", "65536", "short run"),
    "Final loss": ("final loss", "final", "full training", "after full", "524k", "perplexity", "loss"),
    "SuperGLUE": ("superglue",),
    "XSum": ("xsum", "rouge"),
    "WebQ": ("webq", "web questions", "webquestions"),
    "WMT EnDe": ("wmt", "bleu", "en-de", "ende", "translation"),
    "Step/s": ("step/s", "steps per second", "speed", "fast", "fastest", "faster", "slow", "slowest", "slower",
               "throughput", "per step", "steps/sec", "steps/second", "step/sec", "steps/s", "step rate",
               "training speed", "it/s"),
    "Params": ("params", "parameters", "parameter count", "param count", "model size", "how big"),
    "Ops": ("ops", "flops", "operations", "ops per sequence"),
}
#: Words of the final-loss column that name any loss: beside a 65k length they mean the early loss.
GENERIC_LOSS_WORDS = frozenset({"loss", "perplexity"})
RANKED_COLUMNS = ("Final loss", "Early loss", "SuperGLUE", "XSum", "WebQ", "WMT EnDe", "Step/s")
#: Columns that hold the matched model size: the same for every row, never ranked.
SIZE_COLUMNS = ("Params", "Ops")


#: Columns and rows only Narang et al.'s table has: a question using them is about that paper even unnamed
#: ("liglu wmt bleu", "xsum rouge-2 for geglu", "elu's superglue score") …
ONLY_HERE_COLUMNS = re.compile(r"\bxsum\b|\brouge(?:-?2)?\b|\bwebq(?:uestions)?\b|\bweb questions\b|\bwmt\b|"
                               r"\bbleu\b|\ben-?de\b|\bearly loss\b")
ONLY_HERE_ROWS = re.compile(r"\bliglu\b|\belu\b|\bselu\b|\bsoftplus\b|\bsigmoid\b|\bvanilla transformer\b")
SHARED_COLUMNS = re.compile(r"\bsuperglue\b|\bsuper glue\b|\bfinal loss\b|\bstep/s\b|\bsteps per second\b|"
                            r"\bsteps/sec\b")
#: … unless it names the GLU-variants paper.
MAIN_NAMED = re.compile(r"\bshazeer\b|\bglu[- ]variants\b|\bglu paper\b|\b2002\.05202\b")


def names_paper(text: str) -> bool:
    """The question names the paper, or asks for a column or row (with one of its columns) only it has."""
    if NAMES.search(text):
        return True
    if MAIN_NAMED.search(text):
        return False
    return bool(ONLY_HERE_COLUMNS.search(text)) or bool(ONLY_HERE_ROWS.search(text) and SHARED_COLUMNS.search(text))


def _columns(text: str) -> list[str]:
    """The columns a question names; 'early loss' is not also 'final loss' (longest words first)."""
    found, rest, generic_only = [], text, set()
    pairs = sorted(((w, col) for col, words in COLUMN_WORDS.items() for w in words), key=lambda p: -len(p[0]))
    for word, col in pairs:
        pattern = rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])"
        if re.search(pattern, rest):
            if col not in found:
                found.append(col)
                generic_only.add(col)
            if word not in GENERIC_LOSS_WORDS:
                generic_only.discard(col)
            rest = re.sub(pattern, " ", rest)
    if "Early loss" in found and "Final loss" in generic_only:
        found.remove("Final loss")  # "softplus loss at 65k": the length names the loss column
    return [c for c in (*RANKED_COLUMNS, *SIZE_COLUMNS) if c in found]


def _cells(facts: Facts) -> list[Cell]:
    return [c for c in facts.side_cells if c.paper == PAPER_ID and c.table == TABLE and not c.is_reference]


#: Other words for a row of the table (its baseline is "the vanilla Transformer" in the text).
ROW_ALIASES = {"Vanilla Transformer": ("vanilla", "baseline", "relu"), "Swish": ("silu",)}


def _rows(cells: list[Cell], text: str) -> list[str]:
    """The rows a question names, in the order it names them."""
    found = []
    for row in dict.fromkeys(c.row for c in cells):
        for word in (row.lower(), *ROW_ALIASES.get(row, ())):
            hit = re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text)
            if hit:
                found.append((hit.start(), row))
                break
    return [row for _, row in sorted(found)]


def _table_cells(facts: Facts) -> list[Cell]:
    return [c for c in facts.side_cells if c.paper == PAPER_ID and c.table == TABLE]


def names_rows(text: str, facts: Facts) -> bool:
    """A question naming the paper and one or more of its table's rows ('SeLU final loss narang')."""
    return names_paper(text) and bool(_rows(_table_cells(facts), text))


def _position(text: str, column: str) -> int:
    """Where the question first names a column (for a difference taken in the order written)."""
    hits = [m.start() for w in COLUMN_WORDS[column]
            for m in [re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", text)] if m]
    return min(hits, default=len(text))


def names_size_columns(text: str) -> bool:
    """'how big were narang's models, params and ops': the paper and only its model-size columns."""
    columns = _columns(text)
    return names_paper(text) and bool(columns) and set(columns) <= set(SIZE_COLUMNS)


def _number(cell: Cell) -> Decimal | None:
    try:
        return Decimal(cell.value_text)
    except InvalidOperation:
        return None


def _label(cell: Cell) -> str:
    if cell.column in SIZE_COLUMNS:  # the matched model size: neither direction is better
        return cell.column
    return f"{cell.column} ({'higher' if cell.higher_is_better else 'lower'} is better)"


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


def compose_spread(b: Builder, question: str) -> None:
    text = question.lower()
    facts = b.facts
    paper = facts.side_papers.get(PAPER_ID)
    cells = [c for c in _cells(facts) if c.stddev_text]
    rows = _rows(cells, text)
    shown = [c for c in cells if c.row in rows] if rows else cells
    if paper is None or not shown:
        b.add("The stored table of Narang et al. prints no run-to-run spread for that.")
        return
    b.cite(paper_citation(paper))
    extreme = spread_extreme(text)
    if extreme is not None and len(shown) > 1:
        # "which activation has the noisiest early loss": the rows ordered by their printed stddev
        shown = sorted(shown, key=lambda c: Decimal(c.stddev_text or "0"), reverse=extreme == "most")
        top = [c for c in shown if c.stddev_text == shown[0].stddev_text]
        b.add(f"The {'largest' if extreme == 'most' else 'smallest'} run-to-run spread of the early loss in "
              f"Narang et al. ({paper['year']}): **{', '.join(c.row for c in top)}** at ± {b.stddev(top[0])} "
              f"(mean {', '.join(b.value(c) for c in top)}).")
    pasted = {Decimal(n) for n in re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", text)}
    by_value = [c.column for c in _cells(facts) if c.row in rows and _number(c) in pasted]
    single = [col for col in dict.fromkeys([*_columns(text), *by_value]) if col not in ("Early loss", *SIZE_COLUMNS)]
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


HEADLINE_COLUMNS = ("Final loss", "SuperGLUE", "XSum", "WebQ", "WMT EnDe")


#: Words naming the paper's appendix table (the same activations with learned positional embeddings) …
APPENDIX_TABLE = re.compile(r"\bappendix\b|\bapp\.? ?a\b|\btable 2\b|\blearned[- ]pos|\blearned position|"
                            r"\babsolute position|\bpositional embeddings?\b")
#: … and the main one, when a question sets the two against each other.
MAIN_TABLE = re.compile(r"\bmain (?:table|results?|one)\b|\btable 1\b|\brelative[- ]attention\b|\brelative "
                        r"position|\bheadline table\b")
#: "how much does the appendix table change vanilla's superglue": the appendix set against the main table.
TABLE_CHANGE = re.compile(r"\bchange[sd]?\b|\bdiffer\w*\b|\bcompared?\b|\bvs\.?\b|\bversus\b|\bthan\b|\bshift")
#: A difference asked between two cells of one row (two columns, or one column in both tables).
CELL_GAP = re.compile(r"\bminus\b|\bgap\b|\bdifference\b|\bdelta\b|\bdiff\b|\bhow much\b|\bhow far\b|"
                      r"\bdrop(?:s|ped)?\b|\bfall(?:s)?\b|\bfell\b|\bchange\b|\bimprove|\bworse\b|\bbetter\b|"
                      r"\bgain\b|\s-\s|\bvs\.?\b|\bversus\b")


def tables_asked(text: str) -> list[int]:
    """The tables of the paper a question reads: the appendix one when it names it (first), the main one
    otherwise or as well when both are named."""
    if not APPENDIX_TABLE.search(text):
        return [TABLE]
    return [APPENDIX, TABLE] if MAIN_TABLE.search(text) or TABLE_CHANGE.search(text) or CELL_GAP.search(text) else [
        APPENDIX]


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


def _count(n: int) -> str:
    """A count in words (an answer shows no number it cannot trace)."""
    return COUNT_WORDS[n] if n < len(COUNT_WORDS) else "all"


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


def _caveat(cell: Cell) -> str:
    return " (single-source: read in one copy of the paper only, not confirmed in a second)" if (
        cell.verification == "single-source") else ""


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


#: The paper's stored setup and reading facts, and the question words that ask for each (most specific first).
SETUP_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("vanilla_superglue_text", re.compile(r"\btext\b.{0,40}\btable\b|\btable\b.{0,40}\btext\b|70\.97|"
                                          r"\bin the (?:paper'?s )?text\b|\btext (?:says|gives|reports|has)\b")),
    ("one_ninth", re.compile(r"1/9|1/8|one[- ]ninth|fraction of (?:the )?pre-?training")),
    ("bold", re.compile(r"\bbold")),
    ("gelu_variant", re.compile(r"which gelu|gelu (?:implementation|variant|version)|tanh .{0,20}gelu|exact gelu")),
    ("gates", re.compile(r"\bliglu\b|\bbilinear\b|\bgates?\b")),
    ("not_comparable", re.compile(r"comparab|compare .{0,30}(?:absolute|losses|numbers)|same baseline|mix|"
                                  r"\bdiffer\w*\b.{0,40}\bshazeer|\bshazeer\b.{0,40}\bdiffer|unlike shazeer")),
    ("normalization_biases", re.compile(r"layer ?norm|rms ?norm|\bbias")),
    ("wmt", re.compile(r"\bwmt\b.{0,40}\b(?:trained|steps|pre-?train|setup)|translation setup")),
    ("finetuning", re.compile(r"fine-?tun")),
    ("pretraining", re.compile(r"pre-?train|\bbatch\b|\boptimi[sz]er\b|\badafactor\b|learning rate")),
    ("d_ff", re.compile(r"\bd_ff\b|ffn (?:size|width|dim)")),
    ("baseline", re.compile(r"\bbaseline\b|\blayers\b|\bd_model\b|\bparameters\b|\bheads\b|setup")),
    ("columns", re.compile(r"\bcolumns?\b|what does .{0,20}table (?:report|show)")),
)
#: How a column was produced (fine-tuning length, runs behind the early loss), asked even when it names the column.
RECIPE_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("finetuning", re.compile(r"fine-?tun\w*.{0,40}\bsteps?\b|\bsteps?\b.{0,40}fine-?tun")),
    ("columns", re.compile(r"\b(?:seeds?|runs)\b.{0,40}\bearly\b|\bearly\b.{0,40}\b(?:seeds?|runs)\b")),
)
#: "the gap between the text and the table": the difference of the two printed values is asked for.
GAP = re.compile(r"\bgap\b|\bdifference\b|\bdiffer(?:s|ence)? by\b|\bhow (?:much|far) (?:apart|off)\b|\bdelta\b")
SAME = re.compile(r"\bsame\b|\bidentical\b|\bequals?\b|\bequivalent\b|\b(?:just|really) (?:the|a)\b|\s(?:=|==|≡)\s")


#: "why don't narang's losses line up with shazeer's": whether the two papers' numbers can be set side by side,
#: even when the question names a column.
MISMATCH = re.compile(r"\b(?:line up|lines up|match(?:es)?|agree|consistent|disagree|mismatch|add up|higher than|"
                      r"lower than|bigger than|smaller than|different from|worse than|off from)\b.{0,60}"
                      r"\bshazeer|\bshazeer\b.{0,60}\b(?:line up|match(?:es)?|agree|consistent|disagree|mismatch)\b")
#: Setup facts asked in words no cell question uses; the others only when no row or column is named.
SPECIFIC_SETUP = frozenset({"vanilla_superglue_text", "one_ninth", "bold", "gelu_variant"})


def setup_key(text: str, facts: Facts) -> str | None:
    """The stored setup fact of the paper a question asks about, if it names the paper and one ('narang:
    swiglu vs the baseline on superglue' names cells, not the baseline's setup)."""
    if not names_paper(text):
        return None
    if MISMATCH.search(text) and facts.paper_fact(PAPER_ID, "not_comparable") is not None:
        return "not_comparable"
    recipe = next((key for key, words in RECIPE_ASKED if words.search(text) and facts.paper_fact(PAPER_ID, key)), None)
    if recipe is not None:  # "narang fine-tuned superglue for 262144 steps?": how, not the column's cells
        return recipe
    asks_cells = bool(_rows(_table_cells(facts), text) or _columns(text)) and not (
        "liglu" in text and "bilinear" in text and not _columns(text)) and not NAMING.search(text)
    return next((key for key, words in SETUP_WORDS if words.search(text)
                 and (key in SPECIFIC_SETUP or not asks_cells)
                 and facts.paper_fact(PAPER_ID, key) is not None), None)


def compose_setup(b: Builder, question: str) -> None:
    """The fact as the paper's setup states it (a yes/no 'is LiGLU the same as Bilinear?' gets its verdict)."""
    text = question.lower()
    key = setup_key(text, b.facts)
    fact = b.facts.paper_fact(PAPER_ID, key) if key else None
    paper = b.facts.side_papers.get(PAPER_ID)
    if fact is None or paper is None:
        b.add("The stored setup of Narang et al. does not say.")
        return
    b.cite(paper_citation(paper))
    b.cite(fact)
    lead = ""
    if key == "gates" and SAME.search(text) and "bilinear" in text and "liglu" in text:
        lead = "Yes: LiGLU is Shazeer's Bilinear (both gates are linear). "
    elif key == "one_ninth" and YES_NO.search(text):
        lead = "No: 65,536 of 524,288 steps is 1/8, not 1/9. "
    elif key == "bold" and re.search(r"\bbest\b", text):
        lead = "No: bold marks better than the vanilla Transformer, not the best in the column. "
    elif key in ("finetuning", "pretraining", "wmt") and (is_claim(question) or YES_NO_START.search(question)):
        lead = confirmed(question, str(fact["value"]))  # "… fine-tuned for 262144 steps?": a stated value
    b.add(f"{lead}{paper['authors']} ({paper['year']}), {fact['fact_label']}: {fact['value']} ({fact['location']}).")
    if key == "vanilla_superglue_text" and GAP.search(text):
        _text_table_gap(b, fact)


def _text_table_gap(b: Builder, fact: dict[str, Any]) -> None:
    """The difference between the value the paper's text states and its table's cell, computed from the cited
    cell and the number the stored setup fact quotes from the text."""
    printed = set(re.findall(r"\d+\.\d+", str(fact["value"])))
    cell = next((c for c in _table_cells(b.facts) if c.value_text in printed), None)
    stated = sorted(printed - {cell.value_text}) if cell is not None else []
    if cell is None or len(stated) != 1:
        return
    quoted = {"citation": {**fact, "value_text": stated[0]}}
    params = {"op": "absdiff", "operands": [{"citation": cell.citation()}, quoted]}
    gap = b.computed("arith", params, "table value − text value")["result"]
    b.add(f"The two differ by **{gap}** (table {b.value(cell)}, text {stated[0]}).")


#: A question about a stored paper itself: who wrote it, when, where to find it.
ABOUT_PAPER = re.compile(r"\bwho (?:wrote|authored|published)\b|\bauthors?\b|\bwhen was\b.{0,40}\b(?:published|"
                         r"written|released|out)\b|\bwhat year\b|\barxiv (?:id|number|link)\b|\btitle of\b|"
                         r"\bwhich paper\b|\bpublished (?:in|when)\b")


def compose_paper_info(b: Builder, question: str) -> None:
    """Title, authors, year and arXiv id of the paper asked about (both when the question names neither)."""
    facts = b.facts
    papers = [facts.main_paper(), *facts.side_papers.values()]
    named = [p for p in papers if p["id"] == PAPER_ID] if names_paper(question.lower()) else []
    shown = named or ([facts.main_paper()] if re.search(r"glu|shazeer|variants", question.lower()) else papers)
    lines = []
    for p in shown:
        b.cite(paper_citation(p))
        lines.append(f"“{p['title']}” is by {p['authors']} ({p['year']}), {p['arxiv']}: [its stored results]"
                     f"(/papers/{p['id']}).")
    b.add(" ".join(lines))


def row_of(facts: Facts, variant: str) -> str | None:
    """This paper's row for a variant of the GLU-variants paper (LiGLU for FFN_Bilinear), if it has one."""
    return next((c.row for c in _table_cells(facts) if c.variant == variant), None)


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
