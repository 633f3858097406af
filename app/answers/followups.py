"""Follow-ups whose meaning depends on which kind of answer came before, read as a whole question.

Why rewrite the words instead of merging slots: the slot merge of :mod:`app.answers.intents` assumes the
earlier answer was a GLU-variants table lookup or a catalog row. After an answer from Narang et al.'s table
("and geglu?", "how noisy was that"), after a specific decline ("ok then its superglue avg"), after a size
("why that number?") or when a pronoun stands for the earlier subject inside a comparison ("how much does
swiglu beat it by") the merge picks the wrong paper, a method with no inputs, or drops the subject. Each rule
here writes the follow-up out as the full question it stands for, using only names the earlier answer or
the question itself contains, so the ordinary planner answers it and the plan shows the words as read.
The rules about Narang et al.'s table and those that set two things against each other have modules of
their own (:mod:`app.answers.other_paper_followups`, :mod:`app.answers.comparison_followups`); all are
read from here.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import framework_names, pasted_sizes, second_paper, setting_edits
from app.answers.comparison_followups import back_reference as back_reference
from app.answers.comparison_followups import both_lengths as both_lengths
from app.answers.comparison_followups import math_distance as math_distance
from app.answers.comparison_followups import reference_row as reference_row
from app.answers.comparison_followups import versus_earlier as versus_earlier
from app.answers.entities import Entities
from app.answers.facts import Facts
from app.answers.followup_cues import CORRECTION
from app.answers.followup_reading import _LEAD, _PRONOUN, SUBJECT_KINDS, _named, _texts
from app.answers.followup_reading import last_operation as last_operation
from app.answers.gap_followups import GAP, ranking_rows
from app.answers.intents import ARCH_KEYWORDS, NOISE, WHY, Slots
from app.answers.lexicon import Lexicon
from app.answers.other_paper_followups import across_papers as across_papers
from app.answers.other_paper_followups import cells_of_both_papers as cells_of_both_papers
from app.answers.other_paper_followups import in_other_paper as in_other_paper
from app.answers.other_paper_followups import moves_to_other_paper as moves_to_other_paper
from app.answers.other_paper_followups import to_first_paper as to_first_paper
from app.answers.other_paper_followups import within_other_paper as within_other_paper
from app.answers.plan import Plan
from app.answers.question_edits import _edited

# --- the thread's earlier subjects ----------------------------------------------------------------------------

#: How many of a thread's subjects an answer remembers (for "both", "the two", "difference?").
THREAD_SUBJECTS = 4


def thread_subjects(previous_meta: dict[str, Any] | None, entities: Entities,
                    ranked: list[str] | None = None) -> list[dict[str, str]]:
    """The subjects of the thread so far, the latest last: the earlier answer's list and this question's own
    subject names (a follow-up that names none adds nothing), then the rows a ranking answer picked, if any
    ("who wins mrpc f1" … "and the worst?" … "how far apart are they" sets those two rows apart)."""
    earlier = _asked_subjects(previous_meta, entities)
    for row in ranked or []:
        names = {row.lower(), row.lower().removeprefix("ffn_")}
        earlier = [s for s in earlier if str(s.get("value")) != row and str(s.get("text", "")).lower() not in names]
        earlier.append({"text": row.lower().removeprefix("ffn_"), "kind": "variant", "value": row})
    return earlier[-THREAD_SUBJECTS:]


def ranked_row(plan: Plan, facts: Facts) -> list[str]:
    """The rows a one-column best/worst answer of either paper ranked first, all of them when tied (each holds
    the top value a later "is the gap bigger than the noise" needs); [] for any other answer."""
    last = [op for op in plan.operations if op.method != "misreading"][-1:]
    if last and last[0].method == "second_paper_ranking":  # Narang et al.'s rows, under that paper's names
        return second_paper.ranked_first(last[0].text, facts)
    return ranking_rows(last[0].text, last[0].slots.to_slots(), facts) if last and last[0].method == "best" else []


def _asked_subjects(previous_meta: dict[str, Any] | None, entities: Entities) -> list[dict[str, str]]:
    """The earlier answer's subjects, then this question's own subject names."""
    earlier = [s for s in (previous_meta or {}).get("thread_subjects") or [] if isinstance(s, dict)]
    for match in entities.matches:
        if match.get("kind") in SUBJECT_KINDS:
            subject = {"text": str(match["text"]), "kind": str(match["kind"]), "value": str(match.get("value", ""))}
            same = str(match["text"]).lower()
            if earlier and str(earlier[-1].get("text", "")).lower() == same and subject["kind"] != "activation":
                continue  # "geglu" is both a variant and a gate: one subject
            earlier = [s for s in earlier if str(s.get("text", "")).lower() != same or (
                s.get("kind") == "activation") != (subject["kind"] == "activation")] + [subject]
    return earlier


_BOTH = re.compile(r"\bboth(?: of them)?\b|\bthe two(?: of them)?\b|\beach of them\b", re.IGNORECASE)


def both_subjects(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'geglu glue' … 'swiglu?' … 'superglue for both': the two subjects the thread asked about last."""
    if previous_meta is None or not _BOTH.search(read) or re.search(r"\bpapers?\b|\blengths?\b", read, re.I):
        return None
    if _names_function_or_model(_named(read, lexicon)):
        return None
    subjects = [s for s in previous_meta.get("thread_subjects") or [] if isinstance(s, dict)]
    texts = list(dict.fromkeys(str(s.get("text")).lower() for s in reversed(subjects)))[:2]
    if len(texts) != 2:
        return None
    asked = _BOTH.sub(' ', _LEAD.sub('', CORRECTION.sub('', read))).strip(' ?')
    before = last_operation(previous_meta) or {}
    earlier = " ".join(str(before.get(k) or "") for k in ("read_as", "asked", "text", "question"))
    if before.get("method") == "math" and _SLOPE.search(earlier) and not _SLOPE.search(read):
        asked = f"derivative {asked}"  # "gelu' at -1" … "correction, i meant both of them at x=+1": still slopes
    return f"{texts[1]} and {texts[0]} {asked}?"


