"""A fine-tuning benchmark asked at a training length the paper reports it for no model ("geglu glue average
at the 65,536-step checkpoint").

Why a module of its own: the GLU-variants paper fine-tunes only its fully pre-trained models, so GLUE,
SuperGLUE and SQuAD have cells after 524,288 steps alone, while its 65,536-step column is C4 perplexity. A
look-up of the length named found no such cell and fell back to the fully trained score with a note, which
reads as the 65,536-step answer; the question is declined by name instead, with the lengths the benchmark
is reported at and what the paper does print at the length asked.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Cell, Facts

#: Words that also ask for pre-training perplexity or loss: the question then asks for a reported column too.
PERPLEXITY_WORDS = re.compile(r"\bperplexit|\bppl\b|\bloss\b|\bc4\b|\bpre-?training (?:score|result)", re.IGNORECASE)


def detect(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The decline's inputs when every fine-tuning benchmark named is reported at none of the training lengths
    named, else None (a model's results, or a question that also asks for perplexity, are other answers)."""
    if not (entities.benchmarks and entities.steps) or entities.models or PERPLEXITY_WORDS.search(text):
        return None
    paper = facts.main_paper()["id"]
    cells = [c for c in facts.cells if c.paper == paper and not c.is_reference]
    asked = [b for b in entities.benchmarks if not b.startswith("C4")]
    if len(asked) != len(entities.benchmarks) or not asked:
        return None
    reported = sorted({c.steps for c in cells if c.benchmark in asked})
    if not reported or set(entities.steps) & set(reported):
        return None
    return {"what": "benchmark_steps", "name": _label(asked[0]), "benchmarks": asked,
            "steps": sorted(set(entities.steps)), "reported": reported, "variants": entities.variant_like()}


def _label(benchmark: str) -> str:
    """A benchmark as an answer names it ("GLUE CoLA", "SQuAD"): the suite, then the task, without a version."""
    suite, _, task = benchmark.partition("/")
    suite = suite.split(" (", 1)[0]
    suite = suite.split(" v", 1)[0] if suite.startswith("SQuAD") else suite
    return f"{suite} {task.removesuffix('-m')}".strip()


def _cited_steps(b: Builder, steps: list[int], cells: list[Cell]) -> str:
    """The training lengths, each written from a cited cell of that length."""
    shown = [b.steps(next(c for c in cells if c.steps == s)) for s in steps if any(c.steps == s for c in cells)]
    return " and ".join(shown)


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """Not reported at that length, by name; the lengths it is reported at; the perplexity printed there."""
    paper = b.facts.main_paper()["id"]
    cells = [c for c in b.facts.cells if c.paper == paper and not c.is_reference]
    name = str(inputs["name"])
    benchmark_cells = [c for c in cells if c.benchmark in inputs["benchmarks"]]
    reported = _cited_steps(b, list(inputs["reported"]), benchmark_cells)
    at_cells = [c for c in cells if c.steps in inputs["steps"]]
    asked = _cited_steps(b, list(inputs["steps"]), at_cells) or " and ".join(f"{s:,}" for s in inputs["steps"])
    fact = b.facts.paper_fact(paper, "steps")
    if fact is not None:
        b.cite(fact)
    b.add(f"The GLU-variants paper reports {name} only for the fully trained models, after {reported} steps; it "
          f"did not evaluate {name} at {asked} steps, so that score is not reported and not in the stored evidence.")
    rows = [f"- {c.variant}: {b.value(c)} ({c.metric})" for v in list(inputs.get("variants", []))[:2]
            for c in at_cells if c.variant == v]
    if rows:
        b.add(f"At {asked} steps the paper prints only C4 held-out perplexity:\n\n" + "\n".join(rows))
