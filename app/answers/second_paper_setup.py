"""Narang et al.'s stored setup and reading facts, and who wrote each stored paper and when.

Why apart from the cells: "how many fine-tuning steps", "is LiGLU the same as Bilinear" or "who wrote it"
are answered from the paper's stored facts, not from a table cell; the words that ask for each fact are
matched here, most specific first, and a question that names cells is left to the cell answers.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder
from app.answers.facts import Facts, paper_citation
from app.answers.framing import NAMING, YES_NO_START, confirmed, is_claim
from app.answers.intents import YES_NO
from app.answers.second_paper_table import PAPER_ID, _columns, _rows, _table_cells, names_paper

#: The paper's stored setup and reading facts, and the question words that ask for each (most specific first).
SETUP_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("vanilla_superglue_text", re.compile(r"\btext\b.{0,40}\btable\b|\btable\b.{0,40}\btext\b|70\.97|"
                                          r"\bin the (?:paper'?s )?text\b|\btext (?:says?|gives?|reports?|has|"
                                          r"states?|quotes?)\b|\bpaper(?:'s)? text\b")),
    ("one_ninth", re.compile(r"1/9|1/8|one[- ]ninth|fraction of (?:the )?pre-?training")),
    ("bold", re.compile(r"\bbold")),
    ("gelu_variant", re.compile(r"which gelu|gelu (?:implementation|variant|version)|tanh .{0,20}gelu|exact gelu|"
                                r"\bgelu\b.{0,60}\b(?:erf|tanh|approximat\w*|exact)\b|"
                                r"\b(?:erf|gelu_new|gelu_pytorch_tanh|gelu_tanh)\b.{0,40}\bgelu\b")),
    ("gates", re.compile(r"\bliglu\b|\bbilinear\b|\bgates?\b")),
    ("not_comparable", re.compile(r"comparab|compare .{0,30}(?:absolute|losses|numbers)|same baseline|mix|"
                                  r"\bdiffer\w*\b.{0,40}\bshazeer|\bshazeer\b.{0,40}\bdiffer|unlike shazeer")),
    ("normalization_biases", re.compile(r"layer ?norm|rms ?norm|\bbias")),
    ("wmt", re.compile(r"\bwmt\b.{0,40}\b(?:trained|steps|pre-?train|setup)|translation setup")),
    ("finetuning", re.compile(r"fine[- ]?tun")),
    ("pretraining", re.compile(r"pre-?train|\bbatch\b|\boptimi[sz]er\b|\badafactor\b|learning rate|\blr\b|"
                               r"\btrain(?:ing|ed)?\s+(?:steps|length|for)\b")),
    ("d_ff", re.compile(r"\bd_ff\b|ffn (?:size|width|dim)")),
    ("baseline", re.compile(r"\bbaseline\b|\blayers\b|\bd_model\b|\bparameters\b|\bheads\b|setup")),
    ("columns", re.compile(r"\bcolumns?\b|what does .{0,20}table (?:report|show)")),
)
#: How a column was produced (fine-tuning length, runs behind the early loss), asked even when it names the column.
RECIPE_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("finetuning", re.compile(r"fine[- ]?tun\w*.{0,40}\b(?:steps?|lengths?|long)\b|"
                              r"\b(?:steps?|lengths?|how long)\b.{0,40}fine[- ]?tun")),
    ("columns", re.compile(r"\b(?:seeds?|runs)\b.{0,40}\bearly\b|\bearly\b.{0,40}\b(?:seeds?|runs)\b")),
    # "how come every row is 223M params, even the gated ones": the widths that keep the count equal
    ("d_ff", re.compile(r"\b(?:why|how come|how (?:is|are|do|does))\b.{0,80}\b(?:params?|parameters|223\s?m)\b|"
                        r"\b(?:params?|parameters|223\s?m)\b.{0,60}\b(?:even|despite)\b.{0,30}\bgated\b")),
)
#: "softplus early loss and its std over the runs": a row's value and spread asked, not how the column was made.
ROW_VALUE = re.compile(r"\bstd\b|\bstd ?dev|\bstdev\b|\bstandard deviation\b|\bspread\b|±|\+-|\berror bars?\b")
#: "the gap between the text and the table": the difference of the two printed values is asked for.
GAP = re.compile(r"\bgap\b|\bdifference\b|\bdiffer(?:s|ence)? by\b|\bhow (?:much|far) (?:apart|off)\b|\bdelta\b")
WHAT_IS = re.compile(r"\bwhat(?:'s| is|s| does)\b.{0,12}\bliglu\b(?!\s*'s)|\bliglu\b.{0,12}\b(?:mean|stand for)\b")
SAME = re.compile(r"\bsame\b|\bidentical\b|\bequals?\b|\bequivalent\b|\b(?:just|really) (?:the|a)\b|\s(?:=|==|≡)\s")


#: "why don't narang's losses line up with shazeer's": whether the two papers' numbers can be set side by side,
#: even when the question names a column.
MISMATCH = re.compile(r"\b(?:line up|lines up|match(?:es)?|agree|consistent|disagree|mismatch|add up|higher than|"
                      r"lower than|bigger than|smaller than|different from|worse than|off from)\b.{0,60}"
                      r"\bshazeer|\bshazeer\b.{0,60}\b(?:line up|match(?:es)?|agree|consistent|disagree|mismatch)\b")
#: Setup facts asked in words no cell question uses; the others only when no row or column is named.
SPECIFIC_SETUP = frozenset({"vanilla_superglue_text", "one_ninth", "bold", "gelu_variant"})
#: Setup facts about how a row was built ("does narang's baseline have ffn biases"): asked of a row, but of no column.
ROW_SETUP = frozenset({"normalization_biases"})


def setup_key(text: str, facts: Facts) -> str | None:
    """The stored setup fact of the paper a question asks about, if it names the paper and one ('narang:
    swiglu vs the baseline on superglue' names cells, not the baseline's setup)."""
    if not names_paper(text):
        return None
    if MISMATCH.search(text) and facts.paper_fact(PAPER_ID, "not_comparable") is not None:
        return "not_comparable"
    recipe = next((key for key, words in RECIPE_ASKED if words.search(text) and facts.paper_fact(PAPER_ID, key)), None)
    if recipe == "columns" and ROW_VALUE.search(text) and _rows(_table_cells(facts), text):
        recipe = None  # "narang softplus early loss and its std over the 5 runs": the row's cell and its spread
    if recipe is not None:  # "narang fine-tuned superglue for 262144 steps?": how, not the column's cells
        return recipe
    # "is liglu bilinear", "what is liglu in narang's table": what the row is, not its cells
    asks_cells = bool(_rows(_table_cells(facts), text) or _columns(text)) and not (
        "liglu" in text and ("bilinear" in text or WHAT_IS.search(text)) and not _columns(text)) and not (
        NAMING.search(text))
    return next((key for key, words in SETUP_WORDS if words.search(text)
                 and (key in SPECIFIC_SETUP or not asks_cells or (key in ROW_SETUP and not _columns(text)))
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
    elif key == "finetuning":  # "… fine-tuned webq for 262144 steps?": a stated length, checked per task
        lead = _task_lengths_checked(text, str(fact["value"])) or (confirmed(question, str(fact["value"])) if (
            is_claim(question) or YES_NO_START.search(question)) else "")
    elif key in ("pretraining", "wmt") and (is_claim(question) or YES_NO_START.search(question)):
        lead = confirmed(question, str(fact["value"]))  # "… fine-tuned for 262144 steps?": a stated value
    b.add(f"{lead}{paper['authors']} ({paper['year']}), {fact['fact_label']}: {fact['value']} ({fact['location']}).")
    if key == "vanilla_superglue_text" and GAP.search(text):
        _text_table_gap(b, fact)
    if key == "vanilla_superglue_text" and re.search(r"\bwhy\b|\bhow come\b", text):
        b.add("The paper does not say why its text and its table differ; the stored evidence has no explanation.")


#: A task's fine-tuning length in the stored text ("SuperGLUE and XSum 262,144 steps, WebQuestions 30,000 steps").
_TASKS_THEN_STEPS = re.compile(r"(?P<tasks>[A-Za-z][\w\s-]*?)\s+(?P<steps>\d[\d,]*)\s+steps")
_TASK_WORDS = {"superglue": "SuperGLUE", "xsum": "XSum", "webq": "WebQuestions", "web questions": "WebQuestions",
               "webquestions": "WebQuestions"}


def _task_lengths_checked(text: str, value: str) -> str:
    """'narang fine-tunes webquestions for the same 262144 steps as superglue, yes?': 'No: …' when a task the
    question names is fine-tuned for another length than the one it states (the number alone appears in the
    stored text, beside another task), 'Yes: …' when every named task has it; '' when no task is named."""
    lengths: dict[str, str] = {}
    for match in _TASKS_THEN_STEPS.finditer(value):
        for task in re.split(r"\s*(?:,|\band\b)\s*", match.group("tasks")):
            lengths[task.strip()] = match.group("steps")
    named = list(dict.fromkeys(t for w, t in _TASK_WORDS.items() if re.search(rf"\b{w}\b", text) and t in lengths))
    stated = [n.replace(",", "") for n in re.findall(r"\b\d[\d,]{2,}\b", text)]
    if not named or not stated:
        return ""
    wrong = [t for t in named if lengths[t].replace(",", "") not in stated]
    shown = "; ".join(f"{t} {lengths[t]} steps" for t in named)
    return f"No: {shown}. " if wrong else f"Yes: {shown}. "


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
