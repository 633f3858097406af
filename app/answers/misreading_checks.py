"""When a question repeats one of the stored misreadings, and when it only seems to: which intents a
misreading answers or follows, two config fields set against each other, and the claims that state a
model's own catalog activation or sizes (and so repeat no misreading).

Why a module of its own: these checks read the catalog and the stored misreadings, not the question's
intent, and the planner asks them both before choosing an operation and after it (a misreading named
after the lookup it follows); keeping them together keeps one answer to "is this a misreading?".
"""

from __future__ import annotations

import re

from app.answers import misread
from app.answers.citations import misreading_strings
from app.answers.facts import Facts
from app.answers.ffn_subject import beyond_ffn
from app.answers.ffn_widths import SAME, WIDTH_WORD
from app.answers.intents import Slots
from app.answers.plan import Operation

#: Intents a stored misreading answers instead (its correction is the explanation asked for) …
EXPLAINED_BY_MISREADING = ("explain", "out_of_scope", "why_model")
#: … and those it follows: the value is looked up as asked, then the misreading the question repeats is named.
NAMED_AFTER = ("verify", "architecture", "fact", "model_activation")


#: A config field name as people paste it ("hidden_act", "intermediate_size", "hidden_activation").
_FIELD = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_CONTRAST = re.compile(r"\bvs\.?\b|\bversus\b|\bdifference\b|\bdiffer\b|\bwhich one\b|\bor\b")


def _contrasts_fields(question: str) -> bool:
    """'hidden_act vs hidden_activation — what's the difference?': two config fields set against each other,
    which is what the stored misreadings about configs explain."""
    return len(set(_FIELD.findall(question.lower()))) >= 2 and bool(_CONTRAST.search(question.lower()))


def _misreading_after(operation: Operation, facts: Facts) -> list[Operation]:
    """The stored misreading a lookup or a claim repeats, as an operation after it ('LLaMA-13B's hidden
    size is 13568?' gets the stored size, then the rounding misreading that yields 13568)."""
    unknown_model = operation.method == "decline" and operation.inputs.get("what") == "model"
    if operation.method not in NAMED_AFTER and not unknown_model:
        return []
    if states_catalog_sizes(operation.slots.models, operation.slots.numbers, facts):
        return []
    if len(operation.slots.models) >= 2 and SAME.search(operation.text) and WIDTH_WORD.search(operation.text):
        return []  # "do llama 2 70b and llama 3 70b have the same d_ff": two stored widths compared, no misreading
    repeated = misread.detect(operation.text, facts)
    if repeated is None or off_subject(repeated["id"], operation.text, operation.slots.to_slots(), facts):
        return []
    return [Operation(kind="verify", method="misreading", asked=operation.asked, read_as=operation.read_as,
                      inputs=repeated, rule=f"repeats a stored misreading ({repeated['id']})")]


#: Misreadings about how wide an FFN is, which a question asking only which activation a model uses does not repeat.
WIDTH_MISREADINGS = frozenset({"two-thirds-rounding", "doubled-ffn-widths"})


def off_subject(misreading_id: str, text: str, slots: Slots, facts: Facts) -> bool:
    """Whether a matched misreading is about something the question does not state: a width misreading after a
    question that names no width ('all models use relu now. what does llama 3 8b use?'), or one whose only
    shared number is another catalog model's size that its text gives as an example ('qwen2-7b
    intermediate_size=14336?' shares 14336 with the rounding misreading's Llama 3 8B, not its wrong reading). A
    named model with the very sizes of an example (Mistral 7B's 4096 and 14336 are Llama 3 8B's), asked
    about its own width, keeps it: the misreading's working gives that model's width too."""
    if misreading_id in WIDTH_MISREADINGS and (beyond_ffn(text) or (not slots.numbers and not WIDTH_WORD.search(text))):
        return True
    m = facts.misreadings.get(misreading_id)
    if m is None or not slots.numbers:
        return False
    text = _plain(" ".join(misreading_strings(m)))
    shown = {name: _sizes(row) for name, row in facts.catalog.items()
             if name not in slots.models and _plain(re.sub(r"\s*\(.*\)", "", name)) in text}
    examples = {n for sizes in shown.values() for n in sizes}
    widths = [n for n in slots.numbers if n >= 100]
    own = [_sizes(facts.catalog[name]) for name in slots.models if name in facts.catalog]
    same_sizes = any(sizes in shown.values() and set(widths) <= set(sizes) for sizes in own)
    return bool(widths) and not same_sizes and all(n in examples for n in widths)


def _sizes(row: dict[str, object]) -> tuple[float, ...]:
    """A catalog row's d_model and d_ff as numbers (those it states)."""
    return tuple(float(str(row[f]).replace(",", "")) for f in ("d_model_text", "d_ff_text")
                 if str(row[f]).replace(",", "").isdigit())


def _plain(text: str) -> str:
    return re.sub(r"[-_]", " ", text.lower())


def names_catalog_activation(slots: Slots, facts: Facts) -> bool:
    """'llama 3 8b is swiglu, right?': the activation the claim names is the named model's catalog activation (or
    its gate, geglu for geglu_tanh), so the claim repeats no misreading."""
    used = {facts.catalog[m]["activation"] for m in slots.models if m in facts.catalog}
    claimed = [*slots.gates, *slots.activations]
    return any(a == c or a.startswith(f"{c}_") for a in used for c in claimed)


def states_catalog_sizes(models: list[str], numbers: list[float], facts: Facts) -> bool:
    """'mixtral 8x7b's expert ffn is 14336 wide, right?': every number the question states is a catalog size
    of a model it names, so it repeats no misreading (a wrong one, 'LLaMA-13B's is 13568?', still does)."""
    rows = [facts.catalog[m] for m in models if m in facts.catalog]
    sizes = set()
    for row in rows:
        for text in (row["d_model_text"], row["d_ff_text"]):
            try:
                sizes.add(float(str(text).replace(",", "")))
            except ValueError:
                continue
    return bool(numbers) and bool(sizes) and all(n in sizes for n in numbers)
