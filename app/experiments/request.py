"""The comparison request, derived from the config schema: the API body :data:`ComparisonIn` (the
request fields of both kinds, every one optional, strict JSON types), the comparison form's fields and
defaults, and the request that reproduces a stored config.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from app.domain import InvalidInputError
from app.experiments.config import (
    KINDS,
    SCHEMAS,
    QualityConfig,
    Schema,
    SeedValue,
    SpeedConfig,
    SyntheticSpec,
    TextCorpus,
    default,
    default_text_val_fraction,
    limit_setting,
)
from app.storable_text import StorableText

# --- reproduce this run --------------------------------------------------------------------------


def reproduce_request(config: Mapping[str, Any]) -> dict[str, Any]:
    """The POST body that reproduces a stored config: its request fields only, the user's text replaced
    by a placeholder naming its hash."""
    schema = SCHEMAS.get(str(config.get("kind")), QualityConfig)
    out = {k: v for k, v in config.items() if k in schema.REQUEST_FIELDS}
    corpus = out.get("corpus")
    if isinstance(corpus, dict) and corpus.get("kind") == "synthetic":
        out["corpus"] = {k: corpus[k] for k in SyntheticSpec.REQUEST_FIELDS}
    elif isinstance(corpus, dict):
        out["corpus"] = {
            "kind": "text",
            "text": f"<your text; sha256 {corpus.get('sha256', '?')}>",
            "val_fraction": corpus.get("val_fraction", default_text_val_fraction()),
        }
    return out


# --- the request body ------------------------------------------------------------------------------


def _optional(annotation: Any, info: FieldInfo, description: str | None) -> tuple[Any, Any]:
    """``annotation | None`` defaulting to None, with ``info``'s bounds and schema extras."""
    bounded = Annotated[(annotation, *info.metadata)] if info.metadata else annotation
    return bounded | None, Field(None, description=description, json_schema_extra=info.json_schema_extra)


def _wire_model(schema: type[Schema]) -> type[BaseModel]:
    """The strict JSON form of a corpus model: its request fields, defaults kept."""
    fields: dict[str, Any] = {}
    for name in schema.REQUEST_FIELDS:
        info = schema.model_fields[name]
        fields[name] = (info.annotation, info) if name != "kind" else (info.annotation, Field(...))
    model = create_model(
        schema.__name__.replace("Spec", "Corpus") + "In",
        __config__=ConfigDict(extra="forbid", strict=True),
        __doc__=schema.__doc__,
        **fields,
    )
    return typing.cast(type[BaseModel], model)


SyntheticCorpusIn = _wire_model(SyntheticSpec)
TextCorpusIn = _wire_model(TextCorpus)

#: How the request spells the fields whose stored form differs (tuples are JSON arrays; seeds may be a count).
_WIRE_TYPES: dict[str, Any] = {
    "seeds": Union[  # noqa: UP007 (a runtime union of Annotated types)
        Annotated[int, Field(ge=1, json_schema_extra=limit_setting("compare_max_seeds"))],
        Annotated[list[SeedValue], Field(min_length=1, json_schema_extra=limit_setting(max_items="compare_max_seeds"))],
    ],
    "corpus": Annotated[Union[SyntheticCorpusIn, TextCorpusIn], Field(discriminator="kind")],  # noqa: UP007
}


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _request_description(name: str) -> str | None:
    """The field's description, with the kind it belongs to and its default(s)."""
    owners = [kind for kind in KINDS if name in SCHEMAS[kind].REQUEST_FIELDS]
    info = SCHEMAS[owners[-1]].model_fields[name]
    if info.description is None:
        return None
    text = info.description
    if len(owners) < len(KINDS):
        text = f"{owners[0].capitalize()}: {text[0].lower()}{text[1:]}"
    defaults = {kind: default(kind, name) for kind in owners}
    differ = len(set(map(str, defaults.values()))) > 1
    shown = [f"{_shown(v)} {k}" if differ else _shown(v) for k, v in defaults.items()]
    plain = all(isinstance(v, (int, float, str)) for v in defaults.values())
    suffix = f" (default {', '.join(dict.fromkeys(shown))})" if plain and name != "device" else ""
    return f"{text.removesuffix('.')}{suffix}." if suffix else text


