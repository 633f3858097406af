"""The comparison form's state: the values its inputs show (defaults, a preset, or what was typed), its
presets, and the estimate shown beside it.

A refused or estimated submission renders the form again from :func:`typed_values`, so every input
shows what was sent (a chosen file cannot be given back: browsers do not allow it, the hint says so).
The presets are built from the config's defaults (:func:`app.experiments.request.form_defaults`) and
kept within this server's limits by pricing them with the same estimate a submission is judged by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from app import ffn
from app.config import Settings
from app.domain import InvalidInputError
from app.experiments import request as comparison_request
from app.http.estimates import Priced, price

#: The number inputs of the form, by their input names.
NUMBER_INPUTS = ("d_model", "n_layers", "n_heads", "seq_len", "batch_size", "steps", "lr", "seeds",
                 "corpus_seed", "tokens", "speed_d_model")
#: Every input a refusal may be shown beside.
FIELDS = (*NUMBER_INPUTS, "kind", "variants", "device", "corpus_text", "corpus_file")
#: Training gets this many times shorter (quick look) or longer (longer, clearer verdict) than the default.
QUICK_STEP_DIVISOR = 5
LONGER_STEP_FACTOR = 4
LONGER_SEED_FACTOR = 2


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    why: str
    values: dict[str, Any]
    seconds: float | None


def default_values() -> dict[str, Any]:
    """What the form shows first: the paper's variants and the config's defaults."""
    values = {k: str(v) for k, v in comparison_request.form_defaults().items()}
    return {**values, "variants": list(ffn.PAPER_VARIANTS), "device": "auto", "matched": True, "corpus_text": ""}


def typed_values(form: FormData) -> dict[str, Any]:
    """What was sent, input by input, to fill the form again."""
    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    values: dict[str, Any] = {name: text(name) for name in NUMBER_INPUTS}
    values |= {
        "kind": text("kind") or "quality",
        "variants": [v for v in form.getlist("variants") if isinstance(v, str)],
        "device": text("device") or "auto",
        "matched": form.get("matched") is not None,
        "corpus_text": text("corpus_text"),
    }
    return values


def request_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The request a filled form stands for (numbers as typed must already be numbers)."""
    def number(name: str, cast: Any) -> Any:
        value = str(values.get(name) or "").strip()
        return cast(value) if value else None

    raw = comparison_request.from_form(
        str(values["kind"]), device=str(values["device"]), matched=bool(values["matched"]),
        variants=list(values["variants"]), number=number, text=str(values.get("corpus_text") or ""),
    )
    return comparison_request.ComparisonIn.model_validate(raw).to_raw()


def _priced(values: dict[str, Any], settings: Settings) -> Priced | None:
    try:
        return price(request_fields(values), settings)
    except (InvalidInputError, ValueError):
        return None


def presets(settings: Settings) -> list[Preset]:
    """Paper default, quick look (fewer steps), longer and clearer (more steps and seeds, within limits)."""
    base = default_values()
    steps, seeds = int(base["steps"]), int(base["seeds"])
    quick = {**base, "steps": str(max(1, steps // QUICK_STEP_DIVISOR))}
    longer_seeds = min(seeds * LONGER_SEED_FACTOR, settings.compare_max_seeds)
    longer_steps = min(steps * LONGER_STEP_FACTOR, settings.compare_max_steps)
    longer = {**base, "steps": str(longer_steps), "seeds": str(longer_seeds)}
    priced = _priced(longer, settings)
    while priced is not None and not priced.allowed and longer_steps > steps:  # shorten until it is accepted
        longer_steps = max(steps, longer_steps * 3 // 4)
        longer["steps"] = str(longer_steps)
        priced = _priced(longer, settings)
    out = []
    for key, label, why, values in (
        ("paper", "Paper default", "the paper's eight variants at the default size", base),
        ("quick", "Quick look", f"{QUICK_STEP_DIVISOR}x fewer steps: a first look, a less certain verdict", quick),
        ("longer", "Longer, clearer verdict", "more steps and seeds: smaller differences become decidable", longer),
    ):
        found = _priced(values, settings)
        out.append(Preset(key, label, why, values, found.estimate.seconds if found else None))
    return out
