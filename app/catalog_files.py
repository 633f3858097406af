"""The model catalog as shipped in app/data: the rows of every catalog file, with their MoE shape joined in.

``model_catalog.csv`` and ``model_catalog_extended.csv`` carry the reference columns unchanged (their
``source`` and ``verified`` text exactly as verified); ``model_catalog_moe.csv`` holds the mixture-of-experts
shape read once from each MoE row's ``source`` text into explicit columns, so nothing parses prose at run
time. Plain file reading: no database, no HTTP.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

CATALOG_FILES = ("model_catalog.csv", "model_catalog_extended.csv")
MOE_FILE = "model_catalog_moe.csv"
MOE_INT_COLUMNS = ("moe_experts", "moe_active_experts", "moe_shared_experts", "moe_expert_d_ff", "moe_dense_layers")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _bool_or_none(text: str) -> bool | None:
    value = text.strip().lower()
    if value not in ("", "true", "false"):
        raise ValueError(f"{MOE_FILE}: d_ff_per_expert must be true, false or empty, got {text!r}")
    return None if value == "" else value == "true"


def moe_shapes(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The MoE columns per model name; a row whose ``from_source`` is not the start of that model's
    ``source`` text is an error, so the shape cannot drift from the sentence it was read from."""
    out: dict[str, dict[str, Any]] = {}
    for r in _read_csv(data_dir / MOE_FILE):
        shape: dict[str, Any] = {k: _int_or_none(r[k]) for k in MOE_INT_COLUMNS}
        shape["d_ff_per_expert"] = _bool_or_none(r["d_ff_per_expert"])
        shape["from_source"] = r["from_source"]
        out[r["model"]] = shape
    return out


def catalog_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every catalog row in file order (the 35 first, then the extended ones), ready for the catalog table."""
    shapes = moe_shapes(data_dir)
    rows: list[dict[str, Any]] = []
    for name in CATALOG_FILES:
        for r in _read_csv(data_dir / name):
            shape = shapes.pop(r["model"], None)
            if shape is not None and not r["source"].startswith(shape["from_source"]):
                raise ValueError(f"{MOE_FILE}: {r['model']}: from_source is not the start of the catalog source")
            moe = {k: (shape or {}).get(k) for k in (*MOE_INT_COLUMNS, "d_ff_per_expert")}
            rows.append(
                {
                    "name": r["model"],
                    "organization": r["organization"],
                    "year": int(r["year"]),
                    "ffn_type": r["ffn_type"],
                    "activation": r["activation"],
                    "d_model": _int_or_none(r["d_model"]),
                    "d_model_text": r["d_model"],
                    "d_ff": _int_or_none(r["d_ff_or_intermediate_size"]),
                    "d_ff_text": r["d_ff_or_intermediate_size"],
                    "source": r["source"],
                    "verified": r["verified"],
                    "position": len(rows),
                    **moe,
                }
            )
    if shapes:
        raise ValueError(f"{MOE_FILE}: models not in the catalog: {sorted(shapes)}")
    return rows
