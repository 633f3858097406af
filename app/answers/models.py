"""Answers about released models: the activation a model uses, why, which models use one, and the
architecture values the reports and the catalog store.

Models are named as people name them (a model, a family, a report's size); what the stored data do not
say (why a team chose an FFN, when no curated explanation covers it) the answer says it cannot tell.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from typing import Any

from app.answers import arch_fields
from app.answers.arch_fields import ARCH_LABELS, TOTAL, arch_parameters, distinct_groups, never_stored, total_parameters
from app.answers.builder import CAPABILITIES, Builder
from app.answers.catalog_lists import FFN_KIND, _catalog_activation_text
from app.answers.catalog_lists import compose_models_using as compose_models_using
from app.answers.config_fields import config_sentences
from app.answers.entities import Entities
from app.answers.explanations import activation_citation
from app.answers.facts import Explanation
from app.answers.ffn_subject import beyond_ffn
from app.answers.ffn_widths import (
    DENSE_FIRST,
    EVERY_LAYER,
    PER_BRANCH,
    _doubled_widths,
    _stated_elsewhere,
    _wider,
    config_differs,
    hedge_note,
    key_wants,
    moe_layout,
    moe_note,
)
from app.answers.framing import YES_NO_START, confirmed, is_claim
from app.answers.intents import Intent, Slots
from app.answers.lexicon import Lexicon, ModelGroup
from app.answers.model_pairs import asked_about, expert_line, same_activation
from app.answers.retrieval import MIN_SCORE, ExplanationIndex, Hit
from app.vocabulary import BASELINE, DENSE_VARIANT_OF, GATE_VARIANT_OF


def model_groups(lexicon: Lexicon, slots: Slots) -> list[ModelGroup]:
    """The named models' groups, one per set of catalog rows: "gpt-2" (the family) and "GPT-2 (124M)" (its one
    member) are the same row and are answered once (by the group that also carries architecture facts)."""
    kept: dict[frozenset[str], ModelGroup] = {}
    for name in slots.models:
        group = lexicon.groups.get(name)
        if group is None:
            continue
        key = frozenset(group.members) or frozenset({group.name})
        if key not in kept or (group.arch_family and not kept[key].arch_family):
            kept[key] = group
    return list(kept.values())


#: "what activation does the gemma 3 paper name": the report's own words, not the configs'.
REPORT = re.compile(r"\b(?:paper|report|tech(?:nical)? report|the authors)\b", re.IGNORECASE)
#: Architecture facts that quote a report rather than a config.
PAPER_PARAMETERS = ("Non-linearity", "Activation (paper)")


def compose_model_activation(b: Builder, intent: Intent, lexicon: Lexicon, index: ExplanationIndex,
                             entities: Entities, with_explanation: bool = True, with_paper: bool = True) -> None:
    facts = b.facts
    groups = model_groups(lexicon, intent.slots)
    if not groups:
        b.add("No model named there is in the catalog. " + CAPABILITIES)
        return
    start = len(b.parts)
    widths = _claims_ffn(intent)
    for group in groups:
        members = [facts.catalog[m] for m in group.members if m in facts.catalog]
        by_activation: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in members:
            by_activation[m["activation"]].append(m)
            b.cite(m)
        sentences = []
        for act, rows in by_activation.items():
            names = ", ".join(r["model"] for r in rows)
            _cite_activation(b, act)
            sentences.append(f"**{names}** {'uses' if len(rows) == 1 else 'use'} `{act}` — "
                             f"{_catalog_activation_text(act)} (model catalog)." + (_widths(rows) if widths else ""))
            sentences += [f"How sure: {r['verified']} (catalog verification note for {r['model']})." for r in rows
                          if HEDGED_ACTIVATION.search(str(r.get("verified", "")))]
        if group.arch_family:
            sizes = [group.arch_size] if group.arch_size else facts.arch_sizes(group.arch_family)
            for parameter in ("Non-linearity", "Activation (paper)", "HF hidden_activation", "HF hidden_act"):
                values = [(s, facts.arch_fact(group.arch_family, s, parameter)) for s in sizes]
                found = [(s, f) for s, f in values if f is not None]
                if not found:
                    continue
                for _, f in found:
                    b.cite(f)
                distinct = {f["value_text"] for _, f in found}
                where = found[0][1]["source"]
                if len(distinct) == 1:
                    size_text = ", ".join(s for s, _ in found)
                    sentences.append(f"{group.arch_family} ({size_text}), {parameter}: `{distinct.pop()}` ({where}).")
                else:
                    sentences.append(f"{group.arch_family}, {parameter}: " + ", ".join(
                        f"{s} `{f['value_text']}`" for s, f in found) + f" ({where}).")
        shown = {p.removeprefix("HF ") for p in ("HF hidden_activation", "HF hidden_act") if group.arch_family and any(
            facts.arch_fact(group.arch_family, s, p) for s in facts.arch_sizes(group.arch_family))}
        sentences += config_sentences(intent.question, members, shown)
        if not sentences:
            sentences.append(f"The stored data hold no activation for {group.name}.")
        stated = group.arch_family and any(facts.arch_fact(group.arch_family, s, p) for s in
                                           facts.arch_sizes(group.arch_family) for p in PAPER_PARAMETERS)
        if REPORT.search(intent.question) and members and not stated:
            sentences.append(f"The stored evidence quotes nothing from {group.name}'s own paper or report about "
                             "its activation (the passages stored do not name it); the catalog's entry comes from "
                             "its listed sources (" +
                             members[0]["source"].replace("*", "·") + ").")
        b.add(" ".join(sentences))
        if len(b.parts) == start + 1:
            unquoted = bool(REPORT.search(intent.question)) and not stated
            verdict = activation_verdict(intent, list(by_activation), unquoted) or kind_verdict(intent, members)
            b.parts[start] = verdict + b.parts[start]
        acts = list(by_activation)
        variant = next((GATE_VARIANT_OF.get(a) or DENSE_VARIANT_OF.get(a) for a in acts
                        if GATE_VARIANT_OF.get(a) or DENSE_VARIANT_OF.get(a)), None)
        if variant and with_paper and variant not in b.noted:
            b.noted.add(variant)
            full = max(c.steps for c in facts.cells if c.table == 1)
            cells = facts.find(variant=variant, benchmark=None, metric="log-perplexity", steps=full)
            base = facts.find(variant=BASELINE, metric="log-perplexity", steps=full)
            if cells and base and variant != BASELINE:
                b.add(f"In the GLU-variants paper the corresponding FFN, {variant}, reached a held-out "
                      f"log-perplexity of {b.value(cells[0])} after {b.steps(cells[0])} steps, against "
                      f"{b.value(base[0])} for the ReLU baseline.")
    same = same_activation(b, groups, intent.question)
    if same:
        b.parts.insert(start, same)
    _side_by_side(b, groups, intent.question)
    if with_explanation:
        hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
        for hit in hits:
            exp = facts.explanations[hit.key]
            if "why" in exp.tags and _about_models(exp, groups):
                b.cite(exp.citation())
                b.add(f"Why: see [{exp.title}]({exp.citation()['url']}).")
                break


#: "falcon-7b uses a swiglu mlp", "llama's ffn is geglu?": a claim about the model's FFN block, not only its function.
FFN_NOUN = re.compile(r"\b(?:mlp|ffn|feed[- ]?forward)s?\b", re.IGNORECASE)


def _claims_ffn(intent: Intent) -> bool:
    """Whether the question states what a model's FFN block is for checking ("X uses a Y mlp, right?"): then the
    answer shows the block's widths beside its activation, so it says what the FFN is, not only what it is not.
    Sizes asked for by name get their own operation and are not repeated."""
    q = intent.question
    claimed = intent.slots.gates or intent.slots.activations or intent.slots.variants
    return bool(claimed) and not intent.slots.arch_keys and bool(FFN_NOUN.search(q)) and bool(
        is_claim(q) or YES_NO_START.search(q) or STATED_ACTIVATION.search(q))


def _widths(rows: list[dict[str, Any]]) -> str:
    """' Its FFN: d_model 4544, hidden size 18176.' for the catalog rows of one activation (at most three)."""
    shown = [r for r in rows if str(r["d_model_text"]).isdigit() and str(r["d_ff_text"]).isdigit()][:3]
    if not shown:
        return ""
    if len(shown) == 1:
        r = shown[0]
        return f" Its FFN: d_model {r['d_model_text']}, FFN hidden size {r['d_ff_text']}{moe_note(r)} (model catalog)."
    return " FFN widths (d_model → hidden size): " + "; ".join(
        f"{r['model']} {r['d_model_text']} → {r['d_ff_text']}{moe_note(r)}" for r in shown) + " (model catalog)."


#: A verification note that hedges the activation itself (not only the widths).
HEDGED_ACTIVATION = re.compile(r"activation[^;]*(?:UNVERIFIED|\binferred\b|single-source)|"
                               r"(?:UNVERIFIED|\binferred\b|single-source)[^;]*\bactivation", re.IGNORECASE)
#: "is gpt-3 gelu or gelu_new": a choice between names, which a yes or no does not answer.
EITHER = re.compile(r"\bor\b|\bvs\.?\b|\bversus\b|\bwhich\b", re.IGNORECASE)


#: The function inside each gated catalog activation, for reading a claim that names the function alone.
GATE_FUNCTION = {"geglu": "gelu", "geglu_tanh": "gelu_tanh", "swiglu": "silu", "reglu": "relu"}
#: A claim about the exact (erf) form, which a tanh-approximated activation does not compute.
EXACT_WORD = re.compile(r"\bexact\b|\berf\b", re.IGNORECASE)


def activation_verdict(intent: Intent, used: list[str], from_report: bool = False) -> str:
    """'Yes. ' or 'No. ' before the first model's activation when the question repeats a claim about it ("falcon-7b
    is swiglu, isn't it?", "bloom = exact erf gelu?"), '' when there is no claim, when it is about a report the
    stored evidence does not quote, or when the catalog row only partly matches it (a SiLU gate for "uses silu")."""
    named = {v: a for a, v in {**DENSE_VARIANT_OF, **GATE_VARIANT_OF}.items() if "_" not in a}
    claimed = [*intent.slots.gates, *intent.slots.activations,
               *(named[v] for v in intent.slots.variants if v in named)]
    if intent.name != "model_activation" or len(used) != 1 or not claimed or from_report or not (
            is_claim(intent.question) or YES_NO_START.search(intent.question)
            or STATED_ACTIVATION.search(intent.question)):
        return ""
    if len(set(claimed)) >= 2 and EITHER.search(intent.question):
        return ""
    act, exact = used[0], bool(EXACT_WORD.search(intent.question))
    if act in claimed:
        return "Yes. "
    if any(act.startswith(f"{c}_") for c in claimed):  # geglu_tanh for "geglu", gelu_tanh for "gelu"
        return "No. " if exact else ("Yes. " if act in GATE_FUNCTION else "")
    if GATE_FUNCTION.get(act) in claimed:  # "llama uses silu": its gate's function, not the whole FFN
        return ""
    return "No. "


#: "bloom-176b = exact erf gelu?", "gemma 7b -> geglu?": a model set equal to an activation for checking.
STATED_ACTIVATION = re.compile(r"^(?!.*\b(?:what|which|wich|how|why|who|where|when|whats)\b)"
                               r"(?:.*(?:=|->|→)|[^?]*\?+\s*$)", re.IGNORECASE | re.DOTALL)


def kind_verdict(intent: Intent, members: list[dict[str, Any]]) -> str:
    """'Yes. ' or 'No. ' for a yes/no question about a model's FFN kind ("is bert gated?", "does llama use a
    dense ffn"), when every catalog row of the model has the same kind; '' otherwise."""
    asked = [k for k, pattern in FFN_KIND.items() if pattern.search(intent.question.lower())]
    kinds = {m["ffn_type"] for m in members}
    if len(asked) != 1 or len(kinds) != 1 or not YES_NO_START.search(intent.question):
        return ""
    return "Yes. " if asked[0] in kinds else "No. "


