"""The FFN vocabulary: which variants exist, the activation and gate each is made of, and their names.

One registry, read from ``app/data/variants.csv`` (what the paper states about its eight variants) and
``app/data/vocabulary.yaml`` (the variants it did not test, gates, surface forms and display names), so
that the modules (``app.ffn``), the question answering, the pages and the API agree on what "GEGLU" is
without each keeping its own table. Plain data: no torch, no database.

Three kinds of name meet here: a variant's canonical name (``"GEGLU"``, what comparisons and the FFN
modules use), its paper name (``"FFN_GEGLU"``, the row label in the paper's tables and the database), and
activation/gate ids (``"gelu"``, ``"geglu"``; the functions themselves live in ``app.activations``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
PAPER_PREFIX = "FFN_"


@dataclass(frozen=True)
class FFNVariant:
    """One feed-forward variant: dense ``act(x W1) W2`` or gated ``(act(x W) ⊙ x V) W2``."""

    name: str
    activation: str
    gate: str | None
    formula: str
    note: str
    paper_name: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def gated(self) -> bool:
        return self.gate is not None

    @property
    def label(self) -> str:
        """The activation label a model catalog gives this FFN: the gate's id when gated ("geglu")."""
        return self.gate or self.activation


@dataclass(frozen=True)
class Term:
    """Names of one activation or gate id beyond those ``app.activations`` registers."""

    id: str
    aliases: tuple[str, ...] = ()
    label: str | None = None
    form_of: str | None = None


def _load(data_dir: Path) -> tuple[dict[str, Any], tuple[FFNVariant, ...], tuple[str, ...]]:
    """The vocabulary document, its variants, and the paper's variant names in variants.csv order."""
    doc: dict[str, Any] = yaml.safe_load((data_dir / "vocabulary.yaml").read_text(encoding="utf-8"))
    with (data_dir / "variants.csv").open(encoding="utf-8", newline="") as fh:
        paper_rows = {row["name"]: row for row in csv.DictReader(fh)}
    variants = []
    for item in doc["variants"]:
        paper = paper_rows.get(item.get("paper", ""))
        if "paper" in item and paper is None:
            raise ValueError(f"vocabulary: {item['name']} names {item['paper']!r}, which variants.csv lacks")
        activation = paper["activation"] if paper else item["activation"]
        gate = item.get("gate")
        if paper and (paper["gated"].strip().lower() == "true") != (gate is not None):
            raise ValueError(f"vocabulary: {item['name']} must name a gate exactly when variants.csv says gated")
        variants.append(
            FFNVariant(
                name=item["name"],
                activation=activation,
                gate=gate,
                formula=item["formula"],
                note=item["note"],
                paper_name=item.get("paper"),
                aliases=tuple(item.get("aliases", ())),
            )
        )
    missing = set(paper_rows) - {v.paper_name for v in variants}
    if missing:
        raise ValueError(f"vocabulary: variants.csv rows without an entry: {sorted(missing)}")
    return doc, tuple(variants), tuple(paper_rows)


def _terms(section: dict[str, Any] | None) -> dict[str, Term]:
    return {
        key: Term(key, tuple(value.get("aliases", ())), value.get("label"), value.get("form_of"))
        for key, value in (section or {}).items()
    }


_DOC, FFN_VARIANTS, _PAPER_ROW_ORDER = _load(DATA_DIR)

#: Canonical name -> variant, in listing order (the paper's Table 1 order, then the others).
VARIANTS: dict[str, FFNVariant] = {v.name: v for v in FFN_VARIANTS}
#: The paper's eight, by canonical name, in its Table 1 order.
PAPER_VARIANTS: tuple[str, ...] = tuple(v.name for v in FFN_VARIANTS if v.paper_name)
#: Paper name ("FFN_GEGLU") -> variant.
BY_PAPER_NAME: dict[str, FFNVariant] = {v.paper_name: v for v in FFN_VARIANTS if v.paper_name}
#: The variant every comparison is read against, and what a quick comparison runs (paper names).
BASELINE: str = _DOC["baseline"]
QUICK_COMPARISON: tuple[str, ...] = tuple(_DOC["quick_comparison"])

