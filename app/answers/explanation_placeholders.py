"""The placeholders of the curated explanations and the renderer that replaces them by stored or computed
values, collecting what each one cites.

Why a module of its own: a placeholder is the only way a number enters an explanation's prose, so what each
kind reads (a table cell, a report fact, a registered computation) and cites is defined in one place,
apart from reading the explanations file and storing the rendered threads.

Placeholders (arguments separated by ``|``):

=====================================  ============================================================
``cell TABLE | ROW | COLUMN``          a printed table cell (value as printed)
``spread TABLE | ROW | COLUMN``        its printed spread / stddev
``steps TABLE | COLUMN``               the training steps of that column, as 65,536
``diff TABLE | ROW_A | ROW_B | COLUMN`` |a − b| of two cells, computed from the printed decimals
``fact PAPER | KEY``                   a paper's setup fact (the sentence as stored)
``arch FAMILY | SIZE | PARAMETER``     a report table cell (e.g. Gemma 2 | 9B | Feedforward dim (paper))
``cite_arch FAMILY | SIZE | PARAMETER`` cites a report table cell without printing it
``cite_variant VARIANT``               cites an FFN variant's stored formula without printing it
``model NAME | FIELD``                 a catalog field (activation, d_model_text, d_ff_text, organization)
``models_using ACTIVATION``            the catalog's models with that FFN activation, as a list
``paperref PAPER``                     “Shazeer (2020)”: author surname and year
``arxiv PAPER``                        arXiv:2002.05202v1
``table PAPER | N``                    a link to the table, “Table N”
``coef ACTIVATION``                    the constant of an approximation (0.044715, 1.702)
``error FN | REFERENCE | OUTPUT``      approximation error on [−10, 10] (max_abs_error or x)
``grid``                               the number of points of that error grid
``extremum FN | minimum | value/x``    the minimum of an activation (computed)
``calc OP DIGITS | OPERAND | …``       arithmetic on operands ``cell;T;ROW;COL``, ``arch;F;S;P``,
                                       ``model;NAME;FIELD``, ``error;FN;REF;OUTPUT``, ``num;3``
=====================================  ============================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.answers.computations import ERROR_GRID, format_sig, run_computation
from app.answers.facts import Facts, paper_citation

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*(.*?)\s*\}\}", re.DOTALL)


class ExplanationError(ValueError):
    """A placeholder that names nothing stored, or an explanation whose numbers are not grounded."""


@dataclass
class Rendered:
    text: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    computations: list[dict[str, Any]] = field(default_factory=list)


def _key(citation: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, str(v)) for k, v in citation.items() if k not in ("label", "url", "value_text",
                                                                                   "stddev_text", "value")))


class Renderer:
    """Replaces placeholders with stored or computed values and collects what they cite."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def render(self, source: str) -> Rendered:
        out = Rendered("")
        seen: set[tuple[Any, ...]] = set()

        def cite(citation: dict[str, Any]) -> None:
            k = _key(citation)
            if k not in seen:
                seen.add(k)
                out.citations.append(citation)

        def replace(match: re.Match[str]) -> str:
            kind, rest = match.group(1), match.group(2)
            args = [a.strip() for a in rest.split("|")] if rest.strip() else []
            try:
                if kind == "cite_variant":  # cites a variant's stored formula (its W₂) without printing it
                    cite(self._variant_citation(args[0]))
                    return ""
                return self._one(kind, args, cite, out.computations)
            except (KeyError, IndexError, ValueError, LookupError) as exc:
                raise ExplanationError(f"placeholder {match.group(0)!r}: {exc}") from exc

        out.text = PLACEHOLDER.sub(replace, source)
        return out

    # -- one placeholder ---------------------------------------------------------------------------
    def _cell(self, table: str, row: str, column: str) -> Any:
        cell = self.facts.cell(int(table), row, column)
        if cell is None:
            raise LookupError(f"no cell Table {table}, row {row}, column {column}")
        return cell

    def _operand(self, spec: str, cite: Any) -> dict[str, Any]:
        parts = [p.strip() for p in spec.split(";")]
        kind = parts[0]
        if kind == "cell":
            cell = self._cell(parts[1], parts[2], parts[3])
            cite(cell.citation())
            return {"citation": cell.citation()}
        if kind == "arch":
            fact = self.facts.arch_fact(parts[1], parts[2], parts[3])
            if fact is None:
                raise LookupError(f"no report fact {parts[1:]}")
            cite(fact)
            return {"citation": fact}
        if kind == "model":
            model = self.facts.catalog[parts[1]]
            cite(model)
            return {"citation": model, "field": parts[2]}
        if kind == "num":
            return {"number": parts[1]}
        raise ValueError(f"unknown operand kind {kind!r}")

    def _variant_citation(self, name: str) -> dict[str, Any]:
        if name not in self.facts.variants:
            raise LookupError(f"no variant {name!r}")
        return {"kind": "variant", "name": name, "label": f"FFN variant {name} (GLU-variants paper)",
                "url": f"/variants/{name}"}

    def _one(self, kind: str, args: list[str], cite: Any, computations: list[dict[str, Any]]) -> str:
        facts = self.facts
        if kind == "cell":
            cell = self._cell(*args[:3])
            cite(cell.citation())
            return str(cell.value_text)
        if kind == "spread":
            cell = self._cell(*args[:3])
            if cell.stddev_text is None:
                raise LookupError(f"no spread printed for {args}")
            cite(cell.citation())
            return str(cell.stddev_text)
        if kind == "steps":
            column = args[1]
            cell = next((c for c in facts.cells if c.table == int(args[0]) and c.column == column), None)
            if cell is None:
                raise LookupError(f"no column {column!r} in Table {args[0]}")
            cite(cell.citation())
            return f"{cell.steps:,}"
        if kind == "diff":
            a, b = self._cell(args[0], args[1], args[3]), self._cell(args[0], args[2], args[3])
            cite(a.citation())
            cite(b.citation())
            params = {"op": "absdiff", "operands": [{"citation": a.citation()}, {"citation": b.citation()}]}
            value = run_computation(facts, "arith", params)["result"]
            computations.append({"name": "arith", "params": params, "label": f"|{a.row} − {b.row}|, {a.column}",
                                 "outputs": {"result": str(value)}})
            return format(value, "f")
        if kind == "fact":
            fact = facts.paper_fact(args[0], args[1])
            if fact is None:
                raise LookupError(f"no fact {args[1]!r} for paper {args[0]!r}")
            cite(fact)
            return str(fact["value"])
        if kind == "cite_arch":  # cites a report cell without printing it (for "all three sizes")
            fact = facts.arch_fact(args[0], args[1], args[2])
            if fact is None:
                raise LookupError(f"no report fact {args}")
            cite(fact)
            return ""
        if kind == "arch":
            fact = facts.arch_fact(args[0], args[1], args[2])
            if fact is None:
                raise LookupError(f"no report fact {args}")
            cite(fact)
            return str(fact["value_text"])
        if kind == "model":
            model = facts.catalog[args[0]]
            cite(model)
            return str(model[args[1]])
        if kind == "models_using":
            names = [m for m, row in facts.catalog.items() if row["activation"] == args[0]]
            if not names:
                raise LookupError(f"no catalog model uses {args[0]!r}")
            for name in names:
                cite(facts.catalog[name])
            return ", ".join(names)
        if kind == "paperref":
            paper = facts.papers[args[0]]
            cite(paper_citation(paper))
            surname = paper["authors"].split(",")[0].split()[-1]
            return f"{surname} ({paper['year']})"
        if kind == "arxiv":
            paper = facts.papers[args[0]]
            cite(paper_citation(paper))
            return str(paper["arxiv"])
        if kind == "table":
            table = facts.tables[(args[0], int(args[1]))]
            cite(table)
            return f"[Table {table['table']}]({table['url']})"
        if kind == "coef":
            cite(activation_citation(args[0]))
            constant = {"gelu_tanh": "GELU_TANH_COEFF", "gelu_sigmoid": "GELU_SIGMOID_SCALE"}[args[0]]
            from app import activations

            return repr(getattr(activations, constant))
        if kind == "error":
            err_params: dict[str, Any] = {"fn": args[0], "reference": args[1], **ERROR_GRID}
            outputs = run_computation(facts, "approx_error", err_params)
            _add_computation(computations, "approx_error", err_params, outputs,
                             f"max |{args[0]} − {args[1]}| on [{err_params['xmin']:g}, {err_params['xmax']:g}]")
            return format_sig(float(outputs[args[2]]), 5)
        if kind == "grid":
            return f"{ERROR_GRID['points']:,}"
        if kind == "extremum":
            params = {"fn": args[0], "which": args[1]}
            outputs = run_computation(facts, "extremum", params)
            cite(activation_citation(args[0]))
            _add_computation(computations, "extremum", params, outputs, f"{args[1]} of {args[0]}")
            return format_sig(float(outputs[args[2]]), 4)
        if kind == "calc":
            head = args[0].split()
            op, digits = head[0], int(head[1]) if len(head) > 1 else 0
            operands = []
            for spec in args[1:]:
                if spec.startswith("error;"):
                    _, fn, ref, output = (p.strip() for p in spec.split(";"))
                    err_params = {"fn": fn, "reference": ref, **ERROR_GRID}
                    outputs = run_computation(facts, "approx_error", err_params)
                    operands.append({"number": str(outputs[output])})
                    _add_computation(computations, "approx_error", err_params, outputs, f"max |{fn} − {ref}|")
                else:
                    operands.append(self._operand(spec, cite))
            params = {"op": op, "operands": operands}
            value = run_computation(facts, "arith", params)["result"]
            computations.append({"name": "arith", "params": params, "label": f"{op} of {len(operands)} values",
                                 "outputs": {"result": str(value)}})
            rounded = round(value, digits)
            return f"{rounded:,.{digits}f}" if abs(rounded) >= 10_000 else f"{rounded:.{digits}f}"
        raise ValueError(f"unknown placeholder kind {kind!r}")


def activation_citation(activation_id: str) -> dict[str, Any]:
    from app import activations

    entry = activations.get(activation_id)
    return {"kind": "activation", "id": entry.id, "label": f"Activation registry: {entry.name}",
            "url": f"/activations/{entry.id}"}


def _add_computation(
    computations: list[dict[str, Any]], name: str, params: dict[str, Any], outputs: dict[str, Decimal], label: str
) -> None:
    entry = {"name": name, "params": params, "label": label, "outputs": {k: str(v) for k, v in outputs.items()}}
    if all(c["name"] != name or c["params"] != params for c in computations):
        computations.append(entry)
