"""Activation functions the service neither stores results for nor computes (ReLU6, leaky ReLU, hard swish …).

Why a module of its own: these names are known to users but not to the store, so no entity is recognised for
them. Without this table a question about one is read as the stored function inside its name ("leaky relu"
as ReLU, "hardswish vs swiglu" as SwiGLU's numbers) or, naming nothing at all, as out of scope, although it is
about the service's subject. A question naming one gets a decline that names it and says what is stored.
"""

from __future__ import annotations

import re
from typing import Any

from app import activations
from app.answers import second_paper_table
from app.answers.builder import Builder
from app.answers.facts import paper_citation

#: Written forms -> the function's usual name. A name ends where a word does ("relu6", "relu-6", "relu 6").
_EDGE_BEFORE = r"(?<![a-z0-9_])"
_EDGE_AFTER = r"(?![a-z0-9_])"
NAMES: tuple[tuple[str, str], ...] = (
    (r"relu[-_ ]?6", "ReLU6"),
    (r"leaky[-_ ]?relu|lrelu", "leaky ReLU"),
    (r"p-?relu", "PReLU"),
    (r"rrelu", "RReLU"),
    (r"hard[-_ ]?swish|h-swish", "hard swish"),
    (r"hard[-_ ]?sigmoid|h-sigmoid", "hard sigmoid"),
    (r"hard[-_ ]?tanh", "hardtanh"),
    (r"celu", "CELU"),
    (r"soft[-_ ]?sign", "softsign"),
    (r"log[-_ ]?sigmoid", "log-sigmoid"),
    (r"(?:tanh|soft|hard)[-_ ]?shrink", "shrinkage functions"),
    (r"snake", "Snake"),
    (r"maxout", "maxout"),
    (r"xielu", "xIELU"),
    (r"star[-_ ]?relu", "StarReLU"),
    (r"squareplus", "squareplus"),
    (r"smelu", "SmeLU"),
    (r"serf", "Serf"),
)
_PATTERN = re.compile("|".join(f"(?P<n{i}>{_EDGE_BEFORE}(?:{form}){_EDGE_AFTER})" for i, (form, _) in enumerate(NAMES)),
                      re.IGNORECASE)

#: Words that ask for a computation (a value, a slope, a curve) rather than a paper's or the catalog's record.
COMPUTE_WORDS = re.compile(r"\(\s*-?\d|\bat x\b|\bat -?\d|\bderivative|\bslope|\bgradient|\bplot|\bcurve|"
                           r"\bgraph|\bcompute|\bcalculate|\bevaluate|\bvalue of\b", re.IGNORECASE)
#: Words that ask which models use a function.
CATALOG_WORDS = re.compile(r"\bmodels?\b|\bcatalog|\buses?\b|\bused\b|\bllms?\b|\bwho\b", re.IGNORECASE)


def detect(text: str) -> dict[str, Any] | None:
    """The decline's inputs when the question names a function the service has nothing on, else None."""
    found = _PATTERN.search(text)
    if found is None:
        return None
    label = NAMES[int(next(k for k, v in found.groupdict().items() if v is not None)[1:])][1]
    asks = "compute" if COMPUTE_WORDS.search(text) else "catalog" if CATALOG_WORDS.search(text) else "papers"
    return {"what": "unknown_function", "name": label, "asks": asks, "written": found.group(0)}


#: What a thread was doing, for a follow-up that names such a function and nothing else ("and relu6?").
_ASKS_AFTER = {"math": "compute", "models_using": "catalog", "model_activation": "catalog", "architecture": "catalog"}


def in_followup(text: str, previous_intent: str) -> dict[str, Any] | None:
    """The decline's inputs for a follow-up naming such a function: its own words say which store it asks of,
    else the thread's last answer does ("silu(1)" … "and leaky relu?" asks for a value)."""
    found = detect(text)
    if found is not None and not (COMPUTE_WORDS.search(text) or CATALOG_WORDS.search(text)):
        found["asks"] = _ASKS_AFTER.get(previous_intent, "papers")
    return found


def _as_written(name: str, written: str) -> str:
    """The asker's spelling after the usual name where the two differ ("hard swish (“hardswish”)"): the answer
    then names the function the way the question did, not only a form the asker may not recognise."""
    return "" if written.lower() == name.lower() else f" (“{written}”)"


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """Name the function and each store it is missing from, the one asked about first, with what that store
    holds instead (and no other function's numbers in its place)."""
    name, asks = str(inputs["name"]), str(inputs["asks"])
    written = str(inputs.get("written") or name)
    opening = name[:1].upper() + name[1:] + _as_written(name, written)
    b.cite(paper_citation(b.facts.main_paper()))
    b.quoted_names.extend(dict.fromkeys([name, written]))
    if asks == "compute":
        computed = "; ".join(a.name for a in activations.all_activations()
                             if a.family == "scalar" and a.id != "identity")
        b.add(f"{opening} is not among the functions this service computes, so it cannot give its values, derivatives "
              f"or curve; it computes {computed}; and the GLU-family gates built on them. Neither stored paper "
              "tested it, and no catalog model uses it.")
    elif asks == "catalog":
        used = ", ".join(sorted({str(m["activation"]) for m in b.facts.catalog.values()}))
        b.add(f"No model in the catalog uses {name}{_as_written(name, written)}: the catalog's FFN activations "
              f"are {used}. Neither stored paper tested it, and it is not one of the functions computed here.")
    else:
        rows = ", ".join(second_paper_table.row_names(b.facts))
        b.add(f"{opening} is not in the stored evidence: neither paper tested it, so there are no results for it. The "
              f"GLU-variants paper's FFN variants are {', '.join(sorted(b.facts.variants))}; Narang et al.'s "
              f"activation rows are {rows}. No catalog model uses it, and it is not one of the functions computed "
              "here.")
