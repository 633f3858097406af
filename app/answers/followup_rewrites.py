"""Follow-ups the rule planner reads as a whole question before it classifies anything: a bare ask for the
sources ("source?"), a move to the other paper ("how about in narang?"), a bare modifier ("in percent?",
"now bottom 3") and the rewrites of :mod:`app.answers.followups`, where the earlier answer's kind decides.

Why a module of its own: each turns the words into a different question (the previous one again, or one
written out from it) and drops the previous plan, so the slot merge never sees them; they are one step of
planning, taken before the intent is read, and share nothing with the steps after it.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import (
    column_followups,
    confirmations,
    field_followups,
    followups,
    gap_followups,
    result_followups,
    sizing_followups,
)
from app.answers.facts import Facts
from app.answers.lexicon import Lexicon
from app.answers.plan import DERIVED_METHODS

#: A follow-up that only moves the question to Narang et al.'s paper ("how about in narang?", "and in narang's",
#: "and in the other paper?": after a question about the GLU-variants paper the other stored one is Narang's).
_OTHER_PAPER_ONLY = re.compile(r"^\s*(?:and|what about|how about|same|now|ok(?:ay)?)?\s*(?:for|in|from|with)?\s*"
                               r"(?:(?:the\s+)?narang(?:'s| et al\.?(?:'s)?)?(?:\s+(?:paper|table|one|et al\.?))?|"
                               r"the\s+(?:other|second|2021)\s+(?:paper|study|table|one|source))"
                               r"\s*\??\s*$",
                               re.IGNORECASE)


#: A bare ask for the evidence behind the previous answer ("source?", "where's that from?", "citation pls",
#: "wheres that number from", "says who?", "got a link for that?", "which paper is that from").
_SOURCE_NOUN = r"(?:sources?|citations?|cite|refs?|references?|links?|evidence|proof|paper|table)"
_THAT = r"(?:that|this|it|those|these|them)"
_END = r"\s*(?:pls|please|plz)?\s*[?!.]*\s*$"
SOURCE_ONLY = re.compile(
    rf"^\s*(?:and\s+|ok(?:ay)?\s+|so\s+)?(?:(?:what(?:'s|s| is| are)|got|do you have|have you got|gimme|give me|"
    rf"any|can i (?:get|see)|show me)\s+)?(?:the\s+|your\s+|a\s+)?{_SOURCE_NOUN}(?:\s+(?:for|on|of|behind)\s+"
    rf"{_THAT}(?:\s+(?:number|value|figure|claim))?)?{_END}|"
    rf"^\s*(?:and\s+)?where(?:'s|s| is| does| did|'d| do)?\s+(?:(?:you|u|ya) get\s+)?{_THAT}(?:\s+(?:number|value|"
    rf"figure|one|come|comes|coming))*\s*(?:from|come from|comes from|coming from)?{_END}|"
    rf"^\s*(?:cite|link|source)\s+(?:{_THAT}|pls|please){_END}|"
    rf"^\s*(?:says who|according to (?:what|whom|which (?:paper|source|table))|based on what|"
    rf"which (?:paper|table|source)(?:\s+(?:is|was)\s+{_THAT}\s+from|\s+says\s+(?:that|so))?){_END}",
    re.IGNORECASE)


_LEAD = r"^\s*(?:and|now|ok(?:ay)?|what about|how about|same|but)?[\s,]*(?:(?:in|as|for|with)\s+)?(?:a\s+|the\s+)?"
#: Follow-ups that only add a way of reading the previous question's cells ("in percent?", "and in the appendix
#: table?", "now bottom 3"), and how each rewrites it.
_PERCENT_ONLY = re.compile(_LEAD + r"(?:percent(?:age)?|per ?cent|%|relative(?: terms)?)(?: terms)?\s*\??\s*$",
                           re.IGNORECASE)
_APPENDIX_ONLY = re.compile(_LEAD + r"(?:appendix(?: table)?|table 2|learned[- ]pos\w*(?: embeddings?)?(?: table)?|"
                            r"learned position(?:al)? embeddings?(?: table)?)\s*\??\s*$", re.IGNORECASE)
_RANK_ONLY = re.compile(_LEAD + r"(?P<ask>(?:top|bottom|best|worst)[\s-]*(?:\d+|two|three|four|five)?)\s*\??\s*$",
                        re.IGNORECASE)
_RANK_WORDS = re.compile(r"\b(?:top|bottom|best|worst|highest|lowest)[\s-]*(?:\d+|two|three|four|five)?\b",
                         re.IGNORECASE)


def _reasked_with(text: str, previous: dict[str, Any]) -> str | None:
    """The previous question re-asked with what a bare modifier follow-up adds, or None."""
    before = str(previous.get("question", "")).strip().rstrip(" ?.!")
    if not before:
        return None
    if _PERCENT_ONLY.match(text):
        return f"{before}, in percent (relative)"
    if _APPENDIX_ONLY.match(text) and "narang" in before.lower():
        return f"{before} in narang's appendix table"
    ranked = _RANK_ONLY.match(text)
    if ranked and _RANK_WORDS.search(before):
        return f"{_RANK_WORDS.sub('', before, count=1).strip()} {ranked.group('ask')}"
    return None


def asks_sources(question: str) -> bool:
    return bool(SOURCE_ONLY.match(question))


def _moved_paper(text: str, previous: dict[str, Any], previous_meta: dict[str, Any] | None) -> str | None:
    """The earlier question asked of the other stored paper, when the follow-up only moves it there: to
    Narang et al.'s table after a GLU-variants answer, back to the GLU-variants paper after one of theirs."""
    back = followups.to_first_paper(text, previous_meta)
    if back is not None:  # "narang swiglu final loss" … "in the other paper?": Shazeer's is the other one
        return back
    return followups.in_other_paper(previous) if _moves_to_other_paper(text, previous) else None


