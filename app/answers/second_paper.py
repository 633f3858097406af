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
from app.answers.framing import NAMING, confirmed, verdict
from app.answers.intents import BEST, YES_NO, rank_order
from app.answers.ranking import COUNT, RANKING, count_asked

PAPER_ID = "narang-2021"
TABLE = 1
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
               "throughput"),
}
RANKED_COLUMNS = ("Final loss", "Early loss", "SuperGLUE", "XSum", "WebQ", "WMT EnDe", "Step/s")


def names_paper(text: str) -> bool:
    return bool(NAMES.search(text))


def _columns(text: str) -> list[str]:
    """The columns a question names; 'early loss' is not also 'final loss' (longest words first)."""
    found, rest = [], text
    pairs = sorted(((w, col) for col, words in COLUMN_WORDS.items() for w in words), key=lambda p: -len(p[0]))
    for word, col in pairs:
        pattern = rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])"
        if re.search(pattern, rest):
            if col not in found:
                found.append(col)
            rest = re.sub(pattern, " ", rest)
    return [c for c in RANKED_COLUMNS if c in found]


def _cells(facts: Facts) -> list[Cell]:
    return [c for c in facts.side_cells if c.paper == PAPER_ID and c.table == TABLE and not c.is_reference]


#: Other words for a row of the table (its baseline is "the vanilla Transformer" in the text).
ROW_ALIASES = {"Vanilla Transformer": ("vanilla", "baseline")}


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


def _number(cell: Cell) -> Decimal | None:
    try:
        return Decimal(cell.value_text)
    except InvalidOperation:
        return None


def _label(cell: Cell) -> str:
    return f"{cell.column} ({'higher' if cell.higher_is_better else 'lower'} is better)"


def wants_ranking(text: str) -> bool:
    """A question naming the paper and asking for a best, worst, slowest or an ordered list."""
    return names_paper(text) and bool(BEST.search(text) or SLOW.search(text) or FAST.search(text)
                                       or RANKING.search(text) or COUNT.search(text))


def compose_ranking(b: Builder, question: str) -> None:
    text = question.lower()
    facts = b.facts
    paper = facts.side_papers.get(PAPER_ID)
    pool = [c for c in _cells(facts) if c.verification != "single-source" and _number(c) is not None]
    columns = _columns(text) or [c for c in RANKED_COLUMNS if c != "Step/s"]
    order = "worst" if SLOW.search(text) else "best" if FAST.search(text) else rank_order(question)
    count = count_asked(text)
    lines, firsts = [], []
    for col in columns:
        cells = [c for c in pool if c.column == col]
        if not cells:
            continue
        descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                      "lowest": False, "highest": True}[order]
        ordered = sorted(cells, key=lambda c: _number(c) or Decimal(0), reverse=descending)
        firsts.append([c.row for c in ordered if _number(c) == _number(ordered[0])])
        shown = ordered[:count] if count else ordered
        entries = [f"{'**' + c.row + '**' if c is shown[0] else c.row} {b.value(c)}" for c in shown]
        lines.append(f"- {_label(cells[0])}: " + ", then ".join(entries) + ".")
    if paper is None or not lines:
        b.add("The stored table of Narang et al. has no such column.")
        return
    b.cite(paper_citation(paper))
    first = {"best": "best first", "worst": "worst first", "lowest": "lowest first", "highest": "highest first"}
    claimed = _rows(pool, text) if len(firsts) == 1 else []
    b.add(verdict(question, claimed, firsts[0] if claimed else []) +
          f"Activations in Table {TABLE} of {paper['authors']} ({paper['year']}), “{paper['title']}”, ranked "
          f"({first[order]}; single-source cells left out):\n\n" + "\n".join(lines))


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
    values = ", ".join(f"{c.row} {b.value(c)} ± {b.stddev(c)}" for c in shown)
    b.add(f"Narang et al. ({paper['year']}) print a run-to-run spread only for the early loss: the "
          f"{_label(shown[0])}, mean ± stddev over the runs: {values}. Their other columns are single runs "
          "with no spread printed.")


HEADLINE_COLUMNS = ("Final loss", "SuperGLUE", "XSum", "WebQ", "WMT EnDe")


def compose_cells(b: Builder, question: str) -> None:
    """The cells of the rows and columns a question names; two rows are set side by side with their
    difference (computed from the printed values) and what the paper's spread says about it."""
    text = question.lower()
    facts = b.facts
    paper = facts.side_papers.get(PAPER_ID)
    cells = _table_cells(facts)
    rows = _rows(cells, text)
    columns = _columns(text) or list(HEADLINE_COLUMNS)
    if paper is None or not rows:
        b.add("The stored table of Narang et al. has no such row.")
        return
    b.cite(paper_citation(paper))
    where = f"Table {TABLE} of {paper['authors']} ({paper['year']})"
    lines = []
    for col in columns:
        found = [facts.side_cell(PAPER_ID, TABLE, row, col) for row in rows]
        shown = [c for c in found if c is not None]
        if not shown:
            continue
        lines.append(_compare_line(b, shown) if len(shown) >= 2 else _value_line(b, shown[0]))
    if not lines:
        b.add(f"{where} has no such column for {', '.join(rows)}.")
        return
    lead = (f"In {where}, “{paper['title']}”:" if len(lines) > 1 else f"In {where}:")
    listed = "\n\n" + "\n".join(f"- {line}" for line in lines) if len(lines) > 1 else " " + lines[0]
    b.add(confirmed(question, "\n".join(lines)) + lead + listed)


def _caveat(cell: Cell) -> str:
    return " (one source only: the paper's text and table disagree, or it is printed once)" if (
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
    verdict = "equal" if diff == 0 else f"{better.row} is better"
    spread = (" The paper prints a run-to-run stddev for this column only: "
              + ", ".join(f"{c.row} ± {b.stddev(c)}" for c in shown if c.stddev_text) + "."
              if any(c.stddev_text for c in shown) else " Both are single runs: the paper prints no spread here.")
    return (f"{_label(first)}: {values}; {first.row} − {second.row} = {diff} ({verdict} by the printed values)."
            + spread)


#: The paper's stored setup and reading facts, and the question words that ask for each (most specific first).
SETUP_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("vanilla_superglue_text", re.compile(r"\btext\b.{0,40}\btable\b|\btable\b.{0,40}\btext\b|70\.97")),
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
#: "the gap between the text and the table": the difference of the two printed values is asked for.
GAP = re.compile(r"\bgap\b|\bdifference\b|\bdiffer(?:s|ence)? by\b|\bhow (?:much|far) (?:apart|off)\b|\bdelta\b")
SAME = re.compile(r"\bsame\b|\bidentical\b|\bequals?\b|\bequivalent\b|\b(?:just|really) (?:the|a)\b|\s(?:=|==|≡)\s")


#: "why don't narang's losses line up with shazeer's": whether the two papers' numbers can be set side by side,
#: even when the question names a column.
MISMATCH = re.compile(r"\b(?:line up|lines up|match(?:es)?|agree|consistent|disagree|mismatch|add up)\b.{0,60}"
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
    asks_cells = bool(_rows(_table_cells(facts), text) or _columns(text)) and not (
        "liglu" in text and "bilinear" in text) and not NAMING.search(text)
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
    verdict = ("Yes." if fits else "No.") if YES_NO.search(text) else ""
    b.add(" ".join([verdict, f"In Table {TABLE} of {paper['authors']} ({paper['year']}):", *statements]).strip())
