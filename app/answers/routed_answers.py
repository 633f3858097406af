"""The answers of the routed operations that no other module composes: the role of a constant printed in
an activation's formula, the parameter count of a gated FFN against a dense one, what the stored papers
say about speed, and Narang et al.'s cells beside the GLU-variants paper's.

Why its own module: each is a short, fixed reading of stored facts, kept apart from the rules that decide
which operation a question's shape asks for.
"""

from __future__ import annotations

import math
import re

from app.answers import second_paper, tables
from app.answers.builder import Builder
from app.answers.explanations import activation_citation
from app.answers.functions import plain_formula
from app.answers.intents import Intent

#: Constants printed inside an activation's formula, and the activation whose formula they belong to.
FORMULA_CONSTANTS = {0.044715: "gelu_tanh", 1.702: "gelu_sigmoid"}
CONSTANT_ROLE = {
    "gelu_tanh": "the coefficient of the cubic term in the tanh approximation of GELU",
    "gelu_sigmoid": "the scale inside the sigmoid approximation of GELU (“quick GELU”)",
}
#: The other constant of the tanh form, √(2/π), as people write it: "sqrt(2/pi)", "√(2/π)", "root 2 over pi",
#: or its value ("0.7978845608", "the 0.79788 factor"). It is named, not a number in the question's numbers.
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
SQRT_TWO_OVER_PI = re.compile(
    r"(?:√|\bsqrt|\bsquare root(?: of)?|\broot)\s*\(?\s*2\s*(?:/|over|÷)\s*(?:π|pi\b)|"
    r"(?<![\d.])0?\.7978\d*(?![\d])|(?<![\d.])0?\.79789?(?![\d])")


def formula_constants(text: str, numbers: list[float]) -> list[float]:
    """The constants of an activation's formula a question names, in the order written: 0.044715 and 1.702
    among its numbers, √(2/π) by its symbol or its value."""
    found = [n for n in numbers if n in FORMULA_CONSTANTS]
    named = SQRT_TWO_OVER_PI.search(text)
    if named is not None and named.group(0)[:1] in "0." and text[:named.start()].rstrip()[-1:] in ("(", "=", ","):
        named = None  # "gelu_tanh(0.7979)", "x = 0.79788": a point to evaluate at, not the constant
    if named is None:
        return found
    first = next((m.start() for m in (re.search(re.escape(f"{n:g}"), text) for n in found) if m), len(text))
    return [SQRT_2_OVER_PI, *found] if named.start() < first else [*found, SQRT_2_OVER_PI]


#: The GLU-variants paper named beside Narang et al.'s ("GeGLU in narang vs shazeer final loss").
MAIN_PAPER = re.compile(r"\bshazeer\b|\bglu[- ]variants? paper\b|\bglu paper\b|\b(?:in|and) both\b|\bboth papers\b")


def _compose_cells_of_both(b: Builder, intent: Intent) -> None:
    """Narang et al.'s cells, then the same variants' cells in the GLU-variants paper when the question names
    that paper too (each paper's numbers under its own name: the baselines differ)."""
    second_paper.compose_cells(b, intent.question)
    if intent.slots.variants and MAIN_PAPER.search(intent.question.lower()):
        tables.compose_fact(b, intent)
        b.add(NOT_COMPARABLE)


#: Why one paper's number is not set against the other's.
NOT_COMPARABLE = ("The two papers train on another baseline (Narang et al. add LayerNorm and FFN biases, Shazeer uses "
                  "T5's RMSNorm without biases), so their absolute numbers are not comparable: compare the orderings "
                  "within each paper, not one paper's value against the other's.")


def _more(b: Builder, key: str) -> None:
    exp = b.facts.explanations.get(key)
    if exp is not None:
        b.explanation(exp)
        b.add(f"The full explanation, with its sources: [{exp.title}]({exp.citation()['url']}).")