def _cite_activation(b: Builder, activation_id: str) -> None:
    """The registry entry whose formula (and constants) the activation's description shows."""
    with contextlib.suppress(LookupError):
        b.cite(activation_citation(activation_id))


def _about_models(exp: Explanation, groups: list[ModelGroup]) -> bool:
    return any(
        f"model:{g.name}" in exp.tags or (g.arch_family and f"model:{g.arch_family}" in exp.tags)
        or any(f"model:{m}" in exp.tags for m in g.members) for g in groups
    )


def _asked_values(b: Builder, groups: list[ModelGroup], intent: Intent) -> str:
    """The report family's values for the architecture keys a why-question names, cited ('' for none): the
    general reason alone does not say which of the model's numbers it accounts for."""
    keys = intent.slots.arch_keys
    if not keys:
        return ""
    lines = [line for g in distinct_groups(groups) if g.arch_family for line in family_lines(b, g, keys, "")]
    return "\n".join(dict.fromkeys(lines))


def asks_beyond_ffn(intent: Intent) -> bool:
    """'whats the reason gemma 1 2b uses multi-query attention': a why about a choice the stored evidence
    records (at most) as a value, never with a reason; the FFN is not its subject."""
    slots = intent.slots
    return beyond_ffn(intent.question) and not (slots.variants or slots.activations or slots.gates)


