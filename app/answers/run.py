"""A question asking for a comparison queues one: tiny language models that differ only in the FFN."""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder
from app.answers.intents import Intent
from app.answers.tables import variant_list
from app.vocabulary import BASELINE, QUICK_COMPARISON

RUN_STEPS = re.compile(r"(\d[\d,]*)\s*(?:training\s+)?steps?\b")
RUN_SEEDS = re.compile(r"(\d+)\s*seeds?\b")


def compose_run_comparison(b: Builder, intent: Intent, session: Any, settings: Any) -> None:
    """Queue a small quality comparison (tiny language models that differ only in the FFN) and link it."""
    from app.domain import InvalidInputError
    from app.jobs import queue, quota

    variants = variant_list(intent.slots) or list(QUICK_COMPARISON)
    if len(variants) == 1:
        variants = [BASELINE, variants[0]] if variants[0] != BASELINE else list(QUICK_COMPARISON)
    raw: dict[str, Any] = {"kind": "quality", "variants": variants}
    text = intent.question.lower()
    steps = RUN_STEPS.search(text)
    seeds = RUN_SEEDS.search(text)
    if steps:
        raw["steps"] = int(steps.group(1).replace(",", ""))
    if seeds:
        raw["seeds"] = int(seeds.group(1))
    try:
        submission = queue.submit(session, settings, raw, quota.submitting_client())
    except InvalidInputError as exc:
        # The limit's value is configuration, not stored evidence: name the setting, not its number.
        setting = re.search(r"ACTLAB_[A-Z_]+", exc.message)
        which = f" (setting `{setting.group(0)}`)" if setting else ""
        b.add(f"I could not start that comparison: the value of `{exc.field}` is outside what this service "
              f"accepts{which}. The comparison form lists the limits: [/comparisons](/comparisons).")
        return
    except quota.ClientQuotaError:
        b.add("You already have as many unfinished comparisons as one client may have, so nothing was started. "
              "Wait for one to finish, or cancel one, at [/comparisons](/comparisons).")
        return
    except queue.QueueFullError:
        b.add("The comparison queue is full right now, so nothing was started. Ask again in a little while, or "
              "follow the running comparisons at [/comparisons](/comparisons).")
        return
    job = submission.job
    b.job_id = job.id
    state = ("An identical comparison has already finished; its result is below." if submission.cached
             else "An identical comparison is already queued or running; this post follows it."
             if submission.existing else "It is queued now; this post shows the result when it finishes.")
    b.add(f"Started a comparison of **{', '.join(variants)}**: tiny language models that differ only in the FFN, "
          f"trained on the same data with the same seeds, with parameters matched the way the paper matches "
          f"them. {state} Follow it live on [its comparison page](/comparisons/{job.id}).")
    b.add("A comparison at this scale says how these FFNs behave on a small synthetic task on this machine; it "
          "does not reproduce the paper's C4 numbers.")
    b.attachments.append({"kind": "job", "job_id": job.id})
