"""What a follow-up keeps from the thread when its own words do not say it: the end of the column a ranking
asked for ("and after full training?" is still the worst), the derivative a computation asked for ("ok now
silu there" is still a slope), and the operation the previous answer used ("and rte?" is still a spread).

Why a module of its own: each edits the intent after it is read, from the previous plan alone, and none
changes the words; they are the planner's memory of the thread, apart from how a question is read.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import followups, routing
from app.answers.intents import Intent, rank_order
from app.answers.plan import ROUTED_METHODS

#: Words that say which end of a column a ranking question asks for.
ORDER_WORDS = re.compile(r"\b(?:best|worst|lowest|highest|top|bottom|weakest|strongest|smallest|largest|last)\b",
                         re.IGNORECASE)


def _keep_order(intent: Intent, previous: dict[str, Any] | None) -> None:
    """'which is the worst variant at 65k' … 'and after full training?': still the worst, at the new length
    (the end of the column is read from the words, and these name none)."""
    if intent.follow_up_of is None or intent.name != "best" or previous is None or (
            str(previous.get("intent")) != "best") or ORDER_WORDS.search(intent.question):
        return
    order = rank_order(str(previous.get("question", "")))
    if order != "best":
        intent.question = f"{intent.question.rstrip(' ?')} ({order})?"


def _keep_derivative(intent: Intent, question: str, previous_meta: dict[str, Any] | None) -> None:
    """A computation follow-up keeps what the whole thread asked, not only the turn before it: 'slope of gelu
    at 0.5' … 'and at x=-0.5' … 'ok now silu there' is still a slope (the derivative is read from these words)."""
    before = followups.last_operation(previous_meta)
    if intent.follow_up_of is None or intent.name != "math" or before is None or before.get("method") != "math":
        return
    earlier = str(before.get("retrieval_query") or "")
    if earlier:
        intent.retrieval_query = f"{earlier} {question}"[-2000:]


def _keep_operation(intent: Intent, previous_meta: dict[str, Any] | None) -> None:
    """A follow-up that names no operation of its own keeps the previous one ('how noisy is cola' … 'and
    rte?' is RTE's spread, not its cells), as a later part of a multi-part question does (:func:`_edit_of`)."""
    if intent.follow_up_of is None or intent.operation or not previous_meta:
        return
    plan = previous_meta.get("plan")
    operations = plan.get("operations") if isinstance(plan, dict) else None
    answered = [op for op in operations or [] if isinstance(op, dict) and op.get("method") != "misreading"]
    method = str(answered[-1].get("method", "")) if answered else ""
    if method in ROUTED_METHODS and method not in routing.OTHER_PAPER and ROUTED_METHODS[method] == intent.name:
        intent.operation = method
        intent.rule += f"; keeps the previous operation ({method})"
