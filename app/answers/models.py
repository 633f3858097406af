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

from app.answers.builder import CAPABILITIES, Builder, activation_label
from app.answers.entities import Entities
from app.answers.explanations import activation_citation
from app.answers.facts import Explanation
from app.answers.framing import confirmed
from app.answers.intents import Intent, Slots
from app.answers.lexicon import Lexicon, ModelGroup
from app.answers.retrieval import MIN_SCORE, ExplanationIndex, Hit
from app.vocabulary import BASELINE, DENSE_VARIANT_OF, GATE_VARIANT_OF, catalog_labels_for, catalog_labels_for_variant

ARCH_PARAMETERS = {
    "layers": ("Layers",), "d_model": ("d_model",),
    "ff": ("Feedforward dim (paper)", "Feedforward hidden dims (paper)", "HF intermediate_size"),
    "heads": ("Num heads",), "kv": ("Num KV heads", "Head type"), "vocab": ("Vocab size",),
    "context": ("Context length", "Global attention span"), "window": ("Sliding window",),
    "head_size": ("Head size",), "tokens": ("Training tokens",),
    "params": ("Embedding parameters", "Non-embedding parameters"), "norm": ("Pre-norm", "Post-norm"),
}


def _catalog_activation_text(activation_id: str) -> str:
    gated = {"geglu_tanh": "GeGLU with the tanh-approximated GELU (a gated FFN)",
             "geglu": "GeGLU with exact GELU (a gated FFN)", "swiglu": "SwiGLU (a SiLU-gated FFN)",
             "reglu": "ReGLU (a ReLU-gated FFN)",
             "clamped_swiglu_a1.702": "a clamped SwiGLU, g·σ(1.702·g)·(u + 1) with g = min(a, 7) and u = b clipped to "
             "[−7, 7] (a gated FFN)"}
    if activation_id in gated:
        return gated[activation_id]
    return f"{activation_label(activation_id)} (a dense FFN)"


def model_groups(lexicon: Lexicon, slots: Slots) -> list[ModelGroup]:
    return [lexicon.groups[name] for name in slots.models if name in lexicon.groups]


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
                             f"{_catalog_activation_text(act)} (model catalog).")
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
        if not sentences:
            sentences.append(f"The stored data hold no activation for {group.name}.")
        stated = group.arch_family and any(facts.arch_fact(group.arch_family, s, p) for s in
                                           facts.arch_sizes(group.arch_family) for p in PAPER_PARAMETERS)
        if REPORT.search(intent.question) and members and not stated:
            sentences.append(f"The stored evidence quotes nothing from {group.name}'s own paper or report about "
                             "its activation; the catalog's entry comes from its listed sources (" +
                             members[0]["source"] + ").")
        b.add(" ".join(sentences))
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
    if with_explanation:
        hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
        for hit in hits:
            exp = facts.explanations[hit.key]
            if "why" in exp.tags and _about_models(exp, groups):
                b.cite(exp.citation())
                b.add(f"Why: see [{exp.title}]({exp.citation()['url']}).")
                break


def _cite_activation(b: Builder, activation_id: str) -> None:
    """The registry entry whose formula (and constants) the activation's description shows."""
    with contextlib.suppress(LookupError):
        b.cite(activation_citation(activation_id))


#: What a question about a catalog row's other fields names (who released it, when).
ORG_WORDS = re.compile(r"\borg(?:anization|anisation)?s?\b|\bcompany\b|\blab\b|\bwho (?:made|released|trained|built|"
                       r"developed|created|makes)\b|\breleased by\b|\bmade by\b|\bdeveloped by\b|\bvendor\b")
YEAR_WORDS = re.compile(r"\bwhen\b|\byear\b|\breleased in\b")


def asks_catalog_field(text: str) -> bool:
    return bool(ORG_WORDS.search(text) or YEAR_WORDS.search(text))


def compose_catalog_field(b: Builder, intent: Intent, lexicon: Lexicon) -> None:
    """Who released a catalog model and when: the row's organization and year, cited."""
    facts = b.facts
    groups = model_groups(lexicon, intent.slots)
    lines = []
    for group in groups:
        for name in group.members:
            row = facts.catalog.get(name)
            if row is None:
                continue
            b.cite(row)
            lines.append(f"**{row['model']}** was released by {row['organization']} in {row['year']} (model catalog).")
    b.add(" ".join(lines) if lines else "No model named there is in the catalog.")


def _about_models(exp: Explanation, groups: list[ModelGroup]) -> bool:
    return any(
        f"model:{g.name}" in exp.tags or (g.arch_family and f"model:{g.arch_family}" in exp.tags)
        or any(f"model:{m}" in exp.tags for m in g.members) for g in groups
    )


