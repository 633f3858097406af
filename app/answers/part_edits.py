"""How a later part of a multi-part question leans on the parts before it: the subject head before a colon
that every part is about, a part that sets the part before it against a new subject or asks the difference
between the two before it, an elliptical part read as an edit of the one before, and a part that only
restates an earlier one.

Why a module of its own: these read one part against the operations already planned, never the thread's
previous answer, and they are the part-by-part counterpart of a follow-up's edit of the previous plan;
the planner's loop over the parts uses them and stays the one place that plans each part.
"""

from __future__ import annotations

import re

from app.answers import paraphrase, routing
from app.answers.entities import Entities, recognize
from app.answers.facts import Facts
from app.answers.intents import NOISE, Intent, classify
from app.answers.lexicon import Lexicon
from app.answers.plan import ROUTED_METHODS, Operation


def _restates(operation: Operation, before: list[Operation]) -> bool:
    """'qqp acc for swiglu? the acc column, not f1': an elliptical later part that looks up exactly the cells
    of an earlier one restates it; answering it again would only repeat that part."""
    return operation.method == "fact" and operation.rule.startswith("an elliptical part") and any(
        o.method == operation.method and o.slots == operation.slots for o in before)


#: A part that asks an FFN's weight count ("and whats the mlp weight count per layer"): of the model before it.
SIZE_ASKED = re.compile(r"\b(?:ffn|mlp|feed[- ]?forward)\b.{0,40}\b(?:weights?|params?|parameters|weight count|"
                        r"param count)\b|\b(?:weights?|params?|parameters)\b.{0,30}\b(?:ffn|mlp|feed[- ]?forward)\b|"
                        r"\b(?:weights?|params?|parameters)\s+(?:per|in (?:one|a|each)|of (?:one|a|each))\s+layer\b|"
                        r"\bhow many (?:weights|params|parameters)\b|\b(?:weight|param|parameter) count\b",
                        re.IGNORECASE)
_FFN_WORD = re.compile(r"\b(?:ffn|mlp|feed[- ]?forward)\b", re.IGNORECASE)
#: A part that sets the part before it against a new subject ("how does it compare to relu", "and that vs glu?").
COMPARES_IT = re.compile(r"\b(?:it|that|this|its|those|these)\b.{0,30}\b(?:compares?|vs\.?|versus|against|than)\b|"
                         r"\bcompare (?:it|that|this|them)\b", re.IGNORECASE)
#: A paper named by its author or title words: a head that names one puts every part in that paper.
_PAPER_NAME = re.compile(r"\bnarang\b|\bshazeer\b|\bglu[- ]variants?\b|\bglu paper\b", re.IGNORECASE)


def _subject_head(first: str, lexicon: Lexicon) -> str:
    """The head of 'geglu: glue avg? squad em?' or 'narang: best final loss? best superglue?' (the words before
    the colon, when they name a subject or a paper)."""
    head = first.split(":", 1)[0] if ":" in first else ""
    named = bool(head) and (_names_subject(recognize(head, lexicon)) or bool(_PAPER_NAME.search(head)))
    return head.strip() if named else ""


def _names_subject(entities: Entities) -> bool:
    return bool(entities.variants or entities.activations or entities.gates or entities.models)


#: A function written as a call on a number ("gelu'(1)", "gelu_new(3) = ?", "sigmoid(0)").
_CALL = re.compile(r"[a-z][\w]*\s*['′″]*\s*\(\s*[-−]?\d", re.IGNORECASE)


def stands_alone(piece: str, entities: Entities, before: Operation) -> bool:
    """A later part that is a question of its own, however short: a function's value at a point ("gelu'(1)")
    after a part about anything, a paper's cell after a computation, or a variant's cell of a benchmark
    ("shazeer geglu glue avg") after a part about no benchmark (a model's size, a computation). Read as an edit
    of the part before, it would keep that part's model and operation."""
    if _CALL.search(piece) and (entities.activations or entities.gates):
        return True
    if before.method == "math" and _PAPER_NAME.search(piece) and not (entities.activations or entities.gates):
        return True  # "sigmoid'(0), also narang's step/s for the vanilla transformer": a row of that table
    if before.method != "math" and (entities.activations or entities.gates) and entities.numbers and (
            not entities.benchmarks and not entities.models):
        return True  # "mlp weights per layer, qwen3-8b? also, slope of silu at 2": a function at a point
    if len(entities.variant_like()) >= 2 and (entities.benchmarks or entities.metrics) and not entities.models:
        return True  # "second best record em; squad f1 geglu minus relu": two variants on a column of their own
    return bool(not before.slots.benchmarks and not entities.models and (entities.variants or entities.gates)
                and entities.benchmarks)


