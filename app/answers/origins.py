"""Where an activation or a gate comes from: the paper the activation registry names as its source.

Why a module of its own: "who came up with gated linear units" or "where does the GLU in SwiGLU come from"
named a variant, so the answer was that variant's table rows — a confident answer to another question. The
registry already records, for every function, the paper that introduced it; a gated variant is also traced to
the gate it generalises (GLU's sigmoid gate), which is what the "GLU" in its name refers to.
"""

from __future__ import annotations

import re

from app import activations
from app.answers.builder import Builder, activation_label
from app.answers.explanations import activation_citation
from app.answers.intents import Slots
from app.vocabulary import DENSE_VARIANT_OF, GATE_VARIANT_OF

#: Words that ask who introduced a function, or where its name comes from.
ORIGIN = re.compile(r"\bwho (?:first )?(?:came up with|invented|introduced|proposed|created|coined|designed|"
                    r"thought of|is behind)\b|\bwhere (?:does|do|did) .{1,60}\bcome from\b|\borigins?\b|"
                    r"\b(?:which|what) (?:paper|work|article|authors?) (?:first )?(?:introduced|proposed|defined|"
                    r"came up with|invented)\b|\b(?:introduced|proposed|invented|coined) (?:by|in)\b|"
                    r"\bwho (?:wrote|authored) the (?:paper|original)\b|\bcredit(?:ed)? (?:for|with)\b")
#: The gate every GLU-family function generalises: the sigmoid-gated linear unit.
GLU = "glu"


def _surnames() -> tuple[str, ...]:
    """The surnames of the registry's introducing authors (four letters or more, so no common word is one)."""
    names = {author.strip().split()[-1] for entry in activations.all_activations() if entry.introduced_by
             for author in entry.introduced_by.authors.split(",") if author.strip()}
    return tuple(sorted(n.lower() for n in names if len(n) >= 4 and n != "Team"))


SURNAMES = _surnames()
_NAMES = "|".join(map(re.escape, SURNAMES))
#: "is glu from dauphin et al?", "did shazeer come up with geglu": an author named as the function's source
#: (not "swiglu's perplexity in shazeer's paper", which names the author of the results).
CLAIMED_BY = re.compile(rf"\b(?:is|was|are|were)\b[\w\s-]{{0,20}}?\b(?:from|by)\s+(?:the\s+)?(?:{_NAMES})\b|"
                        rf"\b(?:{_NAMES})\b(?:'s)?\s+(?:et al\.?\s+)?(?:introduced|proposed|invented|came up with|"
                        rf"coined|first (?:proposed|introduced|used))\b|"
                        rf"\bdid\s+(?:{_NAMES})(?:\s+et al\.?)?\s+(?:introduce|propose|invent|come up with|coin|"
                        rf"create)\b")


def asks_origin(text: str, slots: Slots) -> bool:
    """Whether a question asks who introduced the functions it names (not where a number it quotes comes from)."""
    lowered = text.lower()
    return not slots.numbers and bool(ORIGIN.search(lowered) or CLAIMED_BY.search(lowered))


def _verdict(question: str, fn: str) -> str:
    """'Yes. ' or 'No. ' when the question names an author as the function's source; a GLU-family gate traced
    to GLU's authors is 'Partly: ' (the gate is theirs, the variant is not); '' when no author is named."""
    lowered = question.lower()
    named = {n for n in SURNAMES if re.search(rf"\b{re.escape(n)}\b", lowered)}
    entry = activations.get(fn)
    if not named or entry.introduced_by is None:
        return ""
    if named & {a.strip().split()[-1].lower() for a in entry.introduced_by.authors.split(",")}:
        return "Yes. "
    glu = activations.get(GLU).introduced_by
    if entry.family == "gate" and glu is not None and named & {
            a.strip().split()[-1].lower() for a in glu.authors.split(",")}:
        return "Partly: the gate it builds on is theirs, the variant is not. "
    return "No. "


#: The function each FFN variant is built on ("gated linear units" is named as the variant FFN_GLU).
VARIANT_FUNCTION = {v: a for a, v in reversed([*DENSE_VARIANT_OF.items(), *GATE_VARIANT_OF.items()])}


def functions_named(slots: Slots) -> list[str]:
    """The registry functions a question names: gates first (SwiGLU is asked as a gate, not as SiLU)."""
    named = [*slots.gates, *slots.activations, *(VARIANT_FUNCTION[v] for v in slots.variants if v in VARIANT_FUNCTION)]
    known = set(activations.SCALAR_IDS) | set(activations.GATE_IDS)
    return [f for f in dict.fromkeys(named) if f in known]


def compose(b: Builder, functions: list[str], question: str = "") -> None:
    """Each function's source as the registry records it; a GLU-family gate also gets GLU's, since its name
    and its form come from that gate with the sigmoid replaced."""
    lines = []
    traced_to_glu = GLU in functions
    by_source: dict[str, list[str]] = {}
    for fn in functions[:4]:
        entry = activations.get(fn)
        b.cite(activation_citation(fn))
        traced_to_glu = traced_to_glu or entry.family == "gate"
        if fn == GLU:
            continue
        source = entry.introduced_by
        shown = _source_text(source) if source is not None else ""
        by_source.setdefault(shown, []).append(f"**{activation_label(fn)}**")
    for source_text, labels in by_source.items():
        names = " and ".join(labels)
        lines.append(f"{names} {'comes' if len(labels) == 1 else 'come'} from {source_text}." if source_text else
                     f"The activation registry names no introducing paper for {names}.")
    if traced_to_glu:
        glu = activations.get(GLU)
        b.cite(activation_citation(GLU))
        source = glu.introduced_by
        origin = f", introduced by {_source_text(source)}" if source is not None else ""
        lines.append(f"The “GLU” is the **gated linear unit**{origin}: σ(a) ⊙ b, a linear branch b multiplied "
                     "element-wise by the sigmoid (σ) of another projection a, which acts as the gate. SwiGLU, "
                     "GEGLU and ReGLU are that unit with the sigmoid replaced by Swish, GELU or ReLU, and Bilinear "
                     "is it with no function on the gate.")
    b.add(_verdict(question, functions[0]) + " ".join(lines))


def _source_text(source: activations.Source) -> str:
    """Authors and title; the arXiv id as a link, so the answer shows no number the paper's id would add."""
    link = f" ([arXiv](https://arxiv.org/abs/{source.arxiv}))" if source.arxiv else ""
    return f"{source.authors}, “{source.title}”{link}"