def compose_models_using(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    wanted: list[str] = []
    for v in slots.variants:
        wanted += catalog_labels_for_variant(v)
    for a in [*slots.gates, *slots.activations]:
        wanted += catalog_labels_for(a)
    wanted = list(dict.fromkeys(wanted))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in sorted(facts.catalog.values(), key=lambda r: (r["year"], r["model"])):
        if m["activation"] in wanted:
            groups[m["activation"]].append(m)
            b.cite(m)
    if not groups:
        b.add("No model in the catalog uses that activation. The catalog's activations are: "
              + ", ".join(sorted({m["activation"] for m in facts.catalog.values()})) + ".")
        return
    lines = []
    for act in wanted:
        rows = groups.get(act)
        if not rows:
            continue
        lines.append(f"- `{act}` — {_catalog_activation_text(act)}: "
                     + ", ".join(f"{r['model']} ({r['organization']}, {r['year']})" for r in rows))
    b.add("Models in the catalog with this FFN activation:\n\n" + "\n".join(lines))
    b.add("Each entry links its sources on the model's page; the catalog is a selection, not a census.")


def compose_why_model(b: Builder, intent: Intent, lexicon: Lexicon, index: ExplanationIndex,
                      entities: Entities) -> list[Hit]:
    """The curated explanation of why, if one covers it (the answer first), then what the model uses."""
    facts = b.facts
    start = len(b.parts)
    groups = model_groups(lexicon, intent.slots)
    hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
    chosen = next((facts.explanations[h.key] for h in hits
                   if h.score >= MIN_SCORE and _about_models(facts.explanations[h.key], groups)), None)
    compose_model_activation(b, intent, lexicon, index, entities, with_explanation=False,
                             with_paper=chosen is None)
    if chosen is not None:
        b.explanation(chosen)
        b.computations.extend(c for c in chosen.computations if c not in b.computations)
        b.parts.insert(start, chosen.summary.strip("\n"))
        b.add(f"The full explanation, with its sources: [{chosen.title}]({chosen.citation()['url']}).")
        b.attachments.extend(chosen.attachments[:1])
        return hits
    names = ", ".join(g.name for g in groups)
    b.add(f"The stored data hold no statement from the authors of {names} on why they chose it, so this "
          "service cannot say why; the comparison above is the published evidence for this kind of FFN.")
    if hits and hits[0].score >= MIN_SCORE:
        exp = facts.explanations[hits[0].key]
        b.cite(exp.citation())
        b.add(f"Related: [{exp.title}]({exp.citation()['url']}).")
    return hits


def compose_architecture(b: Builder, intent: Intent, lexicon: Lexicon) -> None:
    facts = b.facts
    groups = model_groups(lexicon, intent.slots)
    keys = intent.slots.arch_keys or ["ff"]
    out = []
    for group in groups:
        if group.arch_family:
            sizes = [group.arch_size] if group.arch_size else facts.arch_sizes(group.arch_family)
            for key in keys:
                for parameter in ARCH_PARAMETERS.get(key, ()):
                    found = [(s, facts.arch_fact(group.arch_family, s, parameter)) for s in sizes]
                    found_ok = [(s, f) for s, f in found if f is not None]
                    if not found_ok:
                        continue
                    for _, f in found_ok:
                        b.cite(f)
                    out.append(f"- {group.arch_family}, {parameter}: " + ", ".join(
                        f"{s}: {f['value_text']}" for s, f in found_ok) + f" ({found_ok[0][1]['source']})")
        members = [facts.catalog[m] for m in group.members if m in facts.catalog]
        if not group.arch_family or not out:
            for m in members:
                if key_wants(keys, ("d_model", "ff")):
                    b.cite(m)
                    out.append(f"- {m['model']}: d_model {m['d_model_text']}, FFN hidden size {m['d_ff_text']} "
                               f"(model catalog)")
    if not out:
        names = ", ".join(g.name for g in groups)
        members = [facts.catalog[m] for g in groups for m in g.members if m in facts.catalog]
        b.add(f"The stored data hold no such architecture value for {names}. For these models the service stores "
              "the FFN activation, d_model and the FFN hidden size (model catalog), and for Gemma 1 and Gemma 2 "
              "the reports' architecture tables." + (" What the catalog stores:" if members else ""))
        if members:
            for m in members:
                b.cite(m)
            b.add("\n".join(f"- {m['model']}: d_model {m['d_model_text']}, FFN hidden size {m['d_ff_text']} "
                            f"(model catalog)" for m in members))
        return
    if confirmed(intent.question, "\n".join(out)):
        b.add("Yes.")
    b.add("\n".join(out))
    if "ff" in keys and any(g.arch_family for g in groups):
        exp = facts.explanations.get("two-thirds-rule")
        if exp is not None:
            b.cite(exp.citation())
            b.add(f"The report's feed-forward dimension counts both GeGLU input branches; Hugging Face's "
                  f"intermediate_size is one branch — see [{exp.title}]({exp.citation()['url']}).")


def key_wants(keys: list[str], wanted: tuple[str, ...]) -> bool:
    return any(k in wanted for k in keys)