class _RequestBase(BaseModel):
    """A comparison config. Omitted fields take the defaults of the kind (see the docs of each field)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    def to_raw(self) -> dict[str, Any]:
        """The fields that were given, checked against the kind."""
        raw = self.model_dump(exclude_none=True)
        kind = str(raw["kind"])
        for name in sorted(set(raw) - set(SCHEMAS[kind].REQUEST_FIELDS)):
            raise InvalidInputError(f"body.{name}", f"not a field of a {kind} comparison")
        return raw


def _request_model() -> type[_RequestBase]:
    names = list(dict.fromkeys(name for kind in KINDS for name in SCHEMAS[kind].REQUEST_FIELDS))
    fields: dict[str, Any] = {"kind": (Literal["quality", "speed"], Field(...))}
    for name in names[1:]:
        owner = SCHEMAS["speed" if name in SpeedConfig.REQUEST_FIELDS else "quality"]
        info = owner.model_fields[name]
        description = _request_description(name)
        if name == "device":
            fields[name] = (info.annotation, Field(default("speed", name), description=description))
        elif name == "variants":
            fields[name] = _optional(list[StorableText], info, description)
        elif name in _WIRE_TYPES:
            fields[name] = (_WIRE_TYPES[name] | None, Field(None, description=description))
        else:
            fields[name] = _optional(info.annotation, info, description)
    model = create_model("ComparisonIn", __base__=_RequestBase, __doc__=_RequestBase.__doc__, **fields)
    return typing.cast(type[_RequestBase], model)


if TYPE_CHECKING:

    class ComparisonIn(_RequestBase):
        """The POST body of a comparison (the API's and, parsed from the form, the page's)."""

else:
    ComparisonIn = _request_model()


# --- the form ------------------------------------------------------------------------------------

#: Form inputs named apart from their field (both kinds share one form).
FORM_NAMES = {("speed", "d_model"): "speed_d_model"}
CORPUS_SEED_INPUT = "corpus_seed"


def _scalar_type(kind: str, name: str) -> Callable[[str], Any]:
    annotation = SCHEMAS[kind].model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)] if isinstance(
        annotation, types.UnionType
    ) else [annotation]
    return float if float in args else int


FORM_NUMBERS: dict[str, tuple[str, ...]] = {
    "quality": ("d_model", "n_layers", "n_heads", "seq_len", "batch_size", "steps", "lr", "seeds"),
    "speed": ("d_model", "tokens"),
}


def form_defaults() -> dict[str, Any]:
    """What the form shows before the user changes anything (the quality comparison's defaults)."""
    out: dict[str, Any] = {"kind": "quality"}
    for kind in KINDS:
        for name in FORM_NUMBERS[kind]:
            value = default(kind, name)
            out[FORM_NAMES.get((kind, name), name)] = len(value) if name == "seeds" else value
    out[CORPUS_SEED_INPUT] = default("quality", "corpus").seed
    return out


def from_form(
    kind: str, device: str, matched: bool, variants: list[str], number: Callable[[str, Callable[[str], Any]], Any],
    text: str,
) -> dict[str, Any]:
    """The request fields a comparison form gives; ``number(input, type)`` reads one number input (None
    when empty), ``text`` is the corpus text typed or uploaded."""
    raw: dict[str, Any] = {"kind": kind, "device": device, "matched": matched}
    if variants:
        raw["variants"] = variants
    schema_kind = kind if kind in SCHEMAS else "quality"
    for name in FORM_NUMBERS[schema_kind]:
        raw[name] = number(FORM_NAMES.get((schema_kind, name), name), _scalar_type(schema_kind, name))
    if schema_kind == "quality":
        if text.strip():
            raw["corpus"] = {"kind": "text", "text": text}
        else:
            raw["corpus"] = {"kind": "synthetic", "seed": number(CORPUS_SEED_INPUT, int) or 0}
    return {k: v for k, v in raw.items() if v is not None}
