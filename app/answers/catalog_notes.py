"""A catalog model's layer or head count, as the source note of its catalog row states it.

Why its own module: the catalog stores d_model, the FFN width and the activation as columns, but a model's
depth only inside the row's source note ("Llama-3.1-405B (126 layers)"), where some notes also quote a
mismatched default ("NOTE: … defaults (…, 26 layers) are labelled … but are Gemma 2 2B sizes"). Reading a
count out of that prose needs rules of its own: the note's caveats are left out, and where the note still
gives two counts the answer shows both with their words instead of choosing one.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from app.answers.builder import Builder
from app.answers.intents import Intent
from app.answers.lexicon import Lexicon

#: "126 layers", "(34 layers, GemmaMLP", "16384/53248/126 layers": a layer count in a source note; "96 heads",
#: "10 KV heads": the attention and key-value head counts some notes state beside it.
LAYER_COUNT = re.compile(r"(?<![\w.])(\d{1,3}) layers\b")
NOTE_COUNTS = {"layers": LAYER_COUNT, "heads": re.compile(r"(?<![\w.])(\d{1,3}) heads\b"),
               "kv": re.compile(r"(?<![\w.])(\d{1,3}) KV heads\b")}
#: How each count is named in the answer: after the number, and when no note states it.
NOTE_NOUNS = {"layers": ("layers", "number of layers"), "heads": ("attention heads", "attention head count"),
              "kv": ("key-value heads", "key-value head count")}
#: Where a note turns to a caveat about a mismatched copy (its counts describe another checkpoint).
CAVEAT = re.compile(r"\bNOTE:")


def layer_counts(row: dict[str, Any], key: str = "layers") -> list[tuple[str, str]]:
    """The counts (layers by default, or the heads of ``key``) a catalog row's source note states outside its
    caveats, most often stated first, each with the clause that states it."""
    source = str(row.get("source", ""))
    caveat = CAVEAT.search(source)
    kept = source[:caveat.start()] if caveat else source
    clauses = [c.strip() for c in re.split(r";\s*", kept) if c.strip()]
    found = [(m.group(1), _around(c, m)) for c in clauses for m in NOTE_COUNTS[key].finditer(c)]
    counted = Counter(n for n, _ in found)
    first = {n: c for n, c in reversed(found)}
    return [(n, first[n]) for n, _ in counted.most_common()]


def _around(clause: str, count: re.Match[str]) -> str:
    """The words of a clause that state a count: from the end of the parenthesis before it (a note's clause
    can run long and name its source first), with the parenthesis it opens closed."""
    head = clause[:count.end()]
    closed = head.rfind(")")
    start = closed + 1 if closed >= 0 else max(0, count.start() - 50)
    if start and closed < 0:
        start = head.find(" ", start) + 1 or start
    words = head[start:].strip()
    return words + ")" * max(0, words.count("(") - words.count(")"))


def asks_layers(keys: list[str]) -> bool:
    """One count that only source notes state: the layers, or the attention or key-value heads."""
    return len(keys) == 1 and keys[0] in NOTE_COUNTS


def compose_layers(b: Builder, intent: Intent, lexicon: Lexicon) -> None:
    """'llama 3.1 405b ffn width' … 'how many layers does it have': the count the row's source note states."""
    facts = b.facts
    key = intent.slots.arch_keys[0] if asks_layers(intent.slots.arch_keys) else "layers"
    noun, label = NOTE_NOUNS[key]
    names = [n for m in intent.slots.models if m in lexicon.groups for n in lexicon.groups[m].members
             if n in facts.catalog]
    lines, missing = [], []
    for name in dict.fromkeys(names):
        row = facts.catalog[name]
        counts = layer_counts(row, key)
        if not counts:
            missing.append(name)
            continue
        b.cite(row)
        sizes = f"; d_model {row['d_model_text']}, FFN hidden size {row['d_ff_text']} (model catalog)"
        top = [n for n, _ in counts]
        if len(top) == 1 or Counter(n for n, _ in counts)[top[0]] > 1:
            lines.append(f"- **{name}**: **{top[0]}** {noun} (the catalog row's source note: “{counts[0][1]}”){sizes}")
        else:
            quoted = "; ".join(f"{n} (“{c}”)" for n, c in counts)
            lines.append(f"- **{name}**: the catalog row's source note states more than one count: {quoted}{sizes}")
    if lines:
        b.add("\n".join(lines))
    if missing or not lines:
        rows = missing or list(dict.fromkeys(names))
        b.add(f"The stored data hold no {label} for {', '.join(rows) or 'that model'}: it is not in the "
              "stored evidence. The catalog stores each model's FFN activation, d_model and FFN hidden size.")
