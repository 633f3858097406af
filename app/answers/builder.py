"""The answer under construction, and the wording every kind of answer shares.

Every number enters the text through :class:`Builder` — ``b.value(cell)``, ``b.diff(a, b)``,
``b.computed(...)`` — which records the citation or the computation at the same time, so an answer cannot
show a number it does not also cite. The grounding check then verifies the finished text independently.
Prose is written so that it states only what the cited rows say; where the data are silent the answer
says so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app import activations
from app.answers import computations
from app.answers.facts import Cell, Explanation, Facts
from app.spread import NO_SPREAD
from app.vocabulary import SHORT_LABELS

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
    quoted_names: list[str] = field(default_factory=list)  # unknown names repeated from the question
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
        outputs = computations.run_computation(self.facts, name, params)
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
        """The paragraphs in order; one that repeats an earlier one word for word (the same link after two
        parts) is shown once."""
        seen: set[str] = set()
        kept = []
        for part in self.parts:
            if part.strip() and part not in seen:
                kept.append(part)
                seen.add(part)
        return "\n\n".join(kept)


def round_like(value: Decimal, like: str) -> str:
    """A derived number with one more decimal than the printed values it comes from."""
    places = (len(like.split(".", 1)[1]) if "." in like else 0) + 1
    return f"{round(value, places):.{places}f}"


def activation_label(activation_id: str) -> str:
    if activation_id in SHORT_LABELS:
        return SHORT_LABELS[activation_id]
    try:
        entry = activations.get(activation_id)
    except LookupError:
        return activation_id
    return entry.name


def compose_out_of_scope(b: Builder, honest_miss: bool = False) -> None:
    if honest_miss:
        b.add("I can't answer that from the evidence this service stores, and it does not guess. " + CAPABILITIES)
    else:
        b.add("That question is outside what this service covers: it is about transformer feed-forward "
              "activations and the published evidence behind them. " + CAPABILITIES)


def compose_help(b: Builder) -> None:
    b.add("This is Activation Lab's question answering. " + CAPABILITIES)
