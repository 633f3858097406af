"""A training length Narang et al. do not report, declined with the lengths they do state.

Why a module of its own: a question routed to the second paper's cells ("narang geglu loss at 262144 steps",
"reglu superglue at 100k steps in narang") got the cell of the nearest column, so a value measured at 524,288
steps was offered for a length the paper never reports. :func:`detect` reads the length the question writes
out and, when it is none of the paper's stated lengths (or is a fine-tuning length asked of the pre-training
loss), returns a decline that :func:`compose` words with the stated setup, cited. Other unreported aspects
are read by :mod:`app.answers.unreported`, which this wraps for the planner.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import unreported
from app.answers.builder import Builder
from app.answers.declines import STEPS_ASKED
from app.answers.entities import Entities
from app.answers.facts import Facts

PAPER = "narang-2021"
#: The setup facts whose lengths are pre-training (loss) lengths, and those that are fine-tuning lengths.
PRETRAINING_KEYS = ("pretraining", "columns")
FINETUNING_KEYS = ("finetuning", "wmt")
LOSS_WORDS = re.compile(r"\bloss\b|\bperplexit|\bppl\b|\bpre-?train")
SCALES = {"k": 1000, "m": 1_000_000, "thousand": 1000, "million": 1_000_000}


def detect(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """A Narang-paper length decline, else the unreported aspect :mod:`app.answers.unreported` reads."""
    return _unstated_length(text, entities, facts) or unreported.detect(text, entities)


def _lengths(facts: Facts, keys: tuple[str, ...]) -> set[int]:
    """Every step count written in the paper's setup facts under ``keys`` ("262,144 steps")."""
    found: set[int] = set()
    for key in keys:
        fact = facts.paper_fact(PAPER, key)
        for number in re.findall(r"\d[\d,]*(?=\s*steps)|\d[\d,]*(?= steps,)", str(fact["value"]) if fact else ""):
            found.add(int(number.replace(",", "")))
    return found


def _near(value: float, lengths: set[int]) -> bool:
    return any(abs(value - s) <= 0.02 * s for s in lengths)


def _unstated_length(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The written-out length that is none of the paper's stated ones, with the facts that state them."""
    pretraining, finetuning = _lengths(facts, PRETRAINING_KEYS), _lengths(facts, FINETUNING_KEYS)
    if not pretraining:
        return None
    asks_loss = bool(LOSS_WORDS.search(text)) or any(b.startswith("C4") for b in entities.benchmarks)
    for match in STEPS_ASKED.finditer(text):
        value = float(match.group(1).replace(",", "")) * SCALES.get(match.group(2) or "", 1)
        if value < 100 or _near(value, pretraining) or (_near(value, finetuning) and not asks_loss):
            continue
        return {"what": "other_paper_steps", "name": "results at other training lengths", "asked": match.group(0)}
    return None


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """The asked length quoted back, the paper's stated lengths cited, and no cell of another length."""
    stated = []
    for key, label in ((PRETRAINING_KEYS[0], "pre-training"), (FINETUNING_KEYS[0], "fine-tuning")):
        fact = b.facts.paper_fact(PAPER, key)
        if fact is not None:
            b.cite(fact)
            stated.append(f"{label}: {fact['value']}")
    b.quoted_names.append(inputs["asked"])
    b.add(f"Narang et al. do not report results after “{inputs['asked']}”, so they are not in the stored "
          "evidence; their Table 1 gives the loss after 65,536 steps (early) and 524,288 steps (final), and "
          "the fine-tuning scores after the fine-tuning run. What their setup states: " + "; ".join(stated) + ".")
