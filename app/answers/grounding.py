"""Number grounding: every number an answer shows must come from a cited stored fact or a computation.

Why as code: "never invent a number" is only a promise if something checks it. The check takes the
visible text of an answer (rendered Markdown, link targets dropped), removes names that contain digits
and are themselves stored names ("Gemma 2 9B", "SST-2", "arXiv:2002.05202v1", "Table 1"), and requires
every remaining number to be

* a number printed in a cited fact, looked up again in the database by the citation's key (the
  citation's own copy of the value is not trusted), or
* an output or an input of a computation the answer lists, re-run here from its name and parameters.
  A computed value may be shown rounded (4.73235e-4 as 4.7324e-4); a stored value must appear as
  stored (1.633 may be written 1.6330 but not 1.63).

The same function runs when an answer is composed (sentences that fail are dropped, and the answer says
so) and in the evaluation test (where any failure fails the test).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from app.answers.citations import citation_strings
from app.answers.computations import param_numbers, run_computation
from app.answers.facts import Facts
from app.answers.lexicon import Lexicon
from app.markup import plain_text

NUMBER = re.compile(r"(?<![0-9])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+−]?\d+)?")


def normalize_text(text: str) -> str:
    """NFKC turns superscripts, subscripts and fractions into ASCII digits, so none of them hides a number."""
    return unicodedata.normalize("NFKC", text).replace("\u2044", "/")


def to_decimal(token: str) -> Decimal | None:
    try:
        return abs(Decimal(token.replace(",", "").replace("−", "-")))
    except InvalidOperation:
        return None


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(normalize_text(text))


def decimals_of(strings: Iterable[str | None]) -> set[Decimal]:
    out: set[Decimal] = set()
    for s in strings:
        if s is None:
            continue
        for token in numbers_in(str(s)):
            value = to_decimal(token)
            if value is not None:
                out.add(value)
    return out


# --------------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------------


@dataclass
class Allowed:
    exact: set[Decimal] = field(default_factory=set)
    computed: set[Decimal] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def matches(self, token: str) -> bool:
        value = to_decimal(token)
        if value is None:
            return False
        if value in self.exact or value in self.computed:
            return True
        return any(_rounds_to(c, token, value) for c in self.computed)


def _rounds_to(computed: Decimal, token: str, shown: Decimal) -> bool:
    """Whether ``shown`` (as written in ``token``) is ``computed`` rounded to the digits written."""
    mantissa = token.lower().split("e", 1)[0].replace(",", "")
    if "e" in token.lower():
        digits = len(mantissa.replace(".", "").lstrip("0")) or 1
        if computed == 0:
            return shown == 0
        exponent = computed.adjusted()
        quantum = Decimal(1).scaleb(exponent - digits + 1)
    else:
        places = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
        quantum = Decimal(1).scaleb(-places)
    try:
        return abs(computed.quantize(quantum, rounding=ROUND_HALF_EVEN) - shown) == 0 or abs(
            computed.quantize(quantum, rounding="ROUND_HALF_UP") - shown
        ) == 0
    except InvalidOperation:
        return False


def allowed_numbers(
    facts: Facts, citations: Iterable[dict[str, Any]], computations: Iterable[dict[str, Any]]
) -> Allowed:
    """What an answer with these citations and computations may show."""
    allowed = Allowed()
    for citation in citations:
        strings = citation_strings(facts, citation)
        if strings is None:
            allowed.problems.append(f"citation not found in the database: {citation.get('label')}")
            continue
        allowed.exact |= decimals_of(strings)
    for comp in computations:
        try:
            outputs = run_computation(facts, comp["name"], comp["params"])
        except (KeyError, ValueError, LookupError, InvalidOperation, ZeroDivisionError) as exc:
            allowed.problems.append(f"computation {comp.get('name')} cannot be re-run: {exc}")
            continue
        allowed.computed |= {abs(v) for v in outputs.values() if v.is_finite()}
        allowed.exact |= param_numbers(comp["params"])
        for operand in comp["params"].get("operands", []) if isinstance(comp["params"], dict) else []:
            if "citation" in operand:
                strings = citation_strings(facts, operand["citation"])
                allowed.exact |= decimals_of(strings or [])
    return allowed


def mask_names(text: str, lexicon: Lexicon) -> str:
    return lexicon.name_mask.sub(" ", text)


@dataclass
class GroundingReport:
    ok: bool
    checked: int
    ungrounded: list[str]
    problems: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "numbers_checked": self.checked, "ungrounded": self.ungrounded,
                "problems": self.problems}


def visible_text(markdown: str) -> str:
    return normalize_text(plain_text(markdown))


def check_text(text: str, allowed: Allowed, lexicon: Lexicon) -> tuple[int, list[str]]:
    """(how many numbers were checked, the ones that are not grounded) in already-visible text."""
    masked = mask_names(normalize_text(text), lexicon)
    tokens = NUMBER.findall(masked)
    return len(tokens), [t for t in tokens if not allowed.matches(t)]


def check(
    markdown: str, citations: Iterable[dict[str, Any]], computations: Iterable[dict[str, Any]],
    facts: Facts, lexicon: Lexicon, names: Iterable[str] = (),
) -> GroundingReport:
    """Check a whole answer body (Markdown) against its citations and computations.

    ``names`` are names quoted verbatim from the question that the store does not hold ("GPT-4" in "GPT-4
    is not in the catalog"): their digits are part of a name the user wrote, not a number the answer claims.
    """
    allowed = allowed_numbers(facts, list(citations), list(computations))
    text = visible_text(markdown)
    for name in names:
        if any(ch.isalpha() for ch in name):  # a bare number is never a name: "1.942" stays checked
            text = text.replace(name, " ")
    checked, bad = check_text(text, allowed, lexicon)
    return GroundingReport(ok=not bad and not allowed.problems, checked=checked, ungrounded=bad,
                           problems=allowed.problems)