def _compose_constant(b: Builder, intent: Intent) -> None:
    value = intent.slots.numbers[0]
    if value == SQRT_2_OVER_PI:
        _compose_sqrt_2_over_pi(b)
        return
    fn = FORMULA_CONSTANTS[value]
    formula = plain_formula(b, fn)
    b.cite(activation_citation(fn))
    from app import activations

    source = activations.get(fn).introduced_by
    origin = (f" It comes with that formula from {source.authors} ({source.year}), “{source.title}”."
              if source is not None else "")
    b.add(f"**{value:g}** is {CONSTANT_ROLE[fn]}: `{fn}`(x) = {formula}. It is a fixed constant of the "
          f"formula, not an input, so there is no value “at {value:g}” to compute.{origin}")
    exp = b.facts.explanations.get("approximated-gelu")
    if exp is not None:
        b.explanation(exp)
        b.computations.extend(c for c in exp.computations if c not in b.computations)
        b.add(exp.summary)
        b.add(f"The full explanation, with its sources: [{exp.title}]({exp.citation()['url']}).")


def _compose_sqrt_2_over_pi(b: Builder) -> None:
    """√(2/π): its value, what it does in the tanh form (computed: the approximation's curvature at 0 equals
    exact GELU's, both 2·φ(0) = √(2/π)), and where it comes from (the GELU paper, with the formula)."""
    fn = "gelu_tanh"
    formula = plain_formula(b, fn)
    b.cite(activation_citation("gelu"))
    from app import activations

    exact = b.computed("activation_value", {"fn": "gelu", "x": 0, "derivative": 2}, "gelu″(0)")["value"]
    approx = b.computed("activation_value", {"fn": fn, "x": 0, "derivative": 2}, "gelu_tanh″(0)")["value"]
    source = activations.get(fn).introduced_by
    origin = (f" It comes with the tanh formula from {source.authors} ({source.year}), “{source.title}”."
              if source is not None else "")
    b.add(f"**√(2/π) ≈ {float(exact):.4f}** ({float(exact):.10f}…) is the scale inside the tanh of the approximate "
          f"GELU: `{fn}`(x) = {formula}. The tanh form replaces Φ(x) by ½·(1 + tanh(√(2/π)·(x + …))), and with "
          f"√(2/π) that expression rises at x = 0 exactly as steeply as Φ does (φ(0) = 1/√(2π)), so near zero the "
          f"approximation matches exact GELU. Their second derivatives at x = 0, computed by this service: "
          f"**{float(exact):.6f}** (gelu) and **{float(approx):.6f}** (gelu_tanh), both 2·φ(0) = √(2/π). "
          f"It is a fixed constant of the formula, not an input.{origin}")
    exp = b.facts.explanations.get("approximated-gelu")
    if exp is not None:
        b.explanation(exp)
        b.computations.extend(c for c in exp.computations if c not in b.computations)
        b.add(exp.summary)
        b.add(f"The full explanation, with its sources: [{exp.title}]({exp.citation()['url']}).")


def _compose_parameters(b: Builder) -> None:
    facts = b.facts
    paper = facts.main_paper()
    rule = facts.paper_fact(paper["id"], "two_thirds_rule")
    dense = facts.paper_fact(paper["id"], "d_ff_dense")
    gated = facts.paper_fact(paper["id"], "d_ff_gated")
    if rule is None or dense is None or gated is None:
        b.add("At the same d_ff a gated (GLU-family) FFN has three weight matrices where a dense FFN has two, "
              "so it has more parameters; the stored evidence holds no matched sizes to compare.")
        return
    for fact in (rule, dense, gated):
        b.cite(fact)
    b.add("At the same width a gated (GLU-family) FFN has three weight matrices where a dense FFN has "
          f"two, so it has half as many weights again. The GLU-variants paper removes that difference: it gives "
          f"the gated variants d_ff {gated['value']} and the dense ones d_ff {dense['value']}, so both have the "
          f"same number of parameters — in its words, “{rule['value']}” ({rule['location']}).")
    _more(b, "two-thirds-rule")


def _compose_speed(b: Builder) -> None:
    paper = b.facts.main_paper()
    fact = b.facts.paper_fact(paper["id"], "step_time")
    stated = ""
    if fact is not None:
        b.cite(fact)
        stated = f"; it states one step time for all its runs, “{fact['value']}” ({fact['location']})"
    b.add("The GLU-variants paper does not rank its variants by speed: its result tables hold perplexities and "
          f"task scores, with every variant at the same parameter count and compute{stated}. Training speed per "
          "activation is measured by Narang et al., “Do Transformer Modifications Transfer Across Implementations "
          "and Applications?”, whose first table has a Step/s column for each activation "
          "at matched size: [its stored results](/papers/narang-2021).")
