"""The parts of a multi-part question: a numbered, lettered or one-a-line list, an announced set of
questions, both ends of a column asked together, or questions joined by "and" and question marks.

Why its own module: where one question ends and the next begins is read from punctuation and list
markers alone, before any part's intent is known, and the planner asks it of whole questions too.
"""

from __future__ import annotations

import re

from app.answers import framing, pasted_config
from app.answers.entities import recognize
from app.answers.lexicon import Lexicon

SPLIT = re.compile(
    r"\s+\(?(?:\d|[a-e])\)\s+(?=[a-z])|\?\s+(?=[^\s(])|,\s*(?=[a-z_][\w]*\s*['′″]*\s*\(\s*[-−]?\d)|;\s*|,?\s+(?:and|also|plus)\s+(?=(?:what|which|who|where|when|how|why|is|are|does|do|did|can)\b)"
    # "gelu(1) and also gemma 2 9b's intermediate_size": a call closed, then another question
    r"|(?<=\))\s*,?\s+(?:and|also|plus)(?:\s+also)?\s+(?=[a-z])|,?\s+and also\s+"
    # "narang geglu xsum, and then the llama formula", "sigmoid'(0), also narang's step/s": the words that
    # begin another question whatever its first word is
    r"|,?\s+and then\s+(?=[a-z])|,\s*also\s+(?!known\b|called\b|its\b|their\b)(?=[a-z])"
    # "gemma 3 12b intermediate_size and num layers, then gelu_pytorch_tanh(2)": a bare "then" orders another
    # question only where a call or a question word follows it ("…, then all 160 experts" widens the same sum)
    r"|,\s*then\s+(?=[a-z_][\w]*\s*['′″]*\s*\(\s*[-−]?\d|(?:what|which|how|who|is|are|does|do)\b|[\w.\-]+['’]s\b"
    r"|(?:in\s+)?(?:shazeer|narang)\b)"  # "narang geglu xsum and webq, then shazeer geglu squad em": another paper
    # "tanh(0.5) and sigmoid(0.5), which of them is flatter there": a closed call, a comma, another question
    r"|(?<=\))\s*,\s*(?=(?:what|which|how|who)\b)"
)


#: A parenthesised aside that is not itself a list marker ("elu (alpha 1) at x = -2"): the ")" inside it closes the
#: aside, so it is hidden from the list-marker split (and put back after).
_ENCLOSED = re.compile(r"\((?!\s*(?:\d|[a-e])\s*\))([^()]*)\)")
_CLOSE = "\u2986"


#: "… ? also, rank the variants by superglue avg": "also" only joins the part to the one before; whether the part
#: leans on that one is read from the rest of its words.
ALSO = re.compile(r"^(?:and\s+)?(?:also|plus)\b[\s,:]*(?=\S)", re.IGNORECASE)


#: "1) best superglue variant 2) its spread", "a) … b) …": the marker of a numbered or lettered list's first part.
NUMBERED = re.compile(r"^\(?(?:1|a)\)\s+")
_END = r"(?:best|worst|highest|lowest|top|bottom|biggest|smallest|largest)(?:[\s-]*(?:\d+|two|three|four|five)\b)?"
BOTH_ENDS = re.compile(rf"\b({_END})\s+(?:and|&|vs\.?|/)\s+({_END})")


#: "swiglu:\n1. glue\n2. superglue\n3. squad em": a list written one item a line, after a head that names what
#: every item is about.
LIST_LINE = re.compile(r"(?:^|\n)[ \t]*(?:\(?(?:\d|[a-e])[.)]|[-*•])[ \t]+")


def listed_items(question: str) -> list[str]:
    """The items of a question written as a list one item a line, each with the list's head (its subject)
    in front; empty when the question is not such a list."""
    items = LIST_LINE.split(question.strip())
    head, rest = items[0].strip(" \t\n:-—–"), [i.strip(" \t\n,;?") for i in items[1:]]
    rest = [i for i in rest if i]
    if ANNOUNCED.fullmatch(head + ":"):  # "quick ones:\n- …": the head announces the items, it is no subject
        head = ""
    if len(rest) < 2:
        return []
    return [f"{head} {item}?" if head else f"{item}?" for item in rest]


#: "geglu: glue avg? also narang final loss?": a subject, a colon, then questions about it one after another.
HEADED = re.compile(r"^\s*[^:?\n]{2,40}:\s*[^?]+\?\s*\S[^?]*\S")
#: "two things: …", "3 qs:", "couple of questions -": the asker announces several questions.
ANNOUNCED = re.compile(r"^\s*(?:(?:two|three|four|2|3|4|a couple of|couple of|a few|few|some|quick)\s+)+"
                       r"(?:things|questions|qs|q's|ones)\b\s*[:,.\-—–]?", re.IGNORECASE)


