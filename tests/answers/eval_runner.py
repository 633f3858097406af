"""The v2 evaluation (tests/answers/eval_v2/{dev,dev2,…,dev10,test,…,test5}.yaml): load, ask, judge, count a split.

Pure functions, shared by the integrity tests (tests/answers/test_eval_v2.py) and the benchmark
(benchmarks/answer_eval_v2.py), so both judge an answer by exactly the same rule. Questions are asked in
process through ``app.answers.pipeline.ask`` on a migrated and seeded SQLite file, follow-ups in one thread,
as tests/answers/test_answers.py does for the old set. An item passes when every turn of it passes; the
report counts items per category and keeps each failing turn with the reason, plus every number an answer
shows that cannot be traced to tests/reference or to a computation re-run from reference values (the same
independent tracer the old set uses, not the service's own grounding check).

Expected numbers of a split must come from tests/reference: :func:`unreferenced_numbers` lists any that do
not, unless the item declares it under ``derived`` with the arithmetic, which :func:`derived_value` re-does
with Decimal.
"""

from __future__ import annotations

import ast
import csv
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session, sessionmaker

from tests import reference_numbers

EVAL_DIR = Path(__file__).with_name("eval_v2")
#: The splits one may tune on and list failures of; the others are held out.
TUNING_SPLITS = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12",
                 "dev13", "dev14", "dev15", "dev16", "dev17")
#: Held out: written from tests/reference alone and never tuned on ("test2" to "test6": larger ones, 10 items
#: per category, each written blind by someone who never asked the service).
HELD_OUT_SPLITS = ("test", "test2", "test3", "test4", "test5", "test6")
SPLITS = TUNING_SPLITS + HELD_OUT_SPLITS
#: What a step of an item may carry; anything else is a typo in the set (the integrity test says which).
STEP_KEYS = frozenset({"question", "contains", "any_of", "not_contains"})
ITEM_KEYS = STEP_KEYS | {"id", "category", "thread", "derived", "class"}
#: A number as the reference files and the answers print it (thousands commas, decimals, e-notation).
NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-−]?\d+)?")


@dataclass(frozen=True)
class EvalSet:
    split: str
    categories: tuple[str, ...]
    items: tuple[dict[str, Any], ...]


@dataclass
class TurnResult:
    question: str
    body: str = ""
    failures: list[str] = field(default_factory=list)
    ungrounded: list[str] = field(default_factory=list)


@dataclass
class ItemResult:
    id: str
    category: str
    turns: list[TurnResult]

    @property
    def passed(self) -> bool:
        return all(not t.failures for t in self.turns)


@dataclass
class Report:
    split: str
    categories: tuple[str, ...]
    results: list[ItemResult]

    def per_category(self) -> dict[str, tuple[int, int]]:
        """category -> (items passed, items), in the order the split lists its categories."""
        counts = {c: [0, 0] for c in self.categories}
        for r in self.results:
            counts.setdefault(r.category, [0, 0])
            counts[r.category][0] += r.passed
            counts[r.category][1] += 1
        return {c: (p, n) for c, (p, n) in counts.items()}

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    def failures(self) -> list[tuple[str, str, str, list[str]]]:
        """(item id, category, question, reasons) of every failing turn."""
        return [(r.id, r.category, t.question, t.failures) for r in self.results for t in r.turns if t.failures]

    def ungrounded(self) -> list[tuple[str, str, list[str]]]:
        """(item id, question, numbers) of every turn that shows a number found nowhere in the evidence."""
        return [(r.id, t.question, t.ungrounded) for r in self.results for t in r.turns if t.ungrounded]

    def as_dict(self) -> dict[str, Any]:
        total = len(self.results)
        return {
            "split": self.split, "items": total, "passed": self.passed,
            "pass_rate": self.passed / total if total else 0.0,
            "per_category": {c: {"passed": p, "items": n, "pass_rate": p / n if n else 0.0}
                             for c, (p, n) in self.per_category().items()},
            "ungrounded_numbers": sum(len(n) for _, _, n in self.ungrounded()),
            "ungrounded": [{"id": i, "question": q, "numbers": n} for i, q, n in self.ungrounded()],
            "failures": [{"id": i, "category": c, "question": q, "reasons": f} for i, c, q, f in self.failures()],
        }


