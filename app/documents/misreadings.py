"""The misreading documents both the JSON routes and the pages show: each misreading with links to the
pages of what it concerns, and its flat (CSV) form."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

CSV_COLUMNS = ["id", "title", "wrong", "right", "where", "models", "activations", "papers", "evidence"]
PAGE_PREFIX = {"models": "/models/", "activations": "/activations/", "papers": "/papers/"}


def concern_links(concerns: dict[str, list[str]]) -> list[dict[str, str]]:
    """What a misreading concerns, each with the path of its page."""
    return [
        {"kind": kind.removesuffix("s"), "name": name, "page_url": f"{prefix}{quote(name)}"}
        for kind, prefix in PAGE_PREFIX.items()
        for name in concerns.get(kind, [])
    ]


def misreading_document(item: dict[str, Any]) -> dict[str, Any]:
    """A misreading as served: its fields, its evidence, and the JSON and page paths of it."""
    return item | {
        "url": f"/api/v1/misreadings/{item['id']}",
        "page_url": f"/misreadings/{item['id']}",
        "links": concern_links(item["concerns"]),
    }


def csv_row(item: dict[str, Any]) -> dict[str, Any]:
    """One misreading on one line: lists joined with '; ', each citation as 'label = value (source)'."""
    evidence = [
        f"{c['label']} = {c['value_text']} ({c['source']})" if c["value_text"] else f"{c['label']} ({c['source']})"
        for c in item["evidence"]
    ]
    return {
        "id": item["id"], "title": item["title"], "wrong": item["wrong"], "right": item["right"],
        "where": item["where"], **{k: "; ".join(item["concerns"][k]) for k in PAGE_PREFIX},
        "evidence": "; ".join(evidence),
    }
