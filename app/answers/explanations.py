"""Curated explanation threads: written by the project, with every number rendered from the data.

The prose lives in app/data/explanations.yaml. It contains no typed-in digits for facts: each number is
a placeholder such as ``{{cell 1 | FFN_GEGLU | 524,288 steps}}`` that is replaced, when ``actlab seed``
loads the data, by the stored value, and that adds the cell to the explanation's citations. A placeholder
that names nothing stored stops the seed with an error, so a corrected value in the tables flows into the
explanations and a typo in a placeholder cannot ship. After rendering, the grounding check runs over the
result as over any answer.

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
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.answers import grounding
from app.answers.computations import ERROR_GRID, format_sig, run_computation
from app.answers.facts import Facts, load_facts, paper_citation
from app.answers.lexicon import build_lexicon
from app.answers.per_revision import dataset_revision
from app.config import Settings
from app.orm import Post, Thread
from app.threads import SERVICE_NAME, NewPost, add_post, create_thread

EXPLANATIONS_FILE = "explanations.yaml"
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


def read_entries(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / EXPLANATIONS_FILE
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    keys = [e["key"] for e in entries]
    if len(keys) != len(set(keys)):
        raise ExplanationError(f"{path}: duplicate keys")
    return list(entries)


def render_entry(entry: dict[str, Any], facts: Facts) -> dict[str, Any]:
    """Render one entry's summary and body and check that every number in them is grounded."""
    renderer = Renderer(facts)
    title = renderer.render(" ".join(entry["title"].split()))
    summary = renderer.render(entry["summary"].strip())
    for c in title.citations:  # the title is shown wherever the summary is
        if _key(c) not in {_key(x) for x in summary.citations}:
            summary.citations.append(c)
    body = renderer.render(entry.get("body", "").strip())
    text = summary.text + ("\n\n" + body.text if body.text else "")
    citations = list(summary.citations)
    for c in body.citations:
        if _key(c) not in {_key(x) for x in citations}:
            citations.append(c)
    computations = list(summary.computations)
    for c in body.computations:
        if c not in computations:
            computations.append(c)
    attachments = [resolve_attachment(a) for a in entry.get("attachments", [])]
    return {
        "key": entry["key"],
        "title": title.text,
        "body": text,
        "summary": summary.text,
        "summary_citations": summary.citations,
        "summary_computations": summary.computations,
        "citations": citations,
        "computations": computations,
        "questions": [q.strip() for q in entry.get("questions", [])],
        "tags": [t.strip() for t in entry.get("tags", [])],
        "attachments": attachments,
    }


def resolve_attachment(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec.get("kind")
    if kind == "paper_table":
        return {"kind": "paper_table", "paper": spec["paper"], "table": int(spec["table"]),
                "rows": list(spec.get("rows", [])), "columns": list(spec.get("columns", []))}
    if kind == "curve":
        return {"kind": "curve", "functions": list(spec["functions"]), "xmin": float(spec.get("xmin", -4)),
                "xmax": float(spec.get("xmax", 4)), "error_of": spec.get("error_of"),
                "title": spec.get("title", "")}
    raise ExplanationError(f"unknown attachment kind {kind!r}")


def load_explanations(session: Session, data_dir: Path, report: Any = None, settings: Settings | None = None) -> None:
    """Upsert the curated threads from the explanations file inside the caller's transaction.

    Each entry is a thread (found again by its key) whose first post is the explanation. Replies people
    wrote stay untouched when the text changes. An entry removed from the file deletes its thread when
    nobody replied, and otherwise leaves the thread as an ordinary (uncurated) discussion.
    """
    # Curated texts are the project's own: the limits for anonymous posters do not apply to them.
    settings = (settings or Settings()).model_copy(
        update={"post_body_max_chars": 1_000_000, "thread_title_max_chars": 2000}
    )
    session.flush()
    facts = load_facts(session, fresh=True)
    lexicon = build_lexicon(session, dataset_revision(session))
    entries = read_entries(data_dir)
    wanted = {}
    for entry in entries:
        rendered = render_entry(entry, facts)
        result = grounding.check(f"{rendered['title']}\n\n{rendered['body']}", rendered["citations"],
                                 rendered["computations"], facts, lexicon)
        if not result.ok:
            raise ExplanationError(
                f"explanation {entry['key']!r} has ungrounded numbers {result.ungrounded} {result.problems}"
            )
        wanted[entry["key"]] = rendered

    existing = {t.curated_key: t for t in session.scalars(select(Thread).where(Thread.curated_key.is_not(None)))}
    for key, rendered in wanted.items():
        meta = {
            "intent": "curated_explanation",
            "explanation": {
                "summary": rendered["summary"],
                "summary_citations": rendered["summary_citations"],
                "questions": rendered["questions"],
                "tags": rendered["tags"],
                "computations": rendered["computations"],
            },
            "entities": [],
            "sources": [c.get("label") for c in rendered["citations"]],
            "computations": rendered["computations"],
            "how": "Written by the project; every number is rendered from the stored data when the data is loaded.",
        }
        thread = existing.pop(key, None)
        if thread is None:
            create_thread(
                session, settings, rendered["title"],
                NewPost(body=rendered["body"], author_kind="service", attachments=tuple(rendered["attachments"]),
                        citations=tuple(rendered["citations"]), answer_meta=meta),
                curated_key=key,
            )
            _count(report, "inserted")
            continue
        first = session.scalar(
            select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None), Post.author_kind == "service")
            .order_by(Post.id).limit(1)
        )
        if first is None:
            add_post(session, settings, thread.id, NewPost(
                body=rendered["body"], author_kind="service", attachments=tuple(rendered["attachments"]),
                citations=tuple(rendered["citations"]), answer_meta=meta))
            _count(report, "updated")
            continue
        changed = (thread.title != rendered["title"] or first.body != rendered["body"]
                   or first.citations != rendered["citations"] or first.attachments != rendered["attachments"]
                   or first.answer_meta != meta)
        if changed:
            thread.title = rendered["title"]
            first.body, first.citations, first.attachments, first.answer_meta = (
                rendered["body"], rendered["citations"], rendered["attachments"], meta)
            first.display_name = SERVICE_NAME
            _count(report, "updated")
        else:
            _count(report, "unchanged")
    for thread in existing.values():
        others = session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.author_kind == "person").limit(1)
        )
        if others is None:
            session.delete(thread)
        else:
            thread.curated_key = None
        _count(report, "deleted")
    session.flush()


def _count(report: Any, what: str) -> None:
    if report is not None and hasattr(report, "add"):
        report.add("curated_threads", what)
