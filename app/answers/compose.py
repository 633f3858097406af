"""Compose an answer post for an intent: Markdown text, citations, computations and attachments.

Every number enters the text through :class:`Builder` — ``b.value(cell)``, ``b.diff(a, b)``,
``b.computed(...)`` — which records the citation or the computation at the same time, so an answer cannot
show a number it does not also cite. The grounding check then verifies the finished text independently.
Prose is written so that it states only what the cited rows say; where the data are silent the answer
says so instead of guessing.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app import activations
from app.answers import grounding
from app.answers.entities import Entities
from app.answers.explanations import activation_citation
from app.answers.facts import Cell, Explanation, Facts, paper_citation
from app.answers.intents import Intent, Slots, rank_order
from app.answers.lexicon import DENSE_VARIANT_OF, GATE_VARIANT_OF, Lexicon, ModelGroup
from app.answers.retrieval import MIN_SCORE, ExplanationIndex, Hit
from app.spread import NO_SPREAD

ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth"]
COUNT_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
               "twelve"]

# Plain-text formulas (the registry's LaTeX is cited beside them; numbers here all appear in it).
PLAIN_FORMULAS = {
    "relu": "max(0, x)",
    "gelu": "x·Φ(x) = ½·x·(1 + erf(x/√2))",
    "gelu_tanh": "½·x·(1 + tanh(√(2/π)·(x + {c}·x³)))",
    "gelu_sigmoid": "x·σ({s}·x)",
    "silu": "x·σ(βx) = x / (1 + e^(−βx)), with β = 1 (SiLU)",
    "sigmoid": "σ(x) = 1 / (1 + e^(−x))",
    "tanh": "(eˣ − e^(−x)) / (eˣ + e^(−x))",
    "softplus": "ln(1 + eˣ)",
    "mish": "x·tanh(ln(1 + eˣ))",
    "elu": "x for x > 0, eˣ − 1 otherwise",
    "selu": "λ·x for x > 0, λ·α·(eˣ − 1) otherwise",
    "squared_relu": "max(0, x)²",
}
APPROXIMATIONS = {"gelu_tanh": "gelu", "gelu_sigmoid": "gelu"}
CATALOG_ACTIVATIONS_FOR_VARIANT = {
    "FFN_GEGLU": ("geglu", "geglu_tanh"), "FFN_SwiGLU": ("swiglu",), "FFN_ReGLU": ("reglu",), "FFN_GLU": ("glu",),
    "FFN_Bilinear": ("bilinear",), "FFN_ReLU": ("relu",), "FFN_GELU": ("gelu", "gelu_tanh"), "FFN_Swish": ("silu",),
}
CATALOG_ACTIVATIONS_FOR = {
    "gelu": ("gelu", "gelu_tanh", "geglu", "geglu_tanh"), "gelu_tanh": ("gelu_tanh", "geglu_tanh"),
    "relu": ("relu", "reglu"), "silu": ("silu", "swiglu"), "squared_relu": ("squared_relu",),
    "geglu": ("geglu", "geglu_tanh"), "geglu_tanh": ("geglu_tanh",), "swiglu": ("swiglu",), "reglu": ("reglu",),
    "glu": ("glu",), "bilinear": ("bilinear",), "gelu_sigmoid": ("gelu_sigmoid",),
}
ARCH_PARAMETERS = {
    "layers": ("Layers",), "d_model": ("d_model",),
    "ff": ("Feedforward dim (paper)", "Feedforward hidden dims (paper)", "HF intermediate_size"),
    "heads": ("Num heads",), "kv": ("Num KV heads", "Head type"), "vocab": ("Vocab size",),
    "context": ("Context length", "Global attention span"), "window": ("Sliding window",),
    "head_size": ("Head size",), "tokens": ("Training tokens",),
    "params": ("Embedding parameters", "Non-embedding parameters"), "norm": ("Pre-norm", "Post-norm"),
}
CAPABILITIES = (
    "It answers from stored evidence only: the four result tables of “GLU Variants Improve Transformer”, "
    "the architecture tables of the Gemma reports, a catalog of released models and the activation functions "
    "they use, and curves and approximation errors it computes itself. You can ask, for example:\n\n"
    "- *Why does Gemma 2 use GeGLU?*\n"
    "- *Is GEGLU better than SwiGLU?* or *ReGLU vs GLU on SuperGLUE*\n"
    "- *What is SwiGLU's perplexity after full training?*\n"
    "- *Which activation does Llama 3 use?* or *Which models use GeGLU?*\n"
    "- *How accurate is the approximate GELU?*\n"
    "- *Run a comparison of GEGLU and SwiGLU*"
)


@dataclass
class Builder:
    """Collects the text of an answer together with what each of its numbers rests on."""

    facts: Facts
    parts: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    computations: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    quote_ids: list[int] = field(default_factory=list)
    sources_used: list[str] = field(default_factory=list)
    job_id: str | None = None
    noted: set[str] = field(default_factory=set)
    _keys: set[tuple[Any, ...]] = field(default_factory=set)

    # -- citing ----------------------------------------------------------------------------------
    def cite(self, citation: dict[str, Any]) -> None:
        key = tuple(sorted((k, str(v)) for k, v in citation.items() if k in (
            "kind", "paper", "table", "row", "column", "key", "family", "size", "parameter", "model", "id",
            "name", "thread_id")))
        if key not in self._keys:
            self._keys.add(key)
            self.citations.append(citation)

    def value(self, cell: Cell) -> str:
        self.cite(cell.citation())
        return cell.value_text

    def stddev(self, cell: Cell) -> str | None:
        if cell.stddev_text is None:
            return None
        self.cite(cell.citation())
        return cell.stddev_text

    def steps(self, cell: Cell) -> str:
        self.cite(cell.citation())
        return f"{cell.steps:,}"

    def computed(self, name: str, params: dict[str, Any], label: str) -> dict[str, Decimal]:
        outputs = grounding.run_computation(self.facts, name, params)
        entry = {"name": name, "params": params, "label": label, "outputs": {k: str(v) for k, v in outputs.items()}}
        if all(c["name"] != name or c["params"] != params for c in self.computations):
            self.computations.append(entry)
        return outputs

    def diff(self, a: Cell, b: Cell) -> Decimal:
        """a − b from the printed decimals (registered as a computation on the two cited cells)."""
        self.cite(a.citation())
        self.cite(b.citation())
        params = {"op": "sub", "operands": [{"citation": a.citation()}, {"citation": b.citation()}]}
        return self.computed("arith", params, f"{a.row} − {b.row}, {a.column}")["result"]

    def spread(self, a: Cell, b: Cell) -> tuple[Decimal | None, str]:
        """The spread a difference between two single runs has to exceed (as app.papers defines it)."""
        if a.stddev_text and b.stddev_text:
            operands = [{"citation": a.citation(), "what": "stddev"}, {"citation": b.citation(), "what": "stddev"}]
            how = "√(s_a² + s_b²) of the two variants' run-to-run spreads"
        else:
            ref = self.facts.reference_cell(a.benchmark, a.metric, a.steps)
            if ref is None or ref.stddev_text is None:
                return None, NO_SPREAD
            self.cite(ref.citation())
            operands = [{"citation": ref.citation(), "what": "stddev"}] * 2
            how = "√2 × the inter-run stddev Raffel et al. measured for this metric"
        self.cite(a.citation())
        self.cite(b.citation())
        value = self.computed("arith", {"op": "sqrt_sum_squares", "operands": operands}, f"spread of {a.row} − {b.row}")
        return value["result"], how

    def explanation(self, exp: Explanation) -> None:
        self.cite(exp.citation())
        for c in exp.summary_citations:
            self.cite(c)
        if exp.post_id not in self.quote_ids:
            self.quote_ids.append(exp.post_id)

    # -- text ------------------------------------------------------------------------------------
    def add(self, text: str) -> None:
        self.parts.append(text.strip("\n"))

    def text(self) -> str:
        return "\n\n".join(p for p in self.parts if p.strip())


# --------------------------------------------------------------------------------------------------
# Descriptions and small helpers
# --------------------------------------------------------------------------------------------------


def round_like(value: Decimal, like: str) -> str:
    """A derived number with one more decimal than the printed values it comes from."""
    places = (len(like.split(".", 1)[1]) if "." in like else 0) + 1
    return f"{round(value, places):.{places}f}"


def describe(cell: Cell) -> str:
    if cell.table == 1:
        return f"held-out log-perplexity on C4 after {cell.steps:,} steps"
    suite = cell.benchmark.split("/", 1)[0].split(" (", 1)[0]
    suite = suite.split(" v", 1)[0] if suite.startswith("SQuAD") else suite
    if "/" in cell.benchmark:
        return f"{suite} {cell.column}"
    if cell.metric == "Score Average":
        return f"{suite} average"
    return f"{suite} {cell.metric}"


def direction(cell: Cell) -> str:
    return "higher is better" if cell.higher_is_better else "lower is better"


def variant_list(slots: Slots) -> list[str]:
    out = list(slots.variants)
    for act in slots.activations:
        variant = DENSE_VARIANT_OF.get(act)
        if variant and variant not in out:
            out.append(variant)
    for gate in slots.gates:
        variant = GATE_VARIANT_OF.get(gate)
        if variant and variant not in out:
            out.append(variant)
    return out


def headline_columns(facts: Facts) -> list[tuple[str, str, int]]:
    """Perplexity at both lengths, then the GLUE/SuperGLUE averages and SQuAD EM/F1."""
    seen: list[tuple[str, str, int]] = []
    for c in facts.cells:
        if c.is_reference:
            continue
        key = (c.benchmark, c.metric, c.steps)
        if key in seen:
            continue
        if c.table == 1 or c.metric == "Score Average" or c.table == 4:
            seen.append(key)
    return seen


def select_columns(facts: Facts, slots: Slots) -> tuple[list[tuple[str, str, int]], str | None]:
    """The table columns a question is about, and a note when part of the request matched nothing."""
    all_columns = list(dict.fromkeys((c.benchmark, c.metric, c.steps) for c in facts.cells if not c.is_reference))
    note = None
    if not (slots.benchmarks or slots.metrics or slots.steps):
        return headline_columns(facts), None
    cols = all_columns
    if slots.benchmarks:
        cols = [c for c in cols if c[0] in slots.benchmarks]
    elif slots.steps and not slots.metrics:
        cols = [c for c in cols if c[1] == "log-perplexity"]
    if slots.metrics:
        narrowed = [c for c in cols if c[1] in slots.metrics]
        if narrowed:
            cols = narrowed
        elif slots.benchmarks:
            note = "That metric is not reported for this benchmark; these are the metrics the paper reports."
        if not slots.benchmarks and narrowed:
            cols = narrowed
    if slots.steps:
        narrowed = [c for c in cols if c[2] in slots.steps]
        if narrowed:
            cols = narrowed
        else:
            note = ("The paper reports these benchmarks only for the fully pre-trained models, so the values below "
                    "are after full pre-training.")
    return cols, note


def rank_words(facts: Facts, cell: Cell) -> str:
    column = facts.column_cells(cell.benchmark, cell.metric, cell.steps)
    mine = Decimal(cell.value_text)
    better = sum(1 for c in column if (Decimal(c.value_text) > mine if cell.higher_is_better
                                       else Decimal(c.value_text) < mine))
    ties = sum(1 for c in column if Decimal(c.value_text) == mine) - 1
    total = COUNT_WORDS[len(column)] if len(column) < len(COUNT_WORDS) else "all"
    if better == 0:
        word = "highest" if cell.higher_is_better else "lowest"
        return f"the {word} of the {total} variants" + (" (tied)" if ties else "")
    return f"{ORDINALS[better]} of the {total} variants" + (" (tied)" if ties else "")


def noise_note(b: Builder, cell: Cell) -> str:
    spread = b.stddev(cell)
    if spread is not None:
        return f"run-to-run spread {spread}"
    ref = b.facts.reference_cell(cell.benchmark, cell.metric, cell.steps)
    if ref is not None and ref.stddev_text:
        b.cite(ref.citation())
        return f"Raffel et al.'s inter-run stddev for this metric: {ref.stddev_text}"
    if cell.table == 1:
        return "no run-to-run spread is published for this column"
    return NO_SPREAD


SHORT_LABELS = {"silu": "SiLU", "gelu": "GELU", "gelu_tanh": "tanh-approximated GELU", "relu": "ReLU",
                "sigmoid": "σ", "identity": "the identity", "gelu_sigmoid": "sigmoid-approximated GELU"}


def activation_label(activation_id: str) -> str:
    if activation_id in SHORT_LABELS:
        return SHORT_LABELS[activation_id]
    try:
        entry = activations.get(activation_id)
    except LookupError:
        return activation_id
    return entry.name


def plain_formula(b: Builder, activation_id: str) -> str | None:
    template = PLAIN_FORMULAS.get(activation_id)
    if template is None:
        return None
    b.cite(activation_citation(activation_id))
    return template.format(c=repr(activations.GELU_TANH_COEFF), s=repr(activations.GELU_SIGMOID_SCALE))


# --------------------------------------------------------------------------------------------------
# Intents
# --------------------------------------------------------------------------------------------------


def compose_fact(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    variants = variant_list(slots)
    columns, note = select_columns(facts, slots)
    if not variants:
        compose_best(b, intent)
        return
    lines = []
    rows_for_table: dict[int, list[str]] = defaultdict(list)
    for variant in variants:
        for bench, metric, steps in columns:
            cells = facts.find(variant=variant, benchmark=bench, metric=metric, steps=steps)
            if not cells:
                continue
            cell = cells[0]
            rank = rank_words(facts, cell)
            lines.append(
                f"- **{variant}**, {describe(cell)} ({direction(cell)}): **{b.value(cell)}** — {rank}; "
                f"{noise_note(b, cell)}."
            )
            if variant not in rows_for_table[cell.table]:
                rows_for_table[cell.table].append(variant)
    if not lines:
        b.add("The paper reports no value for that combination. " + CAPABILITIES.split(". You can", 1)[0] + ".")
        return
    only_ppl = all(c[1] == "log-perplexity" for c in columns)
    paper = facts.main_paper()
    b.cite(paper_citation(paper))
    intro = "In the GLU-variants paper:" if not only_ppl else "Held-out log-perplexity in the GLU-variants paper:"
    if note:
        intro = f"{note} {intro}"
    b.add(intro + "\n\n" + "\n".join(lines))
    if any(c[1] == "log-perplexity" for c in columns) and len({c[2] for c in columns if c[1] == "log-perplexity"}) > 1:
        short = min(c[2] for c in columns if c[1] == "log-perplexity")
        cell = next(c for c in facts.cells if c.steps == short and c.table == 1)
        b.add(f"The {b.steps(cell)}-step figures are the short runs; full pre-training is the longer column "
              "(see the explanation of the common misreading of these columns).")
        exp = facts.explanations.get("misreading-1942")
        if exp is not None:
            b.cite(exp.citation())
    for table, rows in sorted(rows_for_table.items()):
        b.attachments.append({"kind": "paper_table", "paper": paper["id"], "table": table, "rows": rows,
                              "columns": [c for c in (describe_columns(facts, table, columns))]})


def describe_columns(facts: Facts, table: int, columns: list[tuple[str, str, int]]) -> list[str]:
    wanted = set(columns)
    return list(dict.fromkeys(c.column for c in facts.cells if c.table == table
                              and (c.benchmark, c.metric, c.steps) in wanted))


def compose_compare(b: Builder, intent: Intent, index: ExplanationIndex, entities: Entities) -> None:
    facts, slots = b.facts, intent.slots
    variants = variant_list(slots)
    if len(variants) < 2:
        if variants:
            compose_fact(b, intent)
        else:
            compose_best(b, intent)
        return
    columns, note = select_columns(facts, slots)
    paper = facts.main_paper()
    b.cite(paper_citation(paper))
    if note:
        b.add(note)
    if len(variants) == 2:
        _compare_two(b, variants[0], variants[1], columns)
    else:
        _compare_many(b, variants, columns)
    tables = sorted({c.table for col in columns for c in facts.find(benchmark=col[0], metric=col[1], steps=col[2])})
    for table in tables:
        b.attachments.append({"kind": "paper_table", "paper": paper["id"], "table": table, "rows": variants,
                              "columns": describe_columns(facts, table, columns)})
    hits = index.search(intent.retrieval_query or intent.question, entities, k=1)
    wanted = {f"variant:{v}" for v in variants}
    for hit in hits:
        exp = facts.explanations[hit.key]
        if "compare" in exp.tags and wanted <= set(exp.tags):
            b.cite(exp.citation())
            b.quote_ids.append(exp.post_id)
            b.add(f"More context: [{exp.title}]({exp.citation()['url']}).")


def _compare_two(b: Builder, a: str, c: str, columns: list[tuple[str, str, int]]) -> None:
    facts = b.facts
    header = f"| | {a} | {c} | difference | spread | reading |\n|---|---|---|---|---|---|"
    rows = []
    summary = []
    for bench, metric, steps in columns:
        ca = facts.find(variant=a, benchmark=bench, metric=metric, steps=steps)
        cc = facts.find(variant=c, benchmark=bench, metric=metric, steps=steps)
        if not ca or not cc:
            continue
        x, y = ca[0], cc[0]
        d = b.diff(x, y)
        spread, _how = b.spread(x, y)
        leader = "tie" if d == 0 else (a if (d > 0) == x.higher_is_better else c)
        if spread is None:
            reading = f"{leader} ahead; {NO_SPREAD}" if leader != "tie" else "tie"
            spread_text = "—"
        else:
            spread_text = round_like(spread, x.value_text)
            if leader == "tie":
                reading = "tie"
            elif abs(d) > spread:
                reading = f"{leader} better (gap larger than the spread)"
            else:
                reading = f"{leader} ahead, within noise"
        rows.append(f"| {describe(x)} ({direction(x)}) | {b.value(x)} | {b.value(y)} | {format(abs(d), 'f')} | "
                    f"{spread_text} | {reading} |")
        if x.table == 1:
            gap = format(abs(d), "f")
            if leader == "tie":
                summary.append(f"after {b.steps(x)} steps they tie at {b.value(x)}")
            elif spread is None:
                summary.append(f"after {b.steps(x)} steps {leader} is ahead by {gap} ({b.value(x)} vs "
                               f"{b.value(y)}; the paper publishes no spread for this column)")
            else:
                within = "within" if abs(d) <= spread else "larger than"
                summary.append(f"after {b.steps(x)} steps {leader} is ahead by {gap} ({b.value(x)} vs {b.value(y)}),"
                               f" {within} the run-to-run spread of {round_like(spread, x.value_text)}")
    if not rows:
        b.add(f"The paper has no common column for {a} and {c} in what was asked.")
        return
    if summary:
        b.add(f"**{a} vs {c}**, held-out log-perplexity (lower is better): " + "; ".join(summary) + ".")
    else:
        b.add(f"**{a} vs {c}**:")
    b.add(header + "\n" + "\n".join(rows))
    downstream = [col for col in columns if col[1] != "log-perplexity"]
    if len(downstream) >= 2:
        wins = b.computed("wins", {"a": a, "b": c, "columns": [list(col) for col in downstream]},
                          f"columns won by {a} and by {c}")
        b.add(f"Downstream, {a} leads on {wins['a_wins']} and {c} on {wins['b_wins']} of these "
              f"{wins['total']} columns ({wins['ties']} tied). The spread column is what a gap between two single "
              "runs has to exceed: the root of the summed squares of the two run-to-run spreads where the paper "
              "prints them, otherwise of Raffel et al.'s inter-run stddev taken twice; each model was fine-tuned "
              "once.")


def _compare_many(b: Builder, variants: list[str], columns: list[tuple[str, str, int]]) -> None:
    facts = b.facts
    header = "| | " + " | ".join(variants) + " | best of these |\n|---" + "|---" * (len(variants) + 1) + "|"
    rows = []
    for bench, metric, steps in columns:
        cells = [facts.find(variant=v, benchmark=bench, metric=metric, steps=steps) for v in variants]
        if not all(cells):
            continue
        chosen = [c[0] for c in cells]
        pick = max if chosen[0].higher_is_better else min
        top = pick(Decimal(c.value_text) for c in chosen)
        winners = [c.row for c in chosen if Decimal(c.value_text) == top]
        values = " | ".join(f"**{b.value(c)}**" if Decimal(c.value_text) == top else b.value(c) for c in chosen)
        rows.append(f"| {describe(chosen[0])} ({direction(chosen[0])}) | {values} | {', '.join(winners)} |")
    if not rows:
        b.add("The paper has no common column for these variants in what was asked.")
        return
    b.add(f"**{', '.join(variants)}** in the GLU-variants paper (best of these in bold):")
    b.add(header + "\n" + "\n".join(rows))
    ppl = [col for col in columns if col[1] == "log-perplexity"]
    for col in ppl:
        col_cells = [facts.find(variant=v, benchmark=col[0], metric=col[1], steps=col[2])[0] for v in variants]
        spreads = [b.stddev(c) for c in col_cells]
        if all(spreads):
            b.add(f"After {b.steps(col_cells[0])} steps the run-to-run spreads are "
                  + ", ".join(f"{c.row} {s}" for c, s in zip(col_cells, spreads, strict=True))
                  + "; gaps smaller than about these are noise.")
        else:
            b.add(f"After {b.steps(col_cells[0])} steps the paper publishes no spread.")


ORDER_TITLES = {
    "best": "Best variant",
    "worst": "Worst variant",
    "lowest": "Lowest value",
    "highest": "Highest value",
}


def compose_best(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    order = rank_order(intent.question)
    columns, note = select_columns(facts, slots)
    paper = facts.main_paper()
    b.cite(paper_citation(paper))
    lines = []
    for bench, metric, steps in columns:
        cells = facts.column_cells(bench, metric, steps)
        if not cells:
            continue
        descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                      "lowest": False, "highest": True}[order]
        ordered = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=descending)
        top = Decimal(ordered[0].value_text)
        winners = [c for c in ordered if Decimal(c.value_text) == top]
        rest = [c for c in ordered if Decimal(c.value_text) != top]
        text = (f"- {describe(winners[0])} ({direction(winners[0])}): **{', '.join(w.row for w in winners)}** at "
                f"{b.value(winners[0])}")
        if len(winners) > 1:
            text += " (tied)"
        if rest:
            runner = rest[0]
            gap = format(abs(b.diff(winners[0], runner)), "f")
            spread, _ = b.spread(winners[0], runner)
            text += f"; next {runner.row} at {b.value(runner)}, {gap} {'behind' if order == 'best' else 'away'}"
            if spread is not None:
                text += (" — within noise" if abs(Decimal(gap)) <= spread else " — more than the spread") + (
                    f" (spread {round_like(spread, runner.value_text)})")
        lines.append(text + ".")
    if not lines:
        b.add("The paper reports no such column.")
        return
    intro = f"{ORDER_TITLES[order]} per column in the GLU-variants paper (reference rows never compete):"
    if order == "best" and not (slots.benchmarks or slots.metrics or slots.steps):
        intro = ("No single variant wins every metric. Best per headline column in the GLU-variants paper "
                 "(reference rows never compete):")
    if note:
        intro = note + " " + intro
    b.add(intro + "\n\n" + "\n".join(lines))


def _catalog_activation_text(activation_id: str) -> str:
    gated = {"geglu_tanh": "GeGLU with the tanh-approximated GELU (a gated FFN)",
             "geglu": "GeGLU with exact GELU (a gated FFN)", "swiglu": "SwiGLU (a SiLU-gated FFN)",
             "reglu": "ReGLU (a ReLU-gated FFN)"}
    if activation_id in gated:
        return gated[activation_id]
    return f"{activation_label(activation_id)} (a dense FFN)"


def model_groups(lexicon: Lexicon, slots: Slots) -> list[ModelGroup]:
    return [lexicon.groups[name] for name in slots.models if name in lexicon.groups]


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
        b.add(" ".join(sentences))
        acts = list(by_activation)
        variant = next((GATE_VARIANT_OF.get(a) or DENSE_VARIANT_OF.get(a) for a in acts
                        if GATE_VARIANT_OF.get(a) or DENSE_VARIANT_OF.get(a)), None)
        if variant and with_paper and variant not in b.noted:
            b.noted.add(variant)
            full = max(c.steps for c in facts.cells if c.table == 1)
            cells = facts.find(variant=variant, benchmark=None, metric="log-perplexity", steps=full)
            base = facts.find(variant="FFN_ReLU", metric="log-perplexity", steps=full)
            if cells and base and variant != "FFN_ReLU":
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


def _about_models(exp: Explanation, groups: list[ModelGroup]) -> bool:
    return any(
        f"model:{g.name}" in exp.tags or (g.arch_family and f"model:{g.arch_family}" in exp.tags)
        or any(f"model:{m}" in exp.tags for m in g.members) for g in groups
    )


def compose_models_using(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    wanted: list[str] = []
    for v in slots.variants:
        wanted += CATALOG_ACTIVATIONS_FOR_VARIANT.get(v, ())
    for a in [*slots.gates, *slots.activations]:
        wanted += CATALOG_ACTIVATIONS_FOR.get(a, (a,))
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


def compose_explain(b: Builder, intent: Intent, index: ExplanationIndex, entities: Entities) -> list[Hit]:
    hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
    if not hits or hits[0].score < MIN_SCORE:
        compose_out_of_scope(b, honest_miss=True)
        return hits
    exp = b.facts.explanations[hits[0].key]
    b.explanation(exp)
    b.computations.extend(c for c in exp.computations if c not in b.computations)
    b.add(exp.summary)
    b.add(f"The full explanation, with its sources: [{exp.title}]({exp.citation()['url']}).")
    b.attachments.extend(exp.attachments[:1])
    return hits


def compose_why_model(b: Builder, intent: Intent, lexicon: Lexicon, index: ExplanationIndex,
                      entities: Entities) -> list[Hit]:
    """What the model uses (catalog, report), then the curated explanation of why, if one covers it."""
    facts = b.facts
    groups = model_groups(lexicon, intent.slots)
    hits = index.search(intent.retrieval_query or intent.question, entities, k=3)
    chosen = next((facts.explanations[h.key] for h in hits
                   if h.score >= MIN_SCORE and _about_models(facts.explanations[h.key], groups)), None)
    compose_model_activation(b, intent, lexicon, index, entities, with_explanation=False,
                             with_paper=chosen is None)
    if chosen is not None:
        b.explanation(chosen)
        b.computations.extend(c for c in chosen.computations if c not in b.computations)
        b.add(chosen.summary)
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


def compose_math(b: Builder, intent: Intent, settings_max_abs_x: float) -> None:
    slots = intent.slots
    text = intent.question.lower()
    targets = list(dict.fromkeys([*slots.gates, *slots.activations]))
    if not targets:
        for v in slots.variants:
            gate = next((g for g, var in GATE_VARIANT_OF.items() if var == v and g != "geglu_tanh"), None)
            targets.append(gate or b.facts.variants[v]["activation"])
    curve_functions: list[str] = []
    error_pairs: list[tuple[str, str]] = []
    for target in targets[:4]:
        entry = activations.get(target)
        b.cite(activation_citation(entry.id))
        if entry.family == "gate":
            inner = entry.gate_activation or ""
            inner_formula = plain_formula(b, inner)
            variant = GATE_VARIANT_OF.get(entry.id)
            line = f"**{entry.name}** gates a linear branch b with {activation_label(inner)} of the other branch a: " \
                   f"f(a, b) = {activation_label(inner)}(a)·b"
            if inner_formula:
                line += f", where {activation_label(inner)}(x) = {inner_formula}"
            b.add(line + ".")
            if variant and variant in b.facts.variants:
                vrow = b.facts.variants[variant]
                b.cite({"kind": "variant", "name": variant, "label": f"FFN variant {variant} (GLU-variants paper)",
                        "url": f"/variants/{variant}"})
                b.add(f"As a feed-forward layer ({variant}): `{vrow['formula_latex']}`, with d_ff = "
                      f"{vrow['d_ff_paper']} in the paper.")
            if inner and inner != "identity":
                curve_functions.append(inner)
            if inner in APPROXIMATIONS:
                error_pairs.append((inner, APPROXIMATIONS[inner]))
            continue
        formula = plain_formula(b, entry.id)
        b.add(f"**{entry.name}**: {formula}." if formula else f"**{entry.name}**: `{entry.formula}`.")
        curve_functions.append(entry.id)
        if entry.id in APPROXIMATIONS:
            error_pairs.append((entry.id, APPROXIMATIONS[entry.id]))
            if APPROXIMATIONS[entry.id] not in curve_functions:
                curve_functions.append(APPROXIMATIONS[entry.id])
        elif entry.id == "gelu" and re.search(r"approx|error|accura|tanh|differ", text):
            error_pairs.append(("gelu_tanh", "gelu"))
    error_pairs = list(dict.fromkeys(error_pairs))  # "tanh approximation of GELU" names the pair twice
    for fn, ref in error_pairs[:2]:
        params = {"fn": fn, "reference": ref, **grounding.ERROR_GRID}
        out = b.computed("approx_error", params, f"max |{fn} − {ref}| on [−10, 10]")
        side = "above" if out["signed_error"] > 0 else "below"
        b.add(
            f"Computed by this service on {grounding.ERROR_GRID['points']:,} points of "
            f"[{grounding.ERROR_GRID['xmin']:g}, {grounding.ERROR_GRID['xmax']:g}]: the largest difference between "
            f"`{fn}` and exact `{ref}` is **{grounding.format_sig(float(out['max_abs_error']), 5)}**, at |x| ≈ "
            f"{grounding.format_sig(float(out['x']), 5)}, where the approximation lies {side} the exact curve; the "
            "error is even in x, so it peaks at both ±x."
        )
        b.attachments.append({"kind": "curve", "functions": [fn], "error_of": ref, "xmin": -6.0, "xmax": 6.0,
                              "title": f"{fn} − {ref}"})
    if error_pairs and re.search(r"bfloat16|\bbf16\b|float16|\bfp16\b|half.precision|low.precision|dtype", text):
        b.add("That figure is the float64 difference. Whether it survives rounding to bfloat16 or float16 depends on "
              "x, because the rounding step grows with |GELU(x)|: [the GELU approximations page](/gelu-approximations) "
              "computes each approximation's worst error against each dtype's rounding step.")
    scalar_targets = [t for t in curve_functions if activations.get(t).family == "scalar"]
    derivative = 1 if re.search(r"derivative|slope|gradient", text) else 0
    xs = [x for x in slots.numbers if math.isfinite(x) and abs(x) <= settings_max_abs_x][:5]
    if xs and scalar_targets:
        values = []
        for fn in scalar_targets[:3]:
            for x in xs:
                out = b.computed("activation_value", {"fn": fn, "x": x, "derivative": derivative},
                                 f"{fn}{'′' if derivative else ''}({x:g})")
                shown = grounding.format_sig(float(out["value"]), 6)
                values.append(f"{fn}{'′' if derivative else ''}({x:g}) = {shown}")
        b.add("Computed: " + "; ".join(values) + ".")
    if re.search(r"\bmin(imum)?\b|\blowest value\b|\bnegative\b", text):
        for fn in scalar_targets[:2]:
            out = b.computed("extremum", {"fn": fn, "which": "minimum"}, f"minimum of {fn}")
            b.add(f"The minimum of `{fn}` is {grounding.format_sig(float(out['value']), 5)} at x ≈ "
                  f"{grounding.format_sig(float(out['x']), 5)} (computed).")
    if scalar_targets:
        b.attachments.insert(0, {"kind": "curve", "functions": list(dict.fromkeys(scalar_targets))[:4],
                                 "xmin": -4.0, "xmax": 4.0, "title": ", ".join(scalar_targets[:4])})
    exp = b.facts.explanations.get("approximated-gelu")
    if exp is not None and any(t in ("gelu_tanh", "gelu_sigmoid", "geglu_tanh") for t in [*targets, *curve_functions]):
        b.cite(exp.citation())
        b.add(f"More: [{exp.title}]({exp.citation()['url']}).")


def compose_paper_setup(b: Builder, intent: Intent) -> None:
    facts = b.facts
    paper = facts.main_paper()
    lines = []
    for key in intent.slots.setup_keys[:5]:
        fact = facts.paper_fact(paper["id"], key)
        if fact is None:
            continue
        b.cite(fact)
        lines.append(f"- **{fact['fact_label']}**: {fact['value']} ({fact['location']})")
    if not lines:
        compose_out_of_scope(b, honest_miss=True)
        return
    b.cite(paper_citation(paper))
    b.add(f"What “{paper['title']}” states about its setup:\n\n" + "\n".join(lines))


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
    b.add("\n".join(out))
    if "ff" in keys and any(g.arch_family for g in groups):
        exp = facts.explanations.get("two-thirds-rule")
        if exp is not None:
            b.cite(exp.citation())
            b.add(f"The report's feed-forward dimension counts both GeGLU input branches; Hugging Face's "
                  f"intermediate_size is one branch — see [{exp.title}]({exp.citation()['url']}).")


def key_wants(keys: list[str], wanted: tuple[str, ...]) -> bool:
    return any(k in wanted for k in keys)


def compose_verify(b: Builder, intent: Intent, index: ExplanationIndex, entities: Entities) -> list[Hit]:
    """A yes/no question about a number: where that number really comes from, and the value asked about."""
    facts, slots = b.facts, intent.slots
    variants = variant_list(slots)

    def fits(cell: Cell) -> bool:
        return ((not variants or cell.variant in variants) and (not slots.steps or cell.steps in slots.steps)
                and (not slots.benchmarks or cell.benchmark in slots.benchmarks))

    statements: list[str] = []
    any_fit = False
    for number in slots.numbers[:3]:
        wanted = Decimal(repr(number))
        values = [c for c in facts.cells if Decimal(c.value_text) == wanted]
        spreads = [c for c in facts.cells if c.stddev_text is not None and Decimal(c.stddev_text) == wanted]
        if not values and not spreads:
            statements.append("That number does not appear among the stored table values.")
            continue
        # Judge against every cell holding the number, and show the ones the question is about first.
        any_fit = any_fit or any(fits(c) for c in [*values, *spreads])
        values.sort(key=lambda c: not fits(c))
        spreads.sort(key=lambda c: not fits(c))
        for cell in values[:3]:
            statements.append(f"{b.value(cell)} is {cell.row}'s {describe(cell)} (Table {cell.table}).")
        for cell in spreads[:3]:
            statements.append(
                f"{b.stddev(cell)} is the run-to-run spread the paper gives for {cell.row}'s {describe(cell)} "
                f"(Table {cell.table})."
            )
    asked = []
    columns, _ = select_columns(facts, slots)
    shown = {Decimal(repr(n)) for n in slots.numbers}
    for variant in variants[:2]:
        for bench, metric, steps in columns[:2]:
            cells = facts.find(variant=variant, benchmark=bench, metric=metric, steps=steps)
            if cells and Decimal(cells[0].value_text) not in shown:
                asked.append(f"{variant}'s {describe(cells[0])} is **{b.value(cells[0])}**.")
    b.add(" ".join(["Yes." if any_fit else "No.", *statements, *asked]))
    hits = index.search(intent.retrieval_query or intent.question, entities, k=1)
    if hits and hits[0].score >= MIN_SCORE:
        exp = facts.explanations[hits[0].key]
        b.explanation(exp)
        b.add(f"See also: [{exp.title}]({exp.citation()['url']}).")
    return hits


def compose_out_of_scope(b: Builder, honest_miss: bool = False) -> None:
    if honest_miss:
        b.add("I can't answer that from the evidence this service stores, and it does not guess. " + CAPABILITIES)
    else:
        b.add("That question is outside what this service covers: it is about transformer feed-forward "
              "activations and the published evidence behind them. " + CAPABILITIES)


def compose_help(b: Builder) -> None:
    b.add("This is Activation Lab's question answering. " + CAPABILITIES)


RUN_STEPS = re.compile(r"(\d[\d,]*)\s*(?:training\s+)?steps?\b")
RUN_SEEDS = re.compile(r"(\d+)\s*seeds?\b")
DEFAULT_RUN_VARIANTS = ("FFN_ReLU", "FFN_GEGLU", "FFN_SwiGLU")


def compose_run_comparison(b: Builder, intent: Intent, session: Any, settings: Any) -> None:
    """Queue a small quality comparison (tiny language models that differ only in the FFN) and link it."""
    from app.domain import InvalidInputError
    from app.jobs import queue

    variants = variant_list(intent.slots) or list(DEFAULT_RUN_VARIANTS)
    if len(variants) == 1:
        variants = ["FFN_ReLU", variants[0]] if variants[0] != "FFN_ReLU" else list(DEFAULT_RUN_VARIANTS)
    raw: dict[str, Any] = {"kind": "quality", "variants": variants}
    text = intent.question.lower()
    steps = RUN_STEPS.search(text)
    seeds = RUN_SEEDS.search(text)
    if steps:
        raw["steps"] = int(steps.group(1).replace(",", ""))
    if seeds:
        raw["seeds"] = int(seeds.group(1))
    try:
        submission = queue.submit(session, settings, raw)
    except InvalidInputError as exc:
        # The limit's value is configuration, not stored evidence: name the setting, not its number.
        setting = re.search(r"ACTLAB_[A-Z_]+", exc.message)
        which = f" (setting `{setting.group(0)}`)" if setting else ""
        b.add(f"I could not start that comparison: the value of `{exc.field}` is outside what this service "
              f"accepts{which}. The comparison form lists the limits: [/comparisons](/comparisons).")
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