_SLOPE = re.compile(r"derivativ|\bslopes?\b|\bgradients?\b|′|'\s*\(", re.IGNORECASE)


_APART = re.compile(r"^\s*(?:and\s+|so\s+|ok\s+)?(?:the\s+)?(?:difference|diff|gap|how far apart|distance|"
                    r"how (?:big|large) is the (?:difference|gap))\s*(?:between them|then)?\s*\??\s*$", re.IGNORECASE)


def two_functions_apart(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'quick gelu at 3' … 'and exact?' … 'difference?': the last two functions of the thread, set apart at
    the point just computed."""
    if previous_meta is None or not (_APART.search(read) or GAP.search(read)) or (
            str(previous_meta.get("intent")) != "math"):
        return None
    numbers = (previous_meta.get("slots") or {}).get("numbers") or []
    functions = [str(s.get("value")) for s in previous_meta.get("thread_subjects") or []
                 if isinstance(s, dict) and s.get("kind") == "activation"]
    functions = list(dict.fromkeys(functions))[-2:]
    if len(numbers) != 1 or len(functions) != 2:
        return None
    return f"difference between {functions[0]} and {functions[1]} at x={float(numbers[0]):g}"


def _names_function_or_model(entities: Entities) -> bool:
    return bool(entities.variants or entities.activations or entities.gates or entities.models)


# --- after a specific decline -----------------------------------------------------------------------------


def after_decline(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'swiglu's winogrande score?' … 'ok then its superglue avg': the follow-up of a decline asked again as a
    question of its own about the earlier subject (a decline has no cells to edit)."""
    operation = last_operation(previous_meta)
    if previous_meta is None or operation is None or operation.get("method") != "decline":
        return None
    named = _named(read, lexicon)
    if named.variants or named.activations or named.gates or named.models:
        return _LEAD.sub("", read)
    subjects = _texts(list(previous_meta.get("entities") or []), SUBJECT_KINDS)
    if not subjects:
        return None
    rest = _LEAD.sub("", read)
    if _PRONOUN.search(rest):
        return _PRONOUN.sub(subjects[0], rest, count=1)
    return f"{subjects[0]} {rest}"


# --- after a calculation or another derived answer -----------------------------------------------------------



def after_derived(read: str, previous_meta: dict[str, Any] | None, derived_methods: frozenset[str],
                  lexicon: Lexicon) -> str | None:
    """'d_model 1024 d_ff 4096 relu ffn, how many weights?' … 'and with swiglu?': a calculation (or another
    derived answer) asked again with what the follow-up changes, since its inputs are read from the words."""
    operation = last_operation(previous_meta)
    if operation is None or operation.get("method") not in derived_methods or operation.get("method") == "decline":
        return None
    if WHY.search(read.lower()) or NOISE.search(read.lower()):
        return None
    before = str(operation.get("read_as") or operation.get("asked") or "")
    if not before:
        return None
    edited = setting_edits.without_setting(before, read) or _edited(before, _LEAD.sub("", read), lexicon)
    if operation.get("method") == "ffn_params":  # "and over all 32 layers?", "and a dense one with d_ff 16384?"
        edited = pasted_sizes.rescaled(edited or before, read) or edited
    return edited


# --- why a size is what it is ------------------------------------------------------------------------------

_SIZE_WORDS = re.compile(r"\bnumber\b|\bsize\b|\bwidth\b|\bvalue\b|\bso (?:big|wide|large|odd)\b|\bthat\b|\bit\b|"
                         r"\bexactly\b|\bweird\b|\bodd\b", re.IGNORECASE)


#: "how did they get that number", "how do you arrive at 11008": a question about where a size comes from.
_RATIONALE = re.compile(r"\bhow (?:did|do|does|would) (?:they|it|you|one|meta|that) (?:get|arrive at|come up with|"
                        r"end up (?:at|with)|compute|derive|pick|choose)\b|\bwhere does (?:that|it|this) "
                        r"(?:number|width|size) come from\b|\bexplain (?:that|this|the) (?:number|width|size)\b",
                        re.IGNORECASE)


def size_rationale(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'llama-2-70b intermediate_size?' … 'why that number exactly': why the catalog's FFN width is what it
    is, asked with the model and the width it was just given."""
    if previous is None or str(previous.get("intent")) not in ("architecture", "model_activation"):
        return None
    slots = previous.get("slots") or {}
    # a report's name for the model ("Gemma 1 7B") stands for its catalog row ("Gemma 7B")
    models = list(dict.fromkeys(m for n in slots.get("models") or [] for m in (
        lexicon.groups[n].members if n in lexicon.groups else [n]) if m in facts.catalog))
    if len(models) != 1:
        return None
    width = str(facts.catalog[models[0]]["d_ff_text"]).replace(",", "")
    named = _named(read, lexicon)
    if not width.isdigit() or not named.is_empty() or any(n != float(width) for n in named.numbers):
        return None
    if not (WHY.search(read.lower()) or _RATIONALE.search(read)):
        return None
    if not (_SIZE_WORDS.search(read) or named.numbers or len(read.split()) <= 2):
        return None
    if "ff" not in (slots.get("arch_keys") or []) and not (named.numbers or _BARE_FFN.search(read)):
        return None  # after an activation answer only a question naming the width asks about it
    return f"why is {models[0]} intermediate_size {width}?"


# --- the answer of a ranking as the next subject ---------------------------------------------------------

_WINNER_PRONOUN = re.compile(r"\b(?:its|it|that one|this one|that variant|the winner|the winning one|that ffn|that)\b",
                             re.IGNORECASE)


def ranking_winner(question: str, slots: Slots, facts: Facts) -> str | None:
    """The one row a best/worst question over one column picks, looked up in the stored cells (so that a
    pronoun asking about it next names it); None when the answer is several columns or a tie."""
    rows = ranking_rows(question, slots, facts)
    return rows[0] if len(rows) == 1 else None


def with_winner(text: str, question: str, slots: Slots, facts: Facts, lexicon: Lexicon) -> str | None:
    """``text`` with its pronoun replaced by the row the earlier best/worst ``question`` picks."""
    named = _named(text, lexicon)
    if named.variants or named.activations or named.gates or named.models or not _WINNER_PRONOUN.search(text):
        return None
    winner = ranking_winner(question, slots, facts)
    return _WINNER_PRONOUN.sub(winner, text, count=1) if winner else None


def of_the_winner(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'who's best on cola' … "what's its squad em?": the pronoun is the variant the ranking picked."""
    if previous is None or str(previous.get("intent")) != "best":
        return None
    return with_winner(read, str(previous.get("question", "")), Slots.from_dict(previous.get("slots")), facts,
                       lexicon)


# --- another field of the same model, or a claim about it ---------------------------------------------------

_ARCH_WORDS = re.compile("(?<![a-z_])(?:" + "|".join(sorted({re.escape(w.strip()) for words in ARCH_KEYWORDS.values()
                                                             for w in words if w.strip()}, key=len, reverse=True))
                         + ")", re.IGNORECASE)


def _models_of(previous: dict[str, Any]) -> list[str]:
    return [str(m) for m in (previous.get("slots") or {}).get("models") or []]


#: The activation asked for by itself ("activation?", "and the act fn", "hidden_act?").
_ACTIVATION_FIELD = re.compile(r"\bactivations?\b|\bact(?:[ _]fn)?\b|\bnon-?linearity\b|\bhidden_act\w*", re.IGNORECASE)
#: An FFN named by itself ("ffn?", "and the mlp"): its width.
_BARE_FFN = re.compile(r"\b(?:ffn|mlp|ff|feed[- ]?forward)\b", re.IGNORECASE)


def model_fields(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'llama 3 8b activation' … 'd_model and d_ff?' (or just 'ffn?'): the sizes of the model just asked about."""
    if previous is None:
        return None
    models = _models_of(previous)
    named = _named(read, lexicon)
    if not 1 <= len(models) <= 3 or not named.is_empty() or WHY.search(read.lower()):
        return None
    rest = _LEAD.sub("", read).rstrip(" ?")
    if _ARCH_WORDS.search(read) or (_ACTIVATION_FIELD.search(read) and len(read.split()) <= 4):
        return f"{' and '.join(models)} {rest}?"
    if _BARE_FFN.search(read) and len(read.split()) <= 4:
        return f"{' and '.join(models)} {rest} width?"
    return None


_DROP = re.compile(r"\bhow much\b.{0,30}\b(?:drop|fall|improve|change|decrease|go down|better)|\b(?:drop|fall|"
                   r"improvement|change|decrease)\b.{0,20}\b(?:between|from)\b|\bby how much\b", re.IGNORECASE)


def length_change(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'ffn_swiglu 65k log-ppl' … 'after full training?' … 'so how much did it drop': the change of that row's
    loss between the two training lengths."""
    if previous is None or str(previous.get("intent")) != "fact":
        return None
    slots = previous.get("slots") or {}
    variants, steps = slots.get("variants") or [], slots.get("steps") or []
    if len(variants) != 1 or len(steps) != 1 or not _DROP.search(read) or not _named(read, lexicon).is_empty():
        return None
    return f"how much does {variants[0]}'s loss drop between 65k steps and full training?"


_CLAIM_WORDS = re.compile(r"\bwrong\b|\bright\b|\btrue\b|\bcorrect\b|\breally\b|\blegit\b|\bsays?\b|\bsaid\b|"
                          r"\bclaims?\b|\bheard\b|\bthought\b|\bisn'?t it\b", re.IGNORECASE)


def model_claim(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'phi-3-mini activation' … 'some slides say geglu. wrong?': the claim is about the model just asked about."""
    if previous is None:
        return None
    models = _models_of(previous)
    named = _named(read, lexicon)
    if len(models) != 1 or named.models or not (named.gates or named.activations or named.variants) or (
            not _CLAIM_WORDS.search(read)):
        return None
    return f"{models[0]}: {read}"


def claim_after_sizing(read: str, previous: dict[str, Any] | None, previous_meta: dict[str, Any] | None,
                       lexicon: Lexicon) -> str | None:
    """'phi-4 hidden_size and intermediate_size' … 'ratio?' … 'saw a slide listing it under geglu, true?':
    after a calculation about one model that named no function, a function with claim words is a claim about
    that model's activation, not a change of the calculation's inputs (which :func:`after_derived` would read)."""
    operation = last_operation(previous_meta)
    slots = (operation or {}).get("slots") or {}
    if operation is None or any(slots.get(k) for k in ("variants", "activations", "gates")):
        return None
    return model_claim(read, previous, lexicon)


def subject_prefixed(piece: str, entities: Entities, earlier: list[dict[str, str]]) -> str | None:
    """A later part of a multi-part question that names nothing ('…, and which activation'): asked about the
    earlier part's subject."""
    if entities.numbers or len(piece.split()) > 8:
        return None
    if not entities.is_empty():
        # "gemma 2 9b - d_model, …, and which gelu hf actually runs": which form of a function the earlier
        # part's model runs is a question about that model
        functions = {str(m["text"]).lower() for m in entities.matches if m.get("kind") == "activation"}
        others = [m for m in entities.matches if m.get("kind") in ("model", "variant", "gate")
                  and str(m["text"]).lower() not in functions]  # "gelu" is a variant and an activation: one name
        if others or not WHICH_FORM.search(piece):
            return None
        models = _texts(earlier, ("model",))
        return f"{models[0]} {_LEAD.sub('', piece)}" if models else None
    subjects = _texts(earlier, SUBJECT_KINDS)
    models = _texts(earlier, ("model",))
    if len(models) >= 2 and SAME.search(piece):  # "pythia-6.9b vs gpt-j-6b: same width? same activation?"
        return f"{models[-2]} and {models[-1]}: {_LEAD.sub('', piece)}"
    return f"{subjects[0]} {_LEAD.sub('', piece)}" if subjects else None


SAME = re.compile(r"\b(?:same|identical|match(?:es|ing)?|differ\w*|both)\b", re.IGNORECASE)


#: "which gelu", "what kind of gelu", "which flavour of the activation": the form of a function a model runs.
WHICH_FORM = re.compile(r"\b(?:which|what)\s+(?:(?:kind|sort|type|form|variant|version|flavou?r)s?\s+of\s+)?"
                        r"(?:the\s+)?(?:gelu|silu|swish|relu|activation|act|nonlinearity)\b", re.IGNORECASE)


# --- a function's name in a framework ---------------------------------------------------------------------------

#: "what's that one called in hf", "hugging face name for it?", "how is it spelled in transformers configs".
CALLED_IN_HF = re.compile(r"\b(?:called|named|name|names|spelled|written|known as|hidden_act)\b.{0,25}\b"
                          r"(?:hf|hugging ?face|transformers)\b|"
                          r"\b(?:hf|hugging ?face|transformers)(?:'s)?\s+(?:name|string|hidden_act|config name)\b",
                          re.IGNORECASE)


def hf_names_after(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'max error of quick gelu?' … 'what's it called in hf': the names of the function just answered about."""
    if previous is None or not CALLED_IN_HF.search(read) or not _named(read, lexicon).is_empty():
        return None
    return _hf_names(read, list((previous.get("slots") or {}).get("activations") or []))


def hf_names_of(text: str, entities: Entities) -> str | None:
    """'max error of the sigmoid approx of gelu … and what's that one called in hf': the Hugging Face names of
    the one function asked about, as the question what those names compute (answered from the verified names
    table). ``text`` is the question with its pronoun already read as the function."""
    return _hf_names(text, list(entities.activations))


def _hf_names(text: str, activations: list[str]) -> str | None:
    if not CALLED_IN_HF.search(text):
        return None
    functions = list(dict.fromkeys(activations))
    approximated = [f for f in functions if f in ("gelu_tanh", "gelu_sigmoid")]
    functions = approximated or functions  # "the sigmoid approx of gelu" names exact gelu too
    if len(functions) != 1:
        return None
    names = [str(e["forms"][0]) for e in framework_names.entries()
             if e["activation"] == functions[0] and e["framework"] == "Hugging Face transformers"]
    if not names:
        return None
    return f"what {'does' if len(names) == 1 else 'do'} {', '.join(names)} compute in hugging face transformers?"