#: A part that asks how the two parts before it differ ("the drop between them", "the gap between the two").
BETWEEN_THEM = re.compile(r"\b(?:between|of) (?:them|the two|those two|these two|both)\b", re.IGNORECASE)
#: "silu'(-1) and sigmoid'(-1)? how far apart are they": the same ask, with "they" for the two.
APART_THEM = re.compile(r"^\s*(?:and\s+|so\s+)?(?:how far apart|how different|how much apart) (?:are|were) "
                        r"(?:they|those|these|the two|both)\b.*$", re.IGNORECASE)
#: "which one is flatter there", "which one's steeper": a choice between the things the parts before it computed.
_WHICH_ONE = re.compile(r"\bwhich one\b", re.IGNORECASE)


def which_of_computed(piece: str, before: list[Operation]) -> str | None:
    """'tanh(0.5) and sigmoid(0.5), which one is flatter there': after two computed parts, "which one" chooses
    between their functions, not the last one named (as a pronoun would read it); None for any other part."""
    if len(before) < 2 or not _WHICH_ONE.search(piece) or any(op.method != "math" for op in before[-2:]):
        return None
    first, second = (op.text.rstrip(" ?.") for op in before[-2:])
    return _WHICH_ONE.sub(f"which between {first} and {second}", piece, count=1)


_BARE_SUBJECT = re.compile(r"^\s*(?:and\s+|what about\s+|how about\s+|for\s+|same for\s+)?(?:the\s+)?"
                           r"(?P<subject>[\w.\- ]{2,40}?)(?:['’]s)?(?:\s+(?:one|too|then))?\s*[?!.]*\s*$",
                           re.IGNORECASE)


def _subject_swapped(before: Operation, piece: str, named: Entities, lexicon: Lexicon) -> str | None:
    """The part before, its one subject replaced by the one a bare later part names ("swiglu's?", "and for
    reglu"), when that part names nothing else; None otherwise."""
    bare = _BARE_SUBJECT.match(piece)
    subjects = [m for m in named.matches if m["kind"] in ("variant", "activation", "gate", "model")]
    if bare is None or len({m["text"] for m in subjects}) != 1 or named.benchmarks or named.metrics or (
            named.steps or named.numbers) or bare["subject"].strip().lower() != subjects[0]["text"].lower():
        return None  # the part is the subject alone ("llama 3 8b intermediate_size" asks a field of its own)
    earlier = {m["text"] for m in recognize(before.text, lexicon).matches
               if m["kind"] in ("variant", "activation", "gate", "model")}
    if len(earlier) != 1:
        return None
    old = next(iter(earlier))
    at = before.text.lower().find(old.lower())
    if at < 0 or old.lower() == subjects[0]["text"].lower():
        return None
    return before.text[:at] + subjects[0]["text"] + before.text[at + len(old):]


def _edit_of(before: Operation, piece: str, earlier: list[dict[str, str]], lexicon: Lexicon,
             facts: Facts) -> tuple[Intent, Entities]:
    """An elliptical later part ('… and qwen3-32b?') read as an edit of the part before it: the same
    operation with the slots it names replaced, as a follow-up edits the previous answer's plan."""
    context = {"intent": ROUTED_METHODS.get(before.method, before.method), "slots": before.slots.model_dump(),
               "question": before.text, "entities": earlier}
    named = recognize(piece, lexicon)
    swapped = _subject_swapped(before, piece, named, lexicon)
    if swapped is not None:
        # "narang geglu final loss and also swiglu's?": the part before with its subject replaced (Narang's
        # columns are read from the words, not from slots, so a slot edit would lose the column)
        piece, named = swapped, recognize(swapped, lexicon)
    # "gemma 2 9b: d_model? intermediate_size?": a part that names its model already needs no family added
    text = piece if named.models else paraphrase.with_family(piece, list(before.slots.models), lexicon)
    if not named.models and len(before.slots.models) == 1 and SIZE_ASKED.search(text):
        # "… so intermediate_size is 16384? and whats the mlp weight count per layer": the earlier model's count
        # ("falcon-7b's ffn is dense gelu right? weights per layer then?": of the FFN the part before was about)
        ffn = "" if _FFN_WORD.search(text) or not _FFN_WORD.search(before.text) else "ffn "
        text = f"{before.slots.models[0]} {ffn}{text}"
    entities = named if text == piece else recognize(text, lexicon)
    part = classify(text, entities.text, entities, lexicon, context, None)
    part.follow_up_of, part.rule = None, f"an elliptical part: the {before.method} operation before it, edited"
    if before.method in ROUTED_METHODS and not part.operation and part.name == ROUTED_METHODS[before.method]:
        part.operation = before.method
    part = routing.reroute(part, entities.text, entities, None, facts)
    if not part.operation and NOISE.search(entities.text) and (
            part.slots.variants or part.slots.benchmarks or part.slots.steps):
        part.name, part.operation = "fact", "spread"  # "… 2) its run-to-run spread": the same column's noise
    return part, entities
