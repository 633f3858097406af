"""Who released a catalog model and when: the catalog row's other fields, and release order.

Kept apart from the activation and architecture answers because it reads only the catalog row's
organization and year, never a report's table.
"""

from __future__ import annotations

import re

from app.answers.builder import Builder
from app.answers.intents import Intent
from app.answers.lexicon import Lexicon
from app.answers.model_pairs import release_order
from app.answers.models import model_groups

#: What a question about a catalog row's other fields names (who released it, when).
ORG_WORDS = re.compile(r"\borg(?:anization|anisation)?s?\b|\bcompany\b|\blab\b|\bwho (?:made|released|trained|built|"
                       r"developed|created|makes|put out|puts out|published|publishes|is behind|was behind|'s behind|"
                       r"owns|open[- ]?sourced|shipped|designed)\b|\bwho'?s behind\b|\breleased by\b|\bmade by\b|"
                       r"\bdeveloped by\b|\bbuilt by\b|\bpublished by\b|\btrained by\b|\bvendor\b|\bmaker\b|"
                       r"\bwhich (?:team|group|firm)\b|\bwhose model\b|\bcomes? from which\b")
#: "when" as the question asked, not a clause's "when the report says …".
YEAR_WORDS = re.compile(r"\bwhen\b(?!\s+(?:the|it|they|you|i|we|its|their|a|an|his|her)\b)|\byear\b|\breleased in\b")
#: "which is older, gpt-2 or t5", "which came out first": the named models ordered by release year.
ORDER_WORDS = re.compile(r"\bolder\b|\boldest\b|\bnewer\b|\bnewest\b|\bearlier\b|\bmore recent\b|"
                         r"\bcame (?:out )?first\b|\breleased first\b|\bfirst released\b|"
                         r"\bwhich (?:one )?(?:came|was) first\b")


def asks_catalog_field(text: str) -> bool:
    return bool(ORG_WORDS.search(text) or YEAR_WORDS.search(text) or ORDER_WORDS.search(text))


def compose_catalog_field(b: Builder, intent: Intent, lexicon: Lexicon) -> None:
    """Who released a catalog model and when: the row's organization and year, cited."""
    facts = b.facts
    groups = model_groups(lexicon, intent.slots)
    lines, rows = [], []
    for group in groups:
        for name in group.members:
            row = facts.catalog.get(name)
            if row is None or row in rows:  # two names of one row ("gpt-2", "gpt 2") list it once
                continue
            b.cite(row)
            rows.append(row)
            lines.append(f"**{row['model']}** was released by {row['organization']} in {row['year']} (model catalog).")
    if len(groups) >= 2 and ORDER_WORDS.search(intent.question):
        lines.insert(0, release_order(rows))
    b.add(" ".join(lines) if lines else "No model named there is in the catalog.")
