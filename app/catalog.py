"""The model catalog (which released model uses which FFN) and report architecture facts."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import UnknownNameError
from app.orm import ArchitectureFact, CatalogModel

MOE_FIELDS = [
    "moe_experts", "moe_active_experts", "moe_shared_experts", "moe_expert_d_ff", "d_ff_per_expert", "moe_dense_layers",
]
RATIO_FIELDS = ["d_ff_ratio", "d_ff_ratio_vs_8_3", "d_ff_ratio_reading"]
CATALOG_CSV_COLUMNS = [
    "name", "organization", "year", "ffn_type", "activation", "d_model_text", "d_ff_text", "verified", "source",
    "verified_summary", *MOE_FIELDS, *RATIO_FIELDS,
]
#: The columns the catalog sorts by (``?sort=year``, ``?sort=-d_ff_ratio``), in the order the page shows them.
CATALOG_SORT_COLUMNS = [
    "name", "organization", "year", "ffn_type", "activation", "d_model", "d_ff", "d_ff_ratio",
    "d_ff_ratio_vs_8_3", "moe_experts", "verified_summary",
]
#: The filters that get facet counts, as (form field, model field).
FACETS = ("activation", "organization", "ffn_type")
#: How close to 8/3 a gated width must be to count as the 8/3 rule: LLaMA's rounding up to a multiple of
#: 256 (11008 for d_model 4096) lands 0.8 % above it, and 2 % covers every such rounding in the catalog.
EIGHT_THIRDS_TOLERANCE = 0.02


@dataclass(frozen=True)
class CatalogFilters:
    activation: str | None = None
    organization: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    ffn_type: str | None = None


def model_item(m: CatalogModel) -> dict[str, Any]:
    return {
        "name": m.name,
        "organization": m.organization,
        "year": m.year,
        "ffn_type": m.ffn_type,
        "activation": m.activation,
        "d_model": m.d_model,
        "d_model_text": m.d_model_text,
        "d_ff": m.d_ff,
        "d_ff_text": m.d_ff_text,
        "source": m.source,
        "verified": m.verified,
        "verified_summary": verification_summary(m.verified),
        **{k: getattr(m, k) for k in MOE_FIELDS},
        **width_ratio(m.ffn_type, m.d_model, m.d_ff, m.moe_experts is not None, m.d_ff_per_expert),
    }


VERIFICATION_EXPLANATIONS = {
    "two-source": "Every fact of this row was found in at least two independent sources.",
    "two-source, with notes": "Two-source, with a qualification the verification text spells out.",
    "partly single-source": "Some fact of this row was read in one source only; the text says which.",
    "partly unverified": "Some fact of this row is inferred, not stated by a source; the text says which.",
}


def verification_summary(verified: str) -> str:
    """A short label for the verification text (its exact wording is served next to it, unchanged)."""
    if "UNVERIFIED" in verified:
        return "partly unverified"
    if "single-source" in verified:
        return "partly single-source"
    return "two-source" if verified == "two-source" else "two-source, with notes"


def width_ratio(
    ffn_type: str, d_model: int | None, d_ff: int | None, moe: bool, per_expert: bool | None
) -> dict[str, Any]:
    """d_ff / d_model, the same over 8/3 (the width at which a gated FFN costs what a dense 4× one does),
    and a short reading of it; all null where a width is not a number. Computed from the stored widths,
    never typed in: the two quotients are exact integer divisions, correctly rounded to a float."""
    if d_model is None or d_ff is None or d_model == 0:
        return {"d_ff_ratio": None, "d_ff_ratio_vs_8_3": None, "d_ff_ratio_reading": None}
    vs_8_3 = d_ff * 3 / (8 * d_model)
    if ffn_type == "dense":
        reading = "dense 4×" if d_ff == 4 * d_model else f"dense {d_ff / d_model:g}×"
    elif abs(vs_8_3 - 1) <= EIGHT_THIRDS_TOLERANCE:
        reading = "8/3 rule"
    else:
        reading = "above 8/3" if vs_8_3 > 1 else "below 8/3"
    if moe:
        reading += ", per expert" if per_expert else ", dense layers"
    return {"d_ff_ratio": d_ff / d_model, "d_ff_ratio_vs_8_3": vs_8_3, "d_ff_ratio_reading": reading}


def list_models(session: Session, filters: CatalogFilters) -> list[dict[str, Any]]:
    stmt = select(CatalogModel).order_by(CatalogModel.position)
    if filters.activation is not None:
        stmt = stmt.where(CatalogModel.activation == filters.activation.strip().lower())
    if filters.organization is not None:
        # a substring match in which % and _ are literal characters, not LIKE wildcards
        stmt = stmt.where(CatalogModel.organization.icontains(filters.organization.strip(), autoescape=True))
    if filters.year_min is not None:
        stmt = stmt.where(CatalogModel.year >= filters.year_min)
    if filters.year_max is not None:
        stmt = stmt.where(CatalogModel.year <= filters.year_max)
    if filters.ffn_type is not None:
        stmt = stmt.where(CatalogModel.ffn_type == filters.ffn_type.strip().lower())
    return [model_item(m) for m in session.scalars(stmt)]


def facet_counts(session: Session, filters: CatalogFilters) -> dict[str, dict[str, int]]:
    """For each faceted filter, how many models each of its values would list given the other filters
    (Datasette's facets): "geglu (4)" beside the activation choice while organization is Google.

    A facet's own filter is left out of its count, so every choice shows what picking it would list (an
    organization counts the names it is part of, as its filter matches them)."""
    out: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        listed = [str(m[facet]) for m in list_models(session, replace(filters, **{facet: None}))]
        if facet == "organization":  # its filter is a substring match: "Google" also lists "Google DeepMind"
            out[facet] = {o: sum(o.casefold() in v.casefold() for v in listed) for o in sorted(set(listed))}
        else:
            out[facet] = dict(sorted(Counter(listed).items()))
    return out


def choices_by_year(models: list[dict[str, Any]]) -> dict[int, Counter[str]]:
    """Models per year and activation among ``models`` (the catalog chart of a filtered list)."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for m in models:
        counts[int(m["year"])][str(m["activation"])] += 1
    return dict(sorted(counts.items()))


