"""What a symbol of an activation's formula means: Φ, φ, σ, erf, β and the element-wise product ⊙.

Why its own operation: "what does Φ mean in gelu" or "what is σ in the glu formula" asks about one letter
of a formula, not for the function's definition (which names the letter without saying what it is) nor
for a table value ("sigma" read as a run-to-run spread gave the spread of FFN_GLU). The answer says what
the symbol is first, then where it sits in the formula of the function the question names, with the
function's formula from the registry so that every number shown traces to a citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.functions import compose_math, plain_formula
from app.answers.intents import Intent
from app.config import Settings


@dataclass(frozen=True)
class Symbol:
    """One symbol: how it is written, what it is, and the formula that shows it in use."""

    name: str
    written: re.Pattern[str]
    meaning: str
    shown_in: str  # the activation whose formula shows the symbol in use
    use: str


SYMBOLS = (
    Symbol("Φ", re.compile(r"Φ|\bcapital phi\b|\bbig phi\b|(?<![\w-])phi(?![\w-])(?!\s*-?\s*\d)", re.IGNORECASE),
           "the cumulative distribution function of the standard normal distribution (its CDF): Φ(x) is the "
           "probability that a standard normal variable is at most x", "gelu",
           "exact GELU weights its input by it, GELU(x) = x·Φ(x); written with erf"),
    # questions arrive lower-cased, so a bare φ is read as Φ, the symbol GELU is written with
    Symbol("φ", re.compile(r"\blower[- ]?case (?:phi|φ)\b|\bsmall (?:phi|φ)\b|\bnormal density\b"),
           "the density of the standard normal distribution, the derivative of Φ", "gelu",
           "it appears in GELU's derivative, Φ(x) + x·φ(x); GELU itself is"),
    Symbol("σ", re.compile(r"σ|(?<![\w-])sigma(?![\w-])", re.IGNORECASE),
           "the logistic sigmoid, a smooth gate from zero to one — not a standard deviation here", "sigmoid",
           "in GLU, σ(xW) gates the linear branch xV element-wise, and in Swish/SiLU, x·σ(x), it gates x itself; "
           "the sigmoid is"),
    Symbol("erf", re.compile(r"\berf\b", re.IGNORECASE),
           "the Gauss error function; Φ, the standard normal CDF, is written with it", "gelu",
           "exact GELU (PyTorch's default `approximate='none'`, Hugging Face's `gelu`) computes it as"),
    Symbol("β", re.compile(r"β|(?<![\w-])beta(?![\w-])", re.IGNORECASE),
           "the slope parameter of Swish, Swish_β(x) = x·σ(βx); with β = 1 Swish is SiLU", "silu",
           "the GLU-variants paper uses Swish₁ in FFN_Swish and FFN_SwiGLU; SiLU is"),
    Symbol("⊙", re.compile(r"⊙|⊗|\bodot\b|\botimes\b|\bcircled? (?:dot|times)\b|\bcircle with a dot\b|"
                           r"\bhadamard\b", re.IGNORECASE),
           "the element-wise (Hadamard) product: the two branches of a gated FFN are multiplied entry by entry, "
           "not as matrices (the paper's LaTeX writes it \\otimes)", "",
           "in FFN_SwiGLU the gate branch, Swish of xW, and the linear branch xV are multiplied this way before "
           "the output projection"),
)

#: "what does Φ mean", "what is σ in", "what's erf", "meaning of β", "⊙ stands for", "what symbol is …".
MEANING = re.compile(r"\bmean(?:s|ing)?\b|\bstands? for\b|\bdenotes?\b|\brepresents?\b|\brefers? to\b|"
                     r"^\s*(?:so\s+|and\s+|ok\s+)?(?:what|wat|wht)(?:'s|s| is| are)?\b(?! about\b| if\b)|"
                     r"\bwhat(?:'s| is) (?:this|that|the)? ?(?:symbol|letter)\b|\bsymbol\b", re.IGNORECASE)
#: A value, a spread or a derivative asked for: a question for the function or the tables, not the symbol.
NOT_A_SYMBOL_QUESTION = re.compile(r"\d|\bstd\b|\bstddev\b|\bspread\b|\bnois|\bvariance\b|\bplot\b|\bcurve\b",
                                   re.IGNORECASE)


def asked_symbol(text: str, entities: Entities) -> Symbol | None:
    """The one symbol a question asks the meaning of, else None."""
    if entities.models or entities.benchmarks or entities.metrics or entities.steps:
        return None
    if NOT_A_SYMBOL_QUESTION.search(text) or not MEANING.search(text):
        return None
    found = [s for s in SYMBOLS if s.written.search(text)]
    if len(found) == 2 and {s.name for s in found} == {"Φ", "φ"}:
        found = [s for s in found if s.name == "φ"]  # "the lowercase phi" names φ, not Φ
    return found[0] if len(found) == 1 else None


def compose(b: Builder, question: str) -> None:
    """The meaning of the symbol the question names first, then the formula that shows it in use."""
    found = [s for s in SYMBOLS if s.written.search(question)]
    symbol = next((s for s in found if s.name == "φ"), found[0] if found else None)
    if symbol is None:
        b.add("That symbol is not one this service explains.")
        return
    shown = plain_formula(b, symbol.shown_in) if symbol.shown_in else None
    formula = f": {shown}" if shown else ""
    b.add(f"**{symbol.name}** is {symbol.meaning}. {symbol.use[0].upper()}{symbol.use[1:]}{formula}.")


def compose_same_layer(b: Builder, intent: Intent) -> None:
    """"is liglu the same as bilinear": the layer defined under both names (the definition says they are one),
    answered as a definition rather than as the misreading about mixing the two papers' numbers."""
    compose_math(b, intent, Settings.model_fields["curve_max_abs_x"].default)