def compose_why_model(b: Builder, intent: Intent, lexicon: Lexicon, index: ExplanationIndex,
                      entities: Entities) -> list[Hit]:
    """The curated explanation of why, if one covers it (the answer first), then what the model uses."""
    facts = b.facts
    start = len(b.parts)
    groups = model_groups(lexicon, intent.slots)
    hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
    if asks_beyond_ffn(intent):
        names = ", ".join(g.name for g in groups)
        b.add(f"The stored evidence does not say why {names} made that choice: it holds the reports' architecture "
              "values (below where stored), not the authors' reasons for choices outside the feed-forward layer.")
        if intent.slots.arch_keys:
            compose_architecture(b, intent, lexicon)
        return hits
    about = [facts.explanations[h.key] for h in hits
             if h.score >= MIN_SCORE and _about_models(facts.explanations[h.key], groups)]
    # "… go with geglu in gemma instead of swiglu like llama": the choice of that function by the model asked
    # about, not by the one compared (a why about a width set against another model keeps the best match)
    subjects = [g for g in groups if g.name in asked_about(intent.question, entities.matches)]
    chosen = next((e for e in about if subjects and "why" in e.tags and _about_models(e, subjects) and (
        {f"variant:{v}" for v in intent.slots.variants} & set(e.tags)) and not intent.slots.arch_keys),
                  next(iter(about), None))
    compose_model_activation(b, intent, lexicon, index, entities, with_explanation=False,
                             with_paper=chosen is None)
    if chosen is not None:
        b.explanation(chosen)
        b.computations.extend(c for c in chosen.computations if c not in b.computations)
        b.parts.insert(start, chosen.summary.strip("\n"))
        asked = _asked_values(b, groups, intent)
        if asked:  # "why does the hf config say 9216 then": the model's own values beside the reason
            b.parts.insert(start + 1, asked)
        b.add(f"The full explanation, with its sources: [{chosen.title}]({chosen.citation()['url']}).")
        b.attachments.extend(chosen.attachments[:1])
        return hits
    names = ", ".join(g.name for g in groups)
    b.add(f"The stored evidence does not say why: it holds no statement from the authors of {names} on their "
          "choice, so this service cannot give their reason; the GLU-variants paper's comparison is the published "
          "evidence for this kind of FFN.")
    if hits and hits[0].score >= MIN_SCORE:
        exp = facts.explanations[hits[0].key]
        b.cite(exp.citation())
        b.add(f"Related: [{exp.title}]({exp.citation()['url']}).")
    return hits