def _moves_to_other_paper(text: str, previous: dict[str, Any]) -> bool:
    asked_before = str(previous.get("question", ""))
    if bool(_OTHER_PAPER_ONLY.match(text)) and bool(asked_before) and "narang" not in asked_before.lower():
        return True
    return followups.moves_to_other_paper(text, previous)


def _written_out(read: str, previous: dict[str, Any], previous_meta: dict[str, Any] | None, lexicon: Lexicon,
                 facts: Facts) -> str | None:
    """The follow-up written out as the whole question it stands for, where the kind of the earlier answer
    decides its meaning (see :mod:`app.answers.followups`); None when the slot merge reads it right."""
    return (gap_followups.cell_gap(read, previous_meta, lexicon)
            or gap_followups.gap_noise(read, previous_meta, lexicon)
            or gap_followups.winner_gap(read, previous, facts, lexicon)
            or sizing_followups.ratio_claim(read, previous, facts, lexicon)
            or result_followups.size_ratio(read, previous, facts, lexicon)
            or sizing_followups.doubled_width(read, previous, facts, lexicon)
            or sizing_followups.width_from_rule(read, previous, facts, lexicon)
            or sizing_followups.rule_derivation(read, previous, facts, lexicon)
            or sizing_followups.rule_edit(read, previous_meta, lexicon)
            or sizing_followups.rule_for_other_model(read, previous_meta, facts, lexicon)
            or followups.within_other_paper(read, previous_meta, lexicon, facts)
            or followups.both_subjects(read, previous_meta, lexicon)
            or followups.two_functions_apart(read, previous_meta, lexicon)
            or followups.across_papers(read, previous_meta)
            or followups.cells_of_both_papers(read, previous_meta, lexicon)
            or followups.after_decline(read, previous_meta, lexicon)
            or result_followups.approximation_form(read, previous_meta)
            or result_followups.value_there(read, previous_meta)
            or result_followups.point_error(read, previous_meta, lexicon)
            or result_followups.models_with_width(read, previous_meta, lexicon)
            or result_followups.sizing_fields(read, previous, previous_meta, facts)
            or followups.hf_names_after(read, previous, lexicon)
            or result_followups.reason_for_result(read, previous, lexicon)
            or result_followups.closer_function(read, previous_meta, lexicon)
            or result_followups.error_ratio(read, previous_meta, lexicon)
            or result_followups.other_suite_task(read, previous, lexicon)
            or result_followups.baseline_cell(read, previous)
            or column_followups.tied_rows(read, previous)
            or result_followups.error_side(read, previous)
            or column_followups.place_in_column(read, previous, lexicon)
            or followups.claim_after_sizing(read, previous, previous_meta, lexicon)
            or followups.after_derived(read, previous_meta, DERIVED_METHODS, lexicon)
            or followups.size_rationale(read, previous, facts, lexicon)
            or gap_followups.winner_claim(read, previous, lexicon)
            or followups.of_the_winner(read, previous, facts, lexicon)
            or field_followups.active_experts(read, previous, facts, lexicon)
            or field_followups.expert_weights(read, previous, facts, lexicon)
            or field_followups.total_experts(read, previous, facts, lexicon)
            or field_followups.approximation_gap(read, previous, facts, lexicon)
            or field_followups.framework_gap(read, previous, lexicon)
            or field_followups.weights_of_both(read, previous_meta, lexicon)
            or field_followups.corrected_size(read, previous)
            or field_followups.printed_width(read, previous, lexicon)
            or followups.model_fields(read, previous, lexicon)
            or followups.length_change(read, previous, lexicon)
            or followups.model_claim(read, previous, lexicon)
            or followups.back_reference(read, previous, lexicon)
            or followups.versus_earlier(read, previous, lexicon)
            or followups.reference_row(read, previous, lexicon)
            or followups.both_lengths(read, previous, lexicon)
            or followups.math_distance(read, previous, lexicon)
            or confirmations.confirmation(read, previous, lexicon))