# --- loading ----------------------------------------------------------------------------------------------


def load_set(split: str, directory: Path = EVAL_DIR) -> EvalSet:
    """One split as written: its declared category list and its items."""
    data = yaml.safe_load((directory / f"{split}.yaml").read_text(encoding="utf-8"))
    return EvalSet(split, tuple(data["categories"]), tuple(data["items"]))


def steps(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The turns of an item: its thread, or the item itself when it is one question."""
    thread: list[Mapping[str, Any]] | None = item.get("thread")
    return thread or [item]


# --- judging ----------------------------------------------------------------------------------------------


def shows(body: str, fact: object) -> bool:
    """Whether an answer shows ``fact``. Text is a case-insensitive substring. A number is matched as a number
    among those the answer shows (so "46" is not found inside "4608", and "14336" is "14,336"): equal in value,
    or, when the expected form has four or more significant digits, a more precise number that rounds to it
    (0.731059 shows "0.7311"), because the expected form is the reference's rounding, not a required format."""
    text = str(fact).strip()
    if not NUMBER.fullmatch(text):
        return str(fact).lower() in body.lower()
    expected = Decimal(reference_numbers.normalized(text))
    precise = reference_numbers.significant_digits(text) >= 4
    for shown in reference_numbers.numbers_in(body):
        value = Decimal(reference_numbers.normalized(shown))
        if value == expected:
            return True
        finer = -value.as_tuple().exponent > -expected.as_tuple().exponent  # type: ignore[operator]
        if precise and finer and reference_numbers.rounds_to(text, value):
            return True
    return False


def judge(body: str, spec: Mapping[str, Any]) -> list[str]:
    """What an answer misses against one turn's expectations (see :func:`shows`), empty when it passes."""
    failures = [f"missing {fact!r}" for fact in spec.get("contains", []) if not shows(body, fact)]
    any_of = spec.get("any_of") or []
    if any_of and not any(shows(body, f) for f in any_of):
        failures.append(f"none of {any_of!r}")
    failures += [f"must not contain {fact!r}" for fact in spec.get("not_contains", []) if shows(body, fact)]
    return failures


Asker = Callable[[str, "int | None"], tuple[str, list[dict[str, Any]], int]]


def ask_item(item: Mapping[str, Any], asker: Asker) -> ItemResult:
    """Ask every turn of ``item`` in one thread through ``asker`` (question, thread id -> body, computation
    specs, thread id) and judge each turn."""
    thread_id: int | None = None
    turns = []
    for step in steps(item):
        body, specs, thread_id = asker(str(step["question"]), thread_id)
        turn = TurnResult(str(step["question"]), body, judge(body, step))
        turn.ungrounded = [n for n in reference_numbers.check(body, specs, str(step["question"])).ungrounded
                           if reference_numbers.normalized(n) not in csv_cells()]
        turns.append(turn)
    return ItemResult(str(item["id"]), str(item["category"]), turns)


def pipeline_asker(factory: sessionmaker[Session], settings: Any) -> Asker:
    """An asker that stores question and answer through the service's pipeline, one commit per turn."""
    from app.answers import pipeline

    def asker(question: str, thread_id: int | None) -> tuple[str, list[dict[str, Any]], int]:
        with factory() as session:
            asked = pipeline.ask(session, settings, question, thread_id=thread_id)
            session.commit()
        return asked.answer.body, list(asked.answer.meta.get("computation_specs", [])), asked.thread_id

    return asker


def run_set(eval_set: EvalSet, asker: Asker) -> Report:
    return Report(eval_set.split, eval_set.categories, [ask_item(item, asker) for item in eval_set.items])


@contextmanager
def seeded_database(directory: Path) -> Iterator[tuple[Any, sessionmaker[Session]]]:
    """Settings and a session factory on a freshly migrated and seeded SQLite file in ``directory``."""
    from app.cli.common import migrate, seed
    from app.config import Settings
    from app.db import create_db_engine, make_session_factory

    settings = Settings(database_url=f"sqlite:///{directory}/eval_v2.db", environment="test",
                        log_level="warning")
    migrate(settings)
    seed(settings)
    engine = create_db_engine(settings)
    try:
        yield settings, make_session_factory(engine)
    finally:
        engine.dispose()


# --- where the expected numbers come from -------------------------------------------------------------------

_OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}
_FUNCTIONS: dict[str, Callable[[Decimal], Decimal]] = {
    "floor": lambda d: Decimal(math.floor(d)), "ceil": lambda d: Decimal(math.ceil(d)),
}