def family_lines(b: Builder, group: ModelGroup, keys: list[str], question: str) -> list[str]:
    """The cited lines of one report family's architecture values for the keys asked (each parameter the key
    stands for, the report's and Hugging Face's, across the sizes the group names)."""
    facts = b.facts
    family = str(group.arch_family)
    sizes = [group.arch_size] if group.arch_size else facts.arch_sizes(family)
    out = []
    for key in keys:
        for parameter in arch_parameters(key, question):
            found_ok = [(s, f) for s in sizes if (f := facts.arch_fact(family, s, parameter)) is not None]
            if not found_ok:
                continue
            for _, f in found_ok:
                b.cite(f)
            out.append(f"- {family}, {parameter}: " + ", ".join(
                f"{s}: {f['value_text']}" for s, f in found_ok) + f" ({found_ok[0][1]['source']})")
        total = (total_parameters(b, family, sizes) if key == "params" and TOTAL.search(question)
                 and len(arch_parameters(key, question)) == 2 else None)
        if total is not None:
            out.append(total)
    return out


def compose_architecture(b: Builder, intent: Intent, lexicon: Lexicon) -> None:
    facts = b.facts
    groups = distinct_groups(model_groups(lexicon, intent.slots))
    keys = intent.slots.arch_keys or ["ff"]
    out = []
    for group in groups:
        if group.arch_family:
            out.extend(family_lines(b, group, keys, intent.question))
        members = [facts.catalog[m] for m in group.members if m in facts.catalog]
        if not group.arch_family or not out:
            for m in members:
                experts = expert_line(m, keys, intent.question)
                if experts:  # "how many routed experts", "how wide is each one": the experts' layout, said first
                    b.cite(m)
                    out.append(experts)
                elif key_wants(keys, ("d_model", "ff", "experts")):
                    b.cite(m)
                    out.append(f"- {m['model']}: d_model {m['d_model_text']}, FFN hidden size {m['d_ff_text']} "
                               f"(model catalog)" + moe_note(m) + hedge_note(m))
    if not out:
        names = ", ".join(g.name for g in groups)
        members = [facts.catalog[m] for g in groups for m in g.members if m in facts.catalog and not never_stored(keys)]
        asked = " or ".join(dict.fromkeys(ARCH_LABELS.get(k, "such architecture value") for k in keys))
        b.add(f"The stored data hold no {asked} for {names}: it is not in the stored evidence. "
              "For these models the service stores "
              "the FFN activation, d_model and the FFN hidden size (model catalog), and for Gemma 1 and Gemma 2 "
              "the reports' architecture tables." + (" What the catalog stores:" if members else ""))
        if members:
            for m in members:
                b.cite(m)
            b.add("\n".join(f"- {m['model']}: d_model {m['d_model_text']}, FFN hidden size {m['d_ff_text']} "
                            f"(model catalog)" for m in members))
        return
    out = list(dict.fromkeys(out))  # two names of one row ("phi4", "Phi-4 (14B)") list it once
    out[:0] = _wider(b, groups, intent.question)
    doubled = _doubled_widths(b, groups, intent.slots.numbers, [] if PER_BRANCH.search(intent.question) else out)
    for line in doubled:
        b.add(line)
    dense_first = any(DENSE_FIRST.search(moe_layout(row)) for g in groups for n in g.members
                      if (row := facts.catalog.get(n)) is not None)
    if not doubled and config_differs(intent.question, out):
        b.add("No: the Hugging Face configuration's value differs from the one asked about.")
    elif not doubled and dense_first and EVERY_LAYER.search(intent.question) and intent.slots.numbers:
        b.add("No: that width is only the leading dense layers'.")
    elif confirmed(intent.question, "\n".join(out)) and not doubled:
        b.add("Yes.")
    elif not doubled and _stated_elsewhere(intent, out):
        b.add("No: the stored value differs from the one stated.")
    b.add(arch_fields.report_width_note(b, groups, keys, intent.question) or "")
    b.add("\n".join(out))
    b.add(arch_fields.closing_note(b, groups, keys, intent.question) or "")
    if "ff" in keys and any(g.arch_family for g in groups):
        exp = facts.explanations.get("two-thirds-rule")
        if exp is not None:
            b.cite(exp.citation())
            b.add(f"The report's feed-forward dimension counts both GeGLU input branches; Hugging Face's "
                  f"intermediate_size is one branch — see [{exp.title}]({exp.citation()['url']}).")


#: "t5 v1.0 base vs t5 v1.1 base ffn, what changed": two or more models' FFNs set against each other.
SET_AGAINST = re.compile(r"\bvs\.?\b|\bversus\b|\bcompar|\bdiffer|\bchanged?\b|\bdifference\b|\bswitch(?:ed)?\b",
                         re.IGNORECASE)


def _side_by_side(b: Builder, groups: list[ModelGroup], question: str) -> None:
    """The FFN kind and widths of each model named, one line each, when two or more are compared: what
    changed between them is the activation and the widths together."""
    rows = list(dict.fromkeys(n for g in groups for n in g.members if n in b.facts.catalog))
    if len(groups) < 2 or len(rows) < 2 or len(rows) > 8 or not SET_AGAINST.search(question):
        return
    lines = []
    for name in rows:
        row = b.facts.catalog[name]
        b.cite(row)
        lines.append(f"- {name}: {row['ffn_type']} FFN, `{row['activation']}`, d_model {row['d_model_text']}, "
                     f"d_ff {row['d_ff_text']} (model catalog)")
    b.add("Side by side:\n\n" + "\n".join(lines))