def is_listed(question: str) -> bool:
    """A question written as a numbered or lettered list, or announced as several: its parts are asked one by
    one whatever the whole would be read as ('1) worst full-length ppl in shazeer's table 2) worst final loss
    in narang's', 'two things: reglu's glue avg, and is narang's reglu superglue higher')."""
    return bool(NUMBERED.match(question.strip())) or bool(listed_items(question)) or bool(
        ANNOUNCED.match(question)) or bool(HEADED.match(question)) or bool(THEN.search(question)) or bool(
        DASHED.match(question)) or bool(colon_list(question))


#: Where one question certainly ends and another begins: a semicolon, a question mark with more after it, a
#: new line, "and also", ", also". "and" alone or a comma may join two things of one question; these never do.
STRONG_BREAK = re.compile(r";\s+(?![\w.]+\s*=)|\?\s+(?=\S)|,?\s+and also\s+|,\s*also,?\s+|"
                          # ", then narang's batch", ", then shazeer geglu squad em": another's
                          r",\s*then\s+(?=[\w.\-]+['’]s\b|(?:in\s+)?(?:shazeer|narang)\b)", re.IGNORECASE)
#: Pasted code or a config: its lines and blocks are the code's, not breaks between questions (a semicolon
#: before an assignment, "dim = 3072; multiple_of = 256", is never a break).
_CODE = re.compile(r"[{}\n]|\bdef\b|\bclass\b")


def asks_separately(question: str, lexicon: Lexicon) -> bool:
    """Whether the message holds two or more questions at certain breaks ("relu vs gelu on glue; narang reglu
    vs geglu superglue"), one of them naming something: its parts are planned one by one (a later elliptical part
    as an edit of the one before), so no rule reading the whole message (a decline of a benchmark one paper
    lacks, a claim) answers for all of them."""
    if _CODE.search(question):
        return False
    pieces = [p for p in STRONG_BREAK.split(question.strip()) if len(re.findall(r"[A-Za-z0-9_]+", p)) >= 2]
    return len(pieces) >= 2 and any(not recognize(p, lexicon).is_empty() for p in pieces)


#: "narang geglu xsum, and then the llama formula for dim=3072": the asker orders one question after another.
THEN = re.compile(r",\s*and then\s+\w", re.IGNORECASE)
#: "t5 v1.1 base - d_ff, which activation, and how many ffn weights per layer": a subject, a dash, then three or
#: more things asked about it.
DASHED = re.compile(r"^\s*[^,?\n:]{2,40}\s[-—–]\s+[^,?]+(?:,\s*[^,?]+)+,?\s+and\s+[^,?]+\??\s*$")


#: A config field asked alone between question marks ("gemma 2 9b: d_model? intermediate_size? hidden_act?").
CONFIG_FIELD = re.compile(r"[a-z]+(?:_[a-z]+)+", re.IGNORECASE)


#: "elu(-2)? alpha=1": a function's constant written after the question, not a part of its own.
CONSTANT_ONLY = re.compile(r"\s*(?:with\s+)?(?:beta|β|alpha|α|lambda|λ)\s*(?:=|:|of|is)?\s*[-−]?\d+(?:\.\d+)?\s*",
                           re.IGNORECASE)


#: "narang: d_ff of the gated variants, param count per model, and what is liglu": a head, a colon, then three or
#: more things asked of it, separated by commas and a last "and".
COLON_LIST = re.compile(r"^\s*(?P<head>[^,?\n:]{2,40}):\s+(?P<items>[^,?]+(?:,\s*[^,?]+)+,?\s+and\s+[^,?]+?)\s*\??\s*$")
#: An item of such a list that is a question of its own ("what is liglu", "how many layers").
_ITEM_ASKS = re.compile(r"^(?:what|which|how|who|is|are|does|do)\b", re.IGNORECASE)


def colon_list(question: str) -> list[str]:
    """The items of a colon-headed list that mixes kinds of asks (a later item is a question of its own), the
    first with the head in front; empty otherwise. A list of bare fields of one subject ("swiglu: glue avg,
    superglue avg and squad f1") stays one lookup of several columns."""
    listed = COLON_LIST.match(question)
    if listed is None:
        return []
    items = [i.strip() for i in re.split(r",\s*(?:and\s+)?", listed.group("items")) if i.strip()]
    if not re.search(r",\s*and\s+", listed.group("items")):  # "a, b and c": the last "and" parts b from c
        items[-1:] = [i.strip() for i in items[-1].rsplit(" and ", 1)]
    if len(items) < 3 or not any(_ITEM_ASKS.match(i) for i in items[1:]):
        return []
    return [f"{listed.group('head').strip()}: {items[0]}?", *(f"{i}?" for i in items[1:])]


