"""The hidden-size document: what /api/v1/ffn-sizes returns and what the variant pages' calculator shows.

The page reads the same dict as the API, so the numbers on a variant page and in its JSON twin
cannot drift apart. The page's form sends text (an empty field for "not set"), read here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from app import ffn, sizing
from app.domain import InvalidInputError

CSV_COLUMNS = ["name", "gated", "matrices", "d_model", "d_ff", "weights", "bias_params", "params", "flops_per_token"]

#: The calculator's default example: LLaMA 7B's configuration (dim 4096, multiple_of 256).
DEFAULT_EXAMPLE: dict[str, str] = {"d_model": "4096", "rule": "llama", "multiple_of": "256"}


def sizing_document(request: sizing.SizingRequest) -> dict[str, Any]:
    """The d_ff, how it was derived, and every variant's weights and FLOPs per token at that width."""
    result = sizing.hidden_size(request)
    multiplier = request.ffn_dim_multiplier
    inputs = {
        "multiple_of": request.multiple_of,
        "ffn_dim_multiplier": None if multiplier is None else str(multiplier),
        "factor": request.factor,
        "d_ff": request.d_ff,
    }
    query = {"d_model": request.d_model, "rule": request.rule} | {k: v for k, v in inputs.items() if v is not None}
    return {
        "d_model": request.d_model,
        "rule": request.rule,
        "rule_formula": sizing.RULE_FORMULAS[request.rule],
        "inputs": inputs,
        "d_ff": result.d_ff,
        "steps": [{"formula": s.formula, "value": s.value} for s in result.steps],
        "biases": request.biases,
        "flops": request.flops,
        "variants": sizing.variant_costs(result),
        "notes": list(result.notes),
        "assumptions": list(sizing.ASSUMPTIONS),
        "url": "/api/v1/ffn-sizes?" + urlencode(query),
    }


def csv_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One CSV row per variant, d_model included so a row stands alone."""
    return [{"d_model": document["d_model"]} | v for v in document["variants"]]


def _form_int(text: str | None, name: str) -> int | None:
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit():
        raise InvalidInputError(name, "must be a whole number")
    return int(text.strip())


def page_calculator(
    variant: str,
    *,
    d_model: str | None = None,
    rule: str | None = None,
    multiple_of: str | None = None,
    ffn_dim_multiplier: str | None = None,
    factor: str | None = None,
    d_ff: str | None = None,
) -> dict[str, Any]:
    """The calculator on a variant page: the form's values, and the document with this variant's row.

    A form sends every field, blank or not, so fields the chosen rule does not read are left out
    (and listed as ignored) instead of refused as the API refuses them. No input at all shows
    LLaMA 7B's configuration.
    """
    texts: dict[str, str | None] = {
        "d_model": d_model,
        "rule": rule,
        "multiple_of": multiple_of,
        "ffn_dim_multiplier": ffn_dim_multiplier,
        "factor": factor,
        "d_ff": d_ff,
    }
    if not any(v and v.strip() for v in texts.values()):
        texts = {k: DEFAULT_EXAMPLE.get(k, "") for k in texts}
    chosen = (texts["rule"] or "").strip() or "llama"
    if chosen not in sizing.RULES:
        raise InvalidInputError("rule", f"must be one of {', '.join(sizing.RULES)}")
    reads = sizing.RULE_FIELDS[chosen]
    optional = ("multiple_of", "ffn_dim_multiplier", "factor", "d_ff")
    ignored = [n for n in optional if n not in reads and (texts[n] or "").strip()]
    d_model_value = _form_int(texts["d_model"], "d_model")
    if d_model_value is None:
        raise InvalidInputError("d_model", "is required")
    request = sizing.make_request(
        d_model_value,
        chosen,
        multiple_of=_form_int(texts["multiple_of"], "multiple_of") if "multiple_of" in reads else None,
        ffn_dim_multiplier=texts["ffn_dim_multiplier"] if "ffn_dim_multiplier" in reads else None,
        factor=_form_int(texts["factor"], "factor") if "factor" in reads else None,
        d_ff=_form_int(texts["d_ff"], "d_ff") if "d_ff" in reads else None,
    )
    document = sizing_document(request)
    name = ffn.get_variant(variant).name
    row = next(v for v in document["variants"] if v["name"] == name)
    form = {k: (v or "").strip() for k, v in texts.items()} | {"rule": chosen}
    return {"form": form, "rules": list(sizing.RULES), "document": document, "row": row, "ignored": ignored}