ACTIVATION_TERMS: dict[str, Term] = _terms(_DOC.get("activations"))
GATE_TERMS: dict[str, Term] = _terms(_DOC.get("gates"))
_TERMS: dict[str, Term] = {**ACTIVATION_TERMS, **GATE_TERMS}

#: Paper name -> the surface forms people use for it ("gated gelu").
VARIANT_ALIASES: dict[str, tuple[str, ...]] = {v.paper_name: v.aliases for v in FFN_VARIANTS if v.paper_name}
#: Surface forms of activation and gate ids.
ACTIVATION_ALIASES: dict[str, tuple[str, ...]] = {t.id: t.aliases for t in ACTIVATION_TERMS.values() if t.aliases}
GATE_ALIASES: dict[str, tuple[str, ...]] = {t.id: t.aliases for t in GATE_TERMS.values() if t.aliases}
#: How an answer names an activation inside a sentence ("SiLU", "tanh-approximated GELU").
SHORT_LABELS: dict[str, str] = {t.id: t.label for t in _TERMS.values() if t.label}

_BY_LOWER = {name.lower(): name for name in VARIANTS}


def canonical_name(name: str) -> str:
    """``"geglu"``, ``"FFN_GEGLU"`` and ``"GEGLU"`` all give ``"GEGLU"``; unknown names raise KeyError
    listing the known ones (the API turns that into a 422 naming the field)."""
    key = name.strip().lower()
    if key.startswith(PAPER_PREFIX.lower()):
        key = key[len(PAPER_PREFIX) :]
    try:
        return _BY_LOWER[key]
    except KeyError:
        raise KeyError(f"unknown FFN variant {name!r}; known: {', '.join(VARIANTS)}") from None


def accepted_names() -> list[str]:
    """The names the API documents for each variant: canonical, and with the paper's FFN_ prefix."""
    return [*VARIANTS, *(f"{PAPER_PREFIX}{name}" for name in VARIANTS)]


def form_of(term_id: str) -> str:
    """The entry a numerical form stands for ("gelu_tanh" -> "gelu"); any other id stands for itself."""
    term = _TERMS.get(term_id)
    return term.form_of if term and term.form_of else term_id


def forms(term_id: str) -> list[str]:
    """``term_id`` followed by the numerical forms of it ("gelu" -> gelu, gelu_tanh)."""
    return [term_id, *(t.id for t in _TERMS.values() if t.form_of == term_id)]


#: The paper's dense variant for an activation ("relu" -> "FFN_ReLU"): "GELU vs ReLU" compares these.
DENSE_VARIANT_OF: dict[str, str] = {
    BY_PAPER_NAME[n].activation: n for n in _PAPER_ROW_ORDER if not BY_PAPER_NAME[n].gated
}
#: The paper's gated variant for a gate or a numerical form of it ("geglu_tanh" -> "FFN_GEGLU").
GATE_VARIANT_OF: dict[str, str] = {
    gate: n for n in _PAPER_ROW_ORDER if BY_PAPER_NAME[n].gate for gate in forms(BY_PAPER_NAME[n].gate or "")
}


def catalog_labels_for_variant(paper_name: str) -> list[str]:
    """The model-catalog activation labels an FFN variant covers (FFN_GEGLU: geglu, geglu_tanh)."""
    variant = BY_PAPER_NAME.get(paper_name)
    return forms(variant.label) if variant else []


def catalog_labels_for(term_id: str) -> list[str]:
    """The catalog labels a question about an activation or gate covers: its forms, then the gates built
    on them ("gelu": gelu, gelu_tanh, geglu, geglu_tanh; "relu": relu, reglu)."""
    own = forms(term_id)
    gates = [v.gate for a in own for v in FFN_VARIANTS if v.gate and v.activation == a]
    return list(dict.fromkeys([*own, *gates]))


def variant_label(paper_name: str, activation: str, gated: bool) -> str:
    """The catalog label of a stored variant row: gated ones are named after their GLU form."""
    if not gated:
        return activation
    variant = BY_PAPER_NAME.get(paper_name)
    return variant.label if variant else paper_name.removeprefix(PAPER_PREFIX).lower()
