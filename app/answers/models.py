"""Answers about released models: the activation a model uses, why, which models use one, and the
architecture values the reports and the catalog store.

Models are named as people name them (a model, a family, a report's size); what the stored data do not
say (why a team chose an FFN, when no curated explanation covers it) the answer says it cannot tell.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections import defaultdict
from typing import Any

from app.answers.builder import CAPABILITIES, Builder, activation_label
from app.answers.entities import Entities
from app.answers.explanations import activation_citation
from app.answers.facts import Explanation
from app.answers.framing import YES_NO_START, confirmed, is_claim
from app.answers.intents import Intent, Slots
from app.answers.lexicon import Lexicon, ModelGroup
from app.answers.phrases import ORGANIZATION_ALIASES
from app.answers.retrieval import MIN_SCORE, ExplanationIndex, Hit
from app.vocabulary import BASELINE, DENSE_VARIANT_OF, GATE_VARIANT_OF, catalog_labels_for, catalog_labels_for_variant

ARCH_PARAMETERS = {
    "layers": ("Layers",), "d_model": ("d_model",),
    "ff": ("Feedforward dim (paper)", "Feedforward hidden dims (paper)", "HF intermediate_size"),
    "heads": ("Num heads",), "kv": ("Num KV heads", "Head type"), "vocab": ("Vocab size", "HF vocab_size"),
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
    if activation_id == "gelu":  # said outright, since the tanh form is the other common reading of "gelu"
        return "exact GELU, the erf form (a dense FFN)"
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
    start = len(b.parts)
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
        if not sentences:
            sentences.append(f"The stored data hold no activation for {group.name}.")
        stated = group.arch_family and any(facts.arch_fact(group.arch_family, s, p) for s in
                                           facts.arch_sizes(group.arch_family) for p in PAPER_PARAMETERS)
        if REPORT.search(intent.question) and members and not stated:
            sentences.append(f"The stored evidence quotes nothing from {group.name}'s own paper or report about "
                             "its activation (the passages stored do not name it); the catalog's entry comes from "
                             "its listed sources (" +
                             members[0]["source"] + ").")
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
    _side_by_side(b, groups, intent.question)
    if with_explanation:
        hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
        for hit in hits:
            exp = facts.explanations[hit.key]
            if "why" in exp.tags and _about_models(exp, groups):
                b.cite(exp.citation())
                b.add(f"Why: see [{exp.title}]({exp.citation()['url']}).")
                break


#: A catalog verification note that hedges the row ("activation inferred …", "UNVERIFIED", "single-source").
HEDGED = re.compile(r"UNVERIFIED|\binferred\b|single-source", re.IGNORECASE)
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


#: What a question about a catalog row's other fields names (who released it, when).
ORG_WORDS = re.compile(r"\borg(?:anization|anisation)?s?\b|\bcompany\b|\blab\b|\bwho (?:made|released|trained|built|"
                       r"developed|created|makes|put out|puts out|published|publishes|is behind|was behind|'s behind|"
                       r"owns|open[- ]?sourced|shipped|designed)\b|\bwho'?s behind\b|\breleased by\b|\bmade by\b|"
                       r"\bdeveloped by\b|\bbuilt by\b|\bpublished by\b|\btrained by\b|\bvendor\b|\bmaker\b|"
                       r"\bwhich (?:team|group|firm)\b|\bwhose model\b|\bcomes? from which\b")
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


#: The FFN kind a list of models is restricted to ("which catalog models are dense with gelu_tanh").
FFN_KIND = {"dense": re.compile(r"\bdense\b|\bungated\b|\bnon-gated\b"), "gated": re.compile(r"\bgated\b")}
MOE_WORD = re.compile(r"\bmoe\b|\bmixture[- ]of[- ]experts\b")
YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def catalog_filters(question: str) -> dict[str, Any]:
    """Who released the models, when, and which FFN kind a list of catalog models is restricted to."""
    text = question.lower()
    orgs = [word for alias, word in sorted(ORGANIZATION_ALIASES.items(), key=lambda p: -len(p[0]))
            if re.search(rf"(?<![\w.-]){re.escape(alias)}(?:'s)?(?![\w-])", text)]
    if "deepmind" in orgs and "google" in orgs:
        orgs.remove("google")  # "google deepmind" names one organization
    kinds = [k for k, pattern in FFN_KIND.items() if pattern.search(text)]
    width = WIDTH_GIVEN.search(text)
    field = None if width is None else ("d_model_text" if re.match(r"d_model|hidden", width.group(1)) else "d_ff_text")
    return {"orgs": list(dict.fromkeys(orgs)), "kind": kinds[0] if len(kinds) == 1 else None,
            "years": [] if width else YEAR.findall(text), "moe": bool(MOE_WORD.search(text)),
            "width": None if width is None else (field, int(width.group(2))), "extreme": _extreme(text),
            "count": bool(re.search(r"\bhow many\b", text))}


#: "models with d_ff 14336", "d_model = 4096": a width the listed rows must have.
WIDTH_GIVEN = re.compile(r"\b(d_ff|d_model|intermediate[_ ]size|hidden[_ ]size|ffn (?:width|size|dim))\s*"
                         r"(?:of|=|:|is)?\s*(\d{3,})\b")
EXTREME_WORDS = {"widest": ("d_ff_text", max), "largest": (None, max), "biggest": (None, max),
                 "narrowest": ("d_ff_text", min), "smallest": (None, min), "oldest": ("year", min),
                 "earliest": ("year", min), "newest": ("year", max), "latest": ("year", max),
                 "most recent": ("year", max)}


def _extreme(text: str) -> tuple[str, Any] | None:
    """Which catalog column a superlative picks the end of ('widest ffn': d_ff; 'smallest d_model'; 'oldest')."""
    found = re.search(r"\b(" + "|".join(EXTREME_WORDS) + r")\b", text)
    if found is None:
        return None
    field, pick = EXTREME_WORDS[found.group(1)]
    if field is None:
        field = ("d_model_text" if re.search(r"\bd_model\b|\bhidden[_ ]size\b|\bmodel dim", text) else
                 "d_ff_text" if re.search(r"\bffn\b|\bd_ff\b|\bmlp\b|\bintermediate\b|\bfeed[- ]?forward\b", text)
                 else None)
    return None if field is None else (field, pick)


def _kept(row: dict[str, Any], filters: dict[str, Any]) -> bool:
    if filters["orgs"] and not any(o in str(row["organization"]).lower() for o in filters["orgs"]):
        return False
    if filters["kind"] and row["ffn_type"] != filters["kind"]:
        return False
    if filters["years"] and str(row["year"]) not in filters["years"]:
        return False
    if filters.get("width") and _number(row[filters["width"][0]]) != filters["width"][1]:
        return False
    return not filters["moe"] or bool(MOE_SOURCE.match(str(row.get("source", ""))))


def _extreme_label(extreme: tuple[str, Any]) -> str:
    field, pick = extreme
    if field == "year":
        return "the newest" if pick is max else "the oldest"
    return f"{'largest' if pick is max else 'smallest'} {field.removesuffix('_text')}"


def _number(text: object) -> int | None:
    digits = str(text).replace(",", "")
    return int(digits) if digits.isdigit() else None


def _compose_filtered(b: Builder, filters: dict[str, Any], wanted: list[str]) -> None:
    """The catalog rows matching who released them, when and their FFN kind (and the activation, if named)."""
    rows = [m for m in sorted(b.facts.catalog.values(), key=lambda r: (r["year"], r["model"]))
            if _kept(m, filters) and (not wanted or m["activation"] in wanted)]
    extreme = filters.get("extreme")
    if extreme and rows:
        field, pick = extreme
        valued = [(v, m) for m in rows if (v := _number(m[field])) is not None]
        end = pick(v for v, _ in valued) if valued else None
        rows = [m for v, m in valued if v == end]
    released = sorted({str(m["organization"]) for m in rows}) if filters["orgs"] else []
    said = [*(f"from {o}" for o in (released or filters["orgs"])),
            *([f"{filters['kind']} FFN"] if filters["kind"] else []),
            *(f"released in {y}" for y in filters["years"]), *(["mixture-of-experts"] if filters["moe"] else []),
            *([f"with {', '.join(f'`{w}`' for w in wanted)}"] if wanted else []),
            *([f"{filters['width'][0].removesuffix('_text')} {filters['width'][1]}"] if filters.get("width") else []),
            *([_extreme_label(extreme)] if extreme else [])]
    if not rows:
        b.add(f"No model in the catalog is {' and '.join(said)}; the catalog is a selection, not a census.")
        return
    for m in rows:
        b.cite(m)
    counted = ""
    if filters.get("count"):  # the count shown is a registered sum, one per row listed
        total = b.computed("arith", {"op": "add", "operands": [{"number": 1} for _ in rows]}, "models listed")
        counted = f"**{int(total['result'])}** "
    b.add(f"{counted}{'models' if counted else 'Models'} in the catalog ({'; '.join(said)}):\n\n" + "\n".join(
        f"- {m['model']} ({m['organization']}, {m['year']}): {m['ffn_type']} FFN, `{m['activation']}`, d_model "
        f"{m['d_model_text']}, d_ff {m['d_ff_text']}" for m in rows))
    b.add("Each entry links its sources on the model's page; the catalog is a selection, not a census.")


def compose_models_using(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    wanted: list[str] = []
    for v in slots.variants:
        wanted += catalog_labels_for_variant(v)
    for a in [*slots.gates, *slots.activations]:
        wanted += catalog_labels_for(a)
    wanted = list(dict.fromkeys(wanted))
    filters = catalog_filters(intent.question)
    if filters["orgs"] or filters["kind"] or filters["years"] or filters["moe"] or filters["width"] or (
            filters["extreme"]) or (filters["count"] and wanted):
        _compose_filtered(b, filters, wanted)
        return
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
    b.add(f"The stored data hold no statement from the authors of {names} on why they chose it (their reasons are "
          "not in the stored evidence), so this service cannot say why; the comparison above is the published "
          "evidence for this kind of FFN.")
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
                if key_wants(keys, ("d_model", "ff", "experts")):
                    b.cite(m)
                    out.append(f"- {m['model']}: d_model {m['d_model_text']}, FFN hidden size {m['d_ff_text']} "
                               f"(model catalog)" + moe_note(m) + hedge_note(m))
    if not out:
        names = ", ".join(g.name for g in groups)
        members = [facts.catalog[m] for g in groups for m in g.members if m in facts.catalog]
        b.add(f"The stored data hold no such architecture value for {names}: it is not in the stored evidence. "
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
    b.add("\n".join(out))
    if "ff" in keys and any(g.arch_family for g in groups):
        exp = facts.explanations.get("two-thirds-rule")
        if exp is not None:
            b.cite(exp.citation())
            b.add(f"The report's feed-forward dimension counts both GeGLU input branches; Hugging Face's "
                  f"intermediate_size is one branch — see [{exp.title}]({exp.citation()['url']}).")


#: A mixture-of-experts row: its source opens with the expert layout ("MoE: 8 experts, top-2; d_ff column is …").
MOE_SOURCE = re.compile(r"^\s*MoE:\s*")
#: The later clauses of that layout: what the width column holds (one expert's, or a leading dense layer's).
WIDTH_CLAUSE = re.compile(r"\bd_ff column\b|\bdense layers?\b")
#: An MoE row whose FFN width column is a leading dense layer's, not an expert's.
DENSE_FIRST = re.compile(r"\bdense layers?\b")
EVERY_LAYER = re.compile(r"\b(?:every|each|all(?: the)?|in all) (?:layers?|blocks?)\b|\beverywhere\b", re.IGNORECASE)


def moe_note(model: dict[str, Any]) -> str:
    """The expert layout of a mixture-of-experts row, so a width is never read without what it is the width of
    (Qwen3-30B-A3B's 768 is one expert's; DeepSeek-V3's 18432 is its first dense layers', its experts' 2048)."""
    return f"; {layout}" if (layout := moe_layout(model)) else ""


def moe_layout(model: dict[str, Any]) -> str:
    """The expert-layout clauses that open an MoE row's source, '' for a dense-FFN model."""
    source = str(model.get("source", ""))
    found = MOE_SOURCE.match(source)
    if found is None:
        return ""
    clauses = source[found.end():].split("; ")
    kept = [clauses[0], *itertools.takewhile(lambda c: bool(WIDTH_CLAUSE.search(c)), clauses[1:])]
    return "; ".join(c.strip() for c in kept)


def key_wants(keys: list[str], wanted: tuple[str, ...]) -> bool:
    return any(k in wanted for k in keys)


#: The per-branch field named: a doubled width is then wrong even where a report prints it.
PER_BRANCH = re.compile(r"\bintermediate[_ ]size\b|\bconfig\b|\bhf\b|\bhugging ?face\b|\bper[- ]branch\b",
                        re.IGNORECASE)


def _doubled_widths(b: Builder, groups: list[ModelGroup], numbers: list[float], out: list[str]) -> list[str]:
    """'phi-3's gate_up_proj is 16384 wide, so intermediate_size is 16384?': a stated width that is twice a
    gated model's catalog d_ff is the gate and up projections side by side, not one branch's width (a report
    that prints the doubled width, Gemma's, is quoted as such, not contradicted)."""
    shown = "\n".join(out)
    lines = []
    for group in groups:
        for name in group.members:
            row = b.facts.catalog.get(name)
            if row is None or row["ffn_type"] != "gated" or not str(row["d_ff_text"]).replace(",", "").isdigit():
                continue
            d_ff = int(str(row["d_ff_text"]).replace(",", ""))
            if not any(n == 2 * d_ff for n in numbers):
                continue
            b.cite(row)
            both = b.computed("arith", {"op": "mul", "operands": [{"citation": row, "field": "d_ff_text"},
                                                                  {"number": 2}]}, f"{name}: 2 · d_ff")["result"]
            printed = re.search(rf"(?<![\d,]){int(both)}(?![\d,])", shown) is not None
            lead, how = ("", ", as the report prints it") if printed else ("No: ", "")
            lines.append(f"{lead}{int(both)} is 2 × {d_ff}, the gate and up projections of {name} side by side (a "
                         f"fused or concatenated gate+up width{how}); the per-branch width, `intermediate_size`, is "
                         f"**{d_ff}** (model catalog).")
    return lines


#: The question places the value in a released configuration, not in the report ("… in config.json too?").
CONFIG_WORD = re.compile(r"\bconfig(?:uration)?(?:\.json)?\b|\bhf\b|\bhugging ?face\b|\btransformers\b|"
                         r"\bintermediate_size\b|\bvocab_size\b|\bhidden_size\b", re.IGNORECASE)
_VALUE = re.compile(r"(?<![\w.])\d[\d,]{2,}(?![\w])")


def config_differs(question: str, lines: list[str]) -> bool:
    """'gemma 2 vocab is 256128 in config.json too?', 'is gemma-2-27b's intermediate_size 73728 in the HF
    config?': the stated value is the report's, and the configuration lines shown hold another one."""
    stated = {v.replace(",", "") for v in _VALUE.findall(question)}
    config = [line for line in lines if ", HF " in line]
    if not (stated and config and CONFIG_WORD.search(question)):
        return False
    values = {v.replace(",", "") for line in config for v in _VALUE.findall(line.split(": ", 1)[-1].split(" (")[0])}
    return not stated <= values


def hedge_note(model: dict[str, Any]) -> str:
    """The catalog's verification note where it hedges a row (a single-source width, an inferred activation)."""
    verified = str(model.get("verified", ""))
    return f" — verification: {verified}" if HEDGED.search(verified) else ""


#: "which is wider, llama 3 70b or qwen2.5-32b": two or more models' FFN widths set against each other.
WIDER = re.compile(r"\bwider\b|\bwidest\b|\bnarrower\b|\bnarrowest\b|\b(?:bigger|larger|smaller) (?:ffn|mlp|d_ff)\b|"
                   r"\b(?:ffn|mlp|d_ff) (?:is )?(?:bigger|larger|smaller)\b", re.IGNORECASE)


def _wider(b: Builder, groups: list[ModelGroup], question: str) -> list[str]:
    """The widest FFN among the catalog rows of the models named, first, when the question asks which is wider."""
    if not WIDER.search(question):
        return []
    rows = [b.facts.catalog[n] for g in groups for n in g.members if n in b.facts.catalog]
    widths = [(str(r["d_ff_text"]).replace(",", ""), r) for r in rows]
    sized = [(int(text), r) for text, r in widths if text.isdigit()]
    if len({r["model"] for _, r in sized}) < 2:
        return []
    width, widest = max(sized, key=lambda p: p[0])
    return [f"Widest FFN: **{widest['model']}**, d_ff {width} (model catalog; MoE rows give one expert's width)."]


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


#: "is mistral 7b d_ff 11008?", "qwen3-8b ffn = 22016?": a size stated for checking.
STATED_CHECK = re.compile(r"^\s*(?:is|are|does|do|was|has|have)\b|=|\b(?:right|correct|true)\s*\??\s*$|"
                          r"^(?!\s*(?:what|which|wich|how|why|who|where|when|whats)\b)[^?]*\?+\s*$", re.IGNORECASE)


def _stated_elsewhere(intent: Intent, out: list[str]) -> bool:
    """Whether a yes/no question states a width that none of the stored values shown is."""
    stated = [n for n in intent.slots.numbers if n >= 64 and float(n).is_integer()]
    if not stated or not STATED_CHECK.search(intent.question):
        return False
    shown = {float(t.replace(",", "")) for t in re.findall(r"(?<![\w.])\d[\d,]*(?![\w.])", "\n".join(out))}
    return not any(n in shown for n in stated)