def split_parts(question: str) -> list[str]:
    """The parts of a multi-part question, in the order asked ('what is X's perplexity and which models
    use it?' is two, 'best and worst at 65k' too); a question with one part comes back whole. A pasted config
    is no list: the words around it are split, and the first part carries the config."""
    pasted = pasted_config.PASTED.search(question)
    if pasted is not None:
        rest = f"{question[:pasted.start()]} {question[pasted.end():]}".strip()
        parts = split_parts(rest) if rest else []
        return [question] if len(parts) <= 1 else [f"{pasted.group(0).strip()}\n{parts[0]}", *parts[1:]]
    listed = listed_items(question) or colon_list(question)
    if listed:
        return listed
    ends = BOTH_ENDS.search(question.lower())
    if ends and ends.group(1) != ends.group(2):
        span = ends.span()
        return [question[:span[0]] + end + question[span[1]:] for end in ends.groups()]
    masked = _ENCLOSED.sub(lambda m: f"({m.group(1)}{_CLOSE}", question.strip())  # "(alpha 1) at": no marker
    pieces = [ALSO.sub("", p.strip(" ,?")).replace(_CLOSE, ")")
              for p in SPLIT.split(NUMBERED.sub("", ANNOUNCED.sub("", masked)))]
    pieces = [q for p in pieces for q in (COMMA_QUESTION.split(p) if ASKS_ALREADY.match(p) else [p])]
    pieces = [p + "?" for p in pieces if (len(re.findall(r"[A-Za-z0-9_]+", p)) >= 2 or CONFIG_FIELD.fullmatch(p))
              and not CONSTANT_ONLY.fullmatch(p)]
    for i in range(len(pieces) - 1, 0, -1):
        if QUALIFIER_ONLY.fullmatch(pieces[i]):  # "swiglu's superglue numbers? all tasks": the part before it, widened
            pieces[i - 1] = f"{pieces[i - 1].rstrip('?')}, {pieces.pop(i)}"
    announced = _TWO_ANNOUNCED.match(masked)
    if len(pieces) == 1 and announced and len(halves := _COMMA_AND.split(pieces[0].rstrip("?"))) == 2:
        # "two qs: best squad em in shazeer's table 4, and fastest step/s in narang's": the asker counted two
        pieces = [f"{h.strip()}?" for h in halves]
    return pieces if len(pieces) >= 2 else [question]


#: "two qs:", "2 things -": the asker announces two questions; ", and " then parts them.
_TWO_ANNOUNCED = re.compile(r"^\s*(?:two|2|a couple of|couple of)\s+(?:things|questions|qs|q's)\b", re.IGNORECASE)
_COMMA_AND = re.compile(r",\s+and\s+", re.IGNORECASE)


#: "what activation does phi-3-mini use, whats its intermediate_size": after a part that is already a question
#: (it opens with a question word, or with a subject and a dash: "t5 v1.1 base - d_ff, which activation"), a
#: comma and a question word begin the next one.
ASKS_ALREADY = re.compile(r"\s*(?:(?:what|which|how|does|do|is|are|did)\b|[^,?\n]{2,40}\s[-—–:]\s)", re.IGNORECASE)
COMMA_QUESTION = re.compile(r",\s*(?=(?:what(?:'s|s| is| are)?|whats|which|how(?: many| much)?)\s+(?!of\b))",
                            re.IGNORECASE)


#: A later part that only widens the part before it ("all tasks", "per task", "every column", "full row").
QUALIFIER_ONLY = re.compile(r"\s*(?:and\s+)?(?:(?:all|every|each)(?:\s+(?:the|of the))?\s+(?:tasks?|subtasks?|"
                            r"columns?|metrics?)|per[- ]task|task[- ]by[- ]task|(?:the\s+)?(?:full|whole|entire)\s+"
                            r"(?:row|breakdown))\s*(?:pls|please)?\s*\??\s*", re.IGNORECASE)


def _without_asides(pieces: list[str], lexicon: Lexicon) -> list[str]:
    """The parts with each aside ("… 1.677? sanity check pls", "… 768?? thats gotta be a typo") joined back to
    the part it frames: it names nothing and asks nothing, so it is the claim's tag, not a question to decline."""
    if len(pieces) < 2:
        return pieces
    kept = [pieces[0]]
    for piece in pieces[1:]:
        if framing.is_aside(piece) and recognize(piece, lexicon).is_empty():
            kept[-1] = f"{kept[-1].rstrip(' ?')}? {piece}"
        else:
            kept.append(piece)
    return kept
