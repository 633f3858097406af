"""The stored table of Narang et al. (2021) as questions name it: its column words, row names and two tables.

Why its own module: the rankings, spreads and cell look-ups of that paper, its setup answers and the
routing that decides a question is about it all read the same words, so they live in one place; each
answer module reads them here without importing the others.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from app.answers.facts import Cell, Facts
from app.answers.tables import COUNT_WORDS

PAPER_ID = "narang-2021"
TABLE = 1
#: Its appendix table: the same activations with learned positional embeddings (cells read in one copy).
APPENDIX = 2
NAMES = re.compile(r"\bnarang\b|\btransformer modifications transfer\b")
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


#: Every column word with its column and pattern, longest first (compiled once, read for every question).
COLUMN_PATTERNS = tuple((w, col, re.compile(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])")) for w, col in sorted(
    ((w, col) for col, words in COLUMN_WORDS.items() for w in words), key=lambda p: -len(p[0])))


def _columns(text: str) -> list[str]:
    """The columns a question names; 'early loss' is not also 'final loss' (longest words first)."""
    found, rest, generic_only = [], text, set()
    for word, col, pattern in COLUMN_PATTERNS:
        if pattern.search(rest):
            if col not in found:
                found.append(col)
                generic_only.add(col)
            if word not in GENERIC_LOSS_WORDS:
                generic_only.discard(col)
            rest = pattern.sub(" ", rest)
    if "Early loss" in found and "Final loss" in generic_only:
        found.remove("Final loss")  # "softplus loss at 65k": the length names the loss column
    return [c for c in (*RANKED_COLUMNS, *SIZE_COLUMNS) if c in found]


def _cells(facts: Facts) -> list[Cell]:
    return [c for c in facts.side_cells if c.paper == PAPER_ID and c.table == TABLE and not c.is_reference]


#: Other words for a row of the table (its baseline is "the vanilla Transformer" in the text).
ROW_ALIASES = {"Vanilla Transformer": ("vanilla", "baseline", "relu"), "Swish": ("silu",), "LiGLU": ("bilinear",)}


#: A row's word inside another function's name ("squared relu", "quick gelu") names that function, not the row.
NOT_PART_OF = r"(?<![a-z0-9])(?<!squared )(?<!quick )(?<!quick_)"


@lru_cache(maxsize=128)
def _row_word(word: str) -> re.Pattern[str]:
    return re.compile(rf"{NOT_PART_OF}{re.escape(word)}(?![a-z0-9²^]| squared)")


def _rows(cells: list[Cell], text: str) -> list[str]:
    """The rows a question names, in the order it names them."""
    found = []
    for row in dict.fromkeys(c.row for c in cells):
        for word in (row.lower(), *ROW_ALIASES.get(row, ())):
            hit = _row_word(word).search(text)
            if hit:
                found.append((hit.start(), row))
                break
    return [row for _, row in sorted(found)]


#: The stored functions the table's rows compute (the baseline's ReLU, each gate's function, GeLU's tanh form);
#: any other function a question names has no row of its own there.
ROW_FUNCTIONS = frozenset({"relu", "gelu", "gelu_tanh", "silu", "sigmoid", "softplus", "elu", "selu"})


def unlisted_activation(activations: list[str]) -> str | None:
    """The first function a question names that no row of the table computes (squared ReLU, Mish, quick
    GELU): the row a keyword would match ("relu" in "squared relu") is another function's."""
    return next((a for a in activations if a not in ROW_FUNCTIONS), None)


def row_names(facts: Facts) -> list[str]:
    """The rows of the table, in its order."""
    return list(dict.fromkeys(c.row for c in _cells(facts)))


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


def _count(n: int) -> str:
    """A count in words (an answer shows no number it cannot trace)."""
    return COUNT_WORDS[n] if n < len(COUNT_WORDS) else "all"


def _caveat(cell: Cell) -> str:
    return " (single-source: read in one copy of the paper only, not confirmed in a second)" if (
        cell.verification == "single-source") else ""