def normalize_model_name(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def get_model(session: Session, name: str) -> dict[str, Any]:
    """A model by its name; case, spaces and punctuation are ignored ('gemma-2-9b' finds 'Gemma 2 9B')."""
    models = list(session.scalars(select(CatalogModel).order_by(CatalogModel.position)))
    wanted = normalize_model_name(name)
    for m in models:
        if normalize_model_name(m.name) == wanted:
            item = model_item(m)
            item["architecture_facts"] = architecture_facts_for(session, m.name)
            return item
    raise UnknownNameError("model", name, [m.name for m in models], "name")


def models_using(session: Session, activation: str) -> list[dict[str, Any]]:
    """Catalog models using ``activation`` or an implementation of it ('gelu' also finds 'gelu_tanh')."""
    wanted = activation.lower()
    return [
        model_item(m)
        for m in session.scalars(select(CatalogModel).order_by(CatalogModel.year, CatalogModel.position))
        if m.activation == wanted or m.activation.startswith(f"{wanted}_")
    ]


def architecture_facts_for(session: Session, model_name: str) -> list[dict[str, Any]]:
    """Report-table facts for a catalog model, matched by family and size ('Gemma 2 9B')."""
    wanted = normalize_model_name(model_name)
    out = []
    for f in session.scalars(select(ArchitectureFact).order_by(ArchitectureFact.position)):
        # The first generation is named without its number in the catalog ("Gemma 7B" is Gemma 1 7B).
        names = {f"{f.family} {f.size}", f"{f.family.removesuffix(' 1')} {f.size}"}
        if wanted in {normalize_model_name(n) for n in names}:
            out.append(fact_item(f))
    return out


def fact_item(f: ArchitectureFact) -> dict[str, Any]:
    return {
        "family": f.family,
        "size": f.size,
        "parameter": f.parameter,
        "value_text": f.value_text,
        "source": f.source,
        "verified": f.verified,
    }


def architecture_table(session: Session, family: str) -> dict[str, Any]:
    """A family's architecture table (parameters × sizes) as its report prints it."""
    facts = list(
        session.scalars(
            select(ArchitectureFact).where(ArchitectureFact.family == family).order_by(ArchitectureFact.position)
        )
    )
    if not facts:
        families = list(dict.fromkeys(session.scalars(select(ArchitectureFact.family))))
        raise UnknownNameError("model family", family, families, "family")
    sizes = list(dict.fromkeys(f.size for f in facts))
    rows: dict[str, dict[str, Any]] = {}
    for f in facts:
        row = rows.setdefault(f.parameter, {"parameter": f.parameter, "source": f.source, "values": {}})
        row["values"][f.size] = f.value_text
    return {"family": family, "sizes": sizes, "rows": list(rows.values())}


def activation_choices_by_year(session: Session) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for m in session.scalars(select(CatalogModel)):
        counts[m.year][m.activation] += 1
    return dict(sorted(counts.items()))