def derived_value(expression: str) -> Decimal:
    """Evaluate a ``derived`` arithmetic string (numbers, + - * /, parentheses, floor, ceil, round) with Decimal,
    so a derived expected number is checked exactly, not in floating point."""

    def ev(node: ast.AST) -> Decimal:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return Decimal(ast.get_source_segment(expression, node) or str(node.value))
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            result: Decimal = _OPERATORS[type(node.op)](ev(node.left), ev(node.right))
            return result
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
                and len(node.args) == 1 and not node.keywords):
            return _FUNCTIONS[node.func.id](ev(node.args[0]))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "round"
                and len(node.args) == 2 and isinstance(node.args[1], ast.Constant) and not node.keywords):
            return round(ev(node.args[0]), int(str(node.args[1].value)))
        raise ValueError(f"not allowed in a derived expression: {ast.dump(node)}")

    return ev(ast.parse(expression, mode="eval"))


#: A name whose digits are part of the name, not a value: WikiText-103, GPT-4, Nemotron-4, gpt-oss-120b.
HYPHENATED_NAME = re.compile(r"[A-Za-z][\w.]*-\d+\w*")


def expected_numbers(item: Mapping[str, Any]) -> Iterable[str]:
    """Every number an item expects an answer to show (``contains`` and ``any_of`` of all its turns)."""
    for step in steps(item):
        for fact in [*step.get("contains", []), *step.get("any_of", [])]:
            yield from NUMBER.findall(HYPHENATED_NAME.sub(" ", str(fact)))


@cache
def csv_cells() -> frozenset[str]:
    """Every numeric cell of the reference CSVs, read as cells: the text tracer reads ``5120,27648`` as one
    thousands-grouped number, so a catalog width would otherwise look unreferenced."""
    cells: set[str] = set()
    for path in sorted(reference_numbers.REFERENCE_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                cells.update(reference_numbers.normalized(c.strip()) for c in row if NUMBER.fullmatch(c.strip()))
    return frozenset(cells)


def in_reference(number: str) -> bool:
    """Printed in tests/reference (in its prose or as a CSV cell), or (with four or more significant digits)
    a rounding of a value printed there with more: the same rule the tracer applies to answers."""
    ref = reference_numbers.reference()
    if reference_numbers.normalized(number) in ref.texts | csv_cells():
        return True
    return reference_numbers.significant_digits(number) >= 4 and any(
        reference_numbers.rounds_to(number, v) for v in ref.computed)


def unreferenced_numbers(item: Mapping[str, Any]) -> list[str]:
    """Expected numbers of ``item`` that are neither in tests/reference nor a correct declared derivation."""
    derived: Mapping[str, str] = item.get("derived") or {}
    problems = []
    for number in expected_numbers(item):
        if number in derived:
            value = derived_value(derived[number])
            if value != Decimal(reference_numbers.normalized(number)):
                problems.append(f"{number} (derived {derived[number]!r} = {value})")
            problems += [f"{operand} (operand of {derived[number]!r})" for operand in NUMBER.findall(derived[number])
                         if not in_reference(operand)]
        elif not in_reference(number):
            problems.append(number)
    return problems
