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
from app.answers.functions import APPROXIMATIONS, TIMES
from app.answers.intents import Intent, Slots, rank_order
from app.answers.plan import ROUTED_METHODS, Plan
from app.answers.slots import ARCH_KEYWORDS, _arch_keys

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
    if method == "catalog_layers" and not any(w in intent.question.lower() for w in ARCH_KEYWORDS["layers"]) and (
            set(intent.slots.arch_keys) - {"layers"}):
        return  # "how many layers?" … "and the 8x7b's sizes": other fields now, not the layer count again
    if method in ROUTED_METHODS and method not in routing.OTHER_PAPER and ROUTED_METHODS[method] == intent.name:
        intent.operation = method
        intent.rule += f"; keeps the previous operation ({method})"


def thread_fields(plan: Plan, previous_meta: dict[str, Any] | None) -> dict[str, list[str]]:
    """The architecture fields the thread has asked of its model so far, stored with the answer: 'intermediate
    size for gemma-3-12b?' … 'and hidden_size' asks two fields of one model, so a later 'the 4b one?' asks
    both of the other size (the previous plan alone holds only the last one). Empty after any other answer."""
    answered = [op for op in plan.operations if op.method != "misreading"]
    if not answered or answered[-1].method != "architecture" or not answered[-1].slots.models:
        return {}
    models, keys = list(answered[-1].slots.models), list(answered[-1].slots.arch_keys)
    earlier = (previous_meta or {}).get("thread_fields") or {}
    if isinstance(earlier, dict) and list(earlier.get("models") or []) == models:
        keys = list(dict.fromkeys([*(str(k) for k in earlier.get("arch_keys") or []), *keys]))
    return {"models": models, "arch_keys": keys}


#: The methods answered from each stored paper's tables or setup (the GLU-variants paper's, then Narang et al.'s).
_PAPER_OF_METHOD = {**dict.fromkeys(("fact", "compare", "best", "ranking", "spread", "difference", "paper_setup"),
                                    "first"),
                    **dict.fromkeys(("second_paper_cells", "second_paper_spread", "second_paper_ranking",
                                     "second_paper_setup"), "second")}


def thread_papers(plan: Plan, previous_meta: dict[str, Any] | None) -> list[str]:
    """The papers the thread's last two table answers came from ('first', 'second'), stored with the answer:
    'narang geglu early loss' … 'and geglu in shazeer's 65k column?' … 'can i put those two side by side'
    sets a cell of each paper against the other, which the papers' different baselines answer."""
    earlier = [str(p) for p in (previous_meta or {}).get("thread_papers") or []]
    now = [_PAPER_OF_METHOD[op.method] for op in plan.operations if op.method in _PAPER_OF_METHOD]
    return [*earlier, *now[-1:]][-2:] if now else []


def _keep_fields(intent: Intent, previous_meta: dict[str, Any] | None) -> None:
    """'intermediate_size for gemma-3-12b-it?' … 'and hidden_size' … 'the 4b one?': a follow-up that only
    names another model asks it every field the thread asked of the model before (see :func:`thread_fields`)."""
    earlier = (previous_meta or {}).get("thread_fields") or {}
    if intent.follow_up_of is None or intent.name != "architecture" or not isinstance(earlier, dict):
        return
    keys = [str(k) for k in earlier.get("arch_keys") or []]
    models = list(earlier.get("models") or [])
    if len(keys) < 2 or not intent.slots.models or intent.slots.models == models or (
            _arch_keys(intent.question.lower())):
        return
    intent.slots.arch_keys = keys
    intent.rule += "; keeps every field the thread asked of the model before"


def _keep_ratio_pair(intent: Intent, previous: dict[str, Any] | None) -> None:
    """'… and the tanh one?' then 'how many times worse is the sigmoid one': a ratio of two approximations'
    errors sets the one named now against the one the thread asked about before it (the words name no other:
    a question of six words or more is read as a question of its own, and still leans on the thread)."""
    text = intent.question.lower()
    if intent.name != "math" or previous is None or not TIMES.search(text) or re.search(r"\bthan\b", text):
        return
    named = [a for a in intent.slots.activations if a in APPROXIMATIONS]
    earlier = [a for a in Slots.from_dict(previous.get("slots")).activations if a in APPROXIMATIONS]
    if len(named) == 1 and any(a not in named for a in earlier):
        intent.slots.activations = list(dict.fromkeys([*intent.slots.activations, *earlier]))
        intent.rule += "; the ratio sets it against the approximation asked about before"
