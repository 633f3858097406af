"""Citations -> the stored strings they stand for, looked up again by the citation's key.

The grounding check and the computations read a cited value from here, never from the citation's own
copy of it, so an answer cannot ground a number by citing it wrongly.
"""

from __future__ import annotations

from typing import Any

from app import activations
from app.answers import framework_names
from app.answers.facts import Facts


def citation_strings(facts: Facts, citation: dict[str, Any]) -> list[str | None] | None:
    """The stored strings a citation refers to, looked up by its key; None when it refers to nothing."""
    kind = citation.get("kind")
    if kind == "result":
        key = (int(citation.get("table", -1)), str(citation.get("row")), str(citation.get("column")))
        cell = facts.cell(*key)
        if cell is None or cell.paper != citation.get("paper"):
            cell = facts.side_cell(str(citation.get("paper")), *key)
        if cell is None:
            return None
        return [cell.value_text, cell.stddev_text, str(cell.steps), cell.column, cell.benchmark, cell.arxiv,
                f"Table {cell.table}", cell.row]
    if kind == "paper_fact":
        fact = facts.paper_fact(str(citation.get("paper")), str(citation.get("key")))
        if fact is None:
            return None
        source = facts.papers.get(fact["paper"]) or facts.side_papers.get(fact["paper"]) or {}
        return [fact["value"], fact["location"], fact["fact_label"], source.get("arxiv")]
    if kind == "architecture":
        fact = facts.arch_fact(str(citation.get("family")), str(citation.get("size")), str(citation.get("parameter")))
        if fact is None:
            return None
        return [fact["value_text"], fact["source"], fact["family"], fact["size"], fact["parameter"]]
    if kind == "catalog":
        model = facts.catalog.get(str(citation.get("model")))
        if model is None:
            return None
        return [model["model"], str(model["year"]), model["d_model_text"], model["d_ff_text"], model["source"],
                model["organization"], model["activation"]]
    if kind == "framework_name":
        named = framework_names.by_name(str(citation.get("name")))
        return None if named is None else list(framework_names.strings(named))
    if kind == "misreading":
        misreading = facts.misreadings.get(str(citation.get("id")))
        return None if misreading is None else list(misreading_strings(misreading))
    if kind == "paper":
        paper = facts.papers.get(str(citation.get("paper"))) or facts.side_papers.get(str(citation.get("paper")))
        if paper is None:
            return None
        return [paper["arxiv"], str(paper["year"]), paper["title"]]
    if kind == "table":
        table = facts.tables.get((str(citation.get("paper")), int(citation.get("table", -1))))
        if table is None:
            return None
        return [f"Table {table['table']}", table["title"], table["caption"], facts.papers[table["paper"]]["arxiv"]]
    if kind == "activation":
        try:
            entry = activations.get(str(citation.get("id")))
        except LookupError:
            return None
        strings: list[str | None] = [entry.formula, entry.name, *(f"{k} = {v!r}" for k, v in entry.parameters)]
        if entry.introduced_by is not None:
            strings += [str(entry.introduced_by.year), entry.introduced_by.arxiv]
        if entry.id in ("gelu_tanh", "geglu_tanh"):
            strings.append(repr(activations.GELU_TANH_COEFF))
        if entry.id == "gelu_sigmoid":
            strings.append(repr(activations.GELU_SIGMOID_SCALE))
        return strings
    if kind == "variant":
        variant = facts.variants.get(str(citation.get("name")))
        if variant is None:
            return None
        return [variant["formula_latex"], str(variant["d_ff_paper"]), variant["description"]]
    if kind == "explanation":
        explanation = facts.explanations.get(str(citation.get("key")))
        return None if explanation is None else [explanation.title]
    if kind == "computation":
        return []
    return None


def misreading_strings(m: dict[str, Any]) -> list[str]:
    """The stored text a misreading's citation stands for (its readings and its evidence as printed)."""
    out = [m["title"], m["wrong"], m["right"], m["shows_up"]]
    for e in m["evidence"]:
        out += [str(e.get(k)) for k in ("text", "value_text", "source", "quote") if e.get(k)]
    return out
