"""The comparison configs: one pydantic schema per kind, holding every field, default and bound.

Everything else derives from :class:`QualityConfig` and :class:`SpeedConfig` (and the corpus models):
the API body, the comparison form and "reproduce this run" (:mod:`app.experiments.request`), the
``actlab compare`` flags, the stored config (and so the cache key). A field is one of three sorts:

* a *request* field (``REQUEST_FIELDS``): anyone may set it, the API, the form and the CLI;
* an *execution* field (``EXECUTION_FIELDS``): how the run is spread over this machine; the server sets
  it from its Settings, the CLI may set it; results do not depend on it;
* a *fixed* field (all others): part of the measurement protocol, stored with the config, set only in code.

Bounds that depend on the deployment (``ACTLAB_COMPARE_MAX_*``) are checked when a job is prepared
(:mod:`app.experiments.admission`); their Settings names ride along in the JSON schema
(``x-maximum-setting``), where the OpenAPI document fills in this deployment's values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from app import vocabulary
from app.storable_text import StorableText

if TYPE_CHECKING:
    from app.experiments.tiny_lm import LMConfig

# torch-free on import (the CLI builds its flags from this module before a job worker sets up torch):
# the device, FFN and model helpers the validators and cost methods need are imported where used.

KINDS = ("quality", "speed")
SEED_MAX = 2**32 - 1  # what every random number generator involved accepts
SeedValue = Annotated[int, Field(ge=0, le=SEED_MAX)]
Device = Literal["auto", "cpu", "cuda"]


def limit_setting(maximum: str | None = None, *, max_items: str | None = None) -> dict[str, Any]:
    """Name the Settings field that bounds a field (the OpenAPI document states its value)."""
    extra: dict[str, Any] = {}
    if maximum:
        extra["x-maximum-setting"] = maximum
    if max_items:
        extra["x-max-items-setting"] = max_items
    return extra


VARIANT_NAMES: dict[str, Any] = {"items": {"type": "string", "enum": vocabulary.accepted_names()}}
# The variants field of every comparison kind.
VariantNames = Annotated[
    tuple[StorableText, ...],
    Field(
        min_length=1,
        max_length=10,
        json_schema_extra=VARIANT_NAMES,
        description="FFN variants (default: the paper's eight). Names are case-insensitive, FFN_ prefix optional.",
    ),
]
#: The LLaMA-style rounding of the gated hidden size (``app.ffn.DEFAULT_MULTIPLE_OF``).
GATED_MULTIPLE_OF = 8


class Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    REQUEST_FIELDS: ClassVar[tuple[str, ...]] = ()
    EXECUTION_FIELDS: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored with a job (and hashed into its cache key)."""
        return self.model_dump(mode="json", by_alias=True)


# --- corpora --------------------------------------------------------------------------------------


class SyntheticSpec(Schema):
    """The project's synthetic corpus (a Markov chain mixing bigram and order-2 structure); every field
    is part of the cache key."""

    kind: Literal["synthetic"] = "synthetic"
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Generates the transition tables and the text.")
    vocab_size: int = Field(32, ge=2, le=256)
    #: Fraction of the vocabulary whose successor depends only on the current token.
    bigram_fraction: float = Field(0.5, ge=0, le=1, description="Share of tokens followed by a bigram draw.")
    #: Dirichlet concentration of each next-token distribution: small = peaked = more learnable.
    concentration: float = Field(0.1, gt=0, le=100, description="Dirichlet concentration: small = peaked.")
    train_streams: int = Field(128, ge=1)
    val_streams: int = Field(16, ge=1)
    stream_len: int = Field(4096, ge=3)

    REQUEST_FIELDS: ClassVar[tuple[str, ...]] = ("kind", "seed", "vocab_size", "bigram_fraction", "concentration")


class TextCorpus(Schema):
    """User-supplied UTF-8 text, modelled character by character (size limit: ACTLAB_COMPARE_CORPUS_MAX_BYTES)."""

    kind: Literal["text"] = "text"
    text: StorableText = Field(min_length=1)
    val_fraction: float = Field(0.1, gt=0, lt=1, description="The last share of the text is held out.")

    REQUEST_FIELDS: ClassVar[tuple[str, ...]] = ("kind", "text", "val_fraction")


CorpusSpec = Annotated[SyntheticSpec | TextCorpus, Field(discriminator="kind")]


# --- the two kinds ----------------------------------------------------------------------------------


def _canonical_variants(variants: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical names; an unknown one raises KeyError listing the known ones."""
    canon = tuple(vocabulary.canonical_name(v) for v in variants)
    if len(set(canon)) != len(canon):
        raise ValueError("variants: each variant may appear once")
    return canon


class QualityConfig(Schema):
    """Train the tiny LM once per (variant, seed) and compare final validation losses (see quality.py
    for why these defaults)."""

    kind: Literal["quality"] = "quality"
    variants: VariantNames = vocabulary.PAPER_VARIANTS
    seeds: tuple[SeedValue, ...] = Field(
        (0, 1, 2), min_length=1, description="A count n (seeds 0..n-1) or a list of seeds 0..2^32−1."
    )
    d_model: int = Field(64, ge=8, json_schema_extra=limit_setting("compare_max_d_model"), description="Model width.")
    n_layers: int = Field(2, ge=1, json_schema_extra=limit_setting("compare_max_layers"), description="Layers.")
    n_heads: int = Field(4, ge=1, le=64, description="Attention heads.")
    #: Dense-variant hidden size; None means 4 · d_model (the Transformer convention).
    d_ff: int | None = Field(None, ge=1, description="Dense hidden size (default 4·d_model); gated get 2/3 of it.")
    seq_len: int = Field(
        32, ge=2, json_schema_extra=limit_setting("compare_max_seq_len"), description="Training sequence length."
    )
    batch_size: int = Field(
        32, ge=1, json_schema_extra=limit_setting("compare_max_batch_size"), description="Sequences per step."
    )
    steps: int = Field(
        500, ge=1, json_schema_extra=limit_setting("compare_max_steps"), description="Optimiser steps per run."
    )
    lr: float = Field(3e-3, gt=0, lt=1, description="Peak AdamW learning rate.")
    #: Validation loss is measured every ``eval_interval`` steps (and at step 0 and the last step).
    eval_interval: int = Field(50, ge=1)
    #: Validation windows (of ``seq_len`` tokens) for the curve points during training.
    eval_windows: int = Field(128, ge=1)
    #: Validation windows for the final loss — the number the verdicts use, so a larger set: forward
    #: passes are cheap and a small set adds scoring noise that looks like seed-to-seed spread.
    final_eval_windows: int = Field(1024, ge=1)
    corpus: CorpusSpec = Field(
        default_factory=SyntheticSpec, description="The synthetic corpus (default) or your text."
    )
    device: Device = Field("auto", description="auto = CUDA (bf16 autocast) when present.")
    matched: bool = Field(True, description="Give gated variants 2/3 of d_ff.")
    #: 1: at tiny sizes exact parameter matching matters more than shape alignment (see LMConfig).
    multiple_of: int = Field(1, ge=1, le=1024, description="Rounding of the gated hidden size.")
    #: Torch threads per pool process; 1 because two single-thread processes beat one two-thread process.
    threads: int = Field(1, ge=1, description="Torch threads per training process.")
    #: Parallel training processes on CPU (1 = in this process). Results do not depend on it. Stored as
    #: ``workers`` (the name older configs and cache keys use), which is still accepted.
    pool_processes: int = Field(
        2,
        ge=1,
        validation_alias=AliasChoices("pool_processes", "workers"),
        serialization_alias="workers",
        description="Parallel training processes on CPU (1 = in this process).",
    )
    #: Significance level of the pairwise verdicts.
    alpha: float = Field(0.05, gt=0, lt=1)

    REQUEST_FIELDS: ClassVar[tuple[str, ...]] = (
        "kind", "variants", "seeds", "d_model", "n_layers", "n_heads", "d_ff", "seq_len", "batch_size", "steps",
        "lr", "corpus", "device", "matched", "multiple_of",
    )  # fmt: skip
    EXECUTION_FIELDS: ClassVar[tuple[str, ...]] = ("threads", "pool_processes")

    @model_validator(mode="before")
    @classmethod
    def _spelled_out(cls, data: Any) -> Any:
        """``seeds`` may be a count n (seeds 0..n-1); a corpus without ``kind`` is the synthetic one."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("seeds"), int):
            data["seeds"] = tuple(range(data["seeds"]))
        corpus = data.get("corpus")
        if isinstance(corpus, dict) and "kind" not in corpus:
            data["corpus"] = {"kind": "synthetic", **corpus}
        return data

    @field_validator("variants")
    @classmethod
    def _variants(cls, variants: tuple[str, ...]) -> tuple[str, ...]:
        return _canonical_variants(variants)

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, seeds: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(seeds)) != len(seeds):
            raise ValueError("seeds: at least one seed, no repeats")
        return seeds

    @model_validator(mode="after")
    def _runnable(self) -> QualityConfig:
        from app.experiments import device as device_lib
        from app.experiments.tiny_lm import LMConfig

        device_lib.resolve(self.device)  # fails early for "cuda" without a GPU
        LMConfig(vocab_size=2, d_model=self.d_model, n_heads=self.n_heads)  # head divisibility
        return self

    @property
    def dense_d_ff(self) -> int:
        return self.d_ff if self.d_ff is not None else 4 * self.d_model

    @property
    def n_runs(self) -> int:
        return len(self.variants) * len(self.seeds)

    def lm_config(self, variant: str, vocab_size: int) -> LMConfig:
        from app.experiments.tiny_lm import LMConfig

        return LMConfig(
            vocab_size=vocab_size,
            seq_len=self.seq_len,
            d_model=self.d_model,
            n_layers=self.n_layers,
            n_heads=self.n_heads,
            variant=variant,
            d_ff=self.dense_d_ff,
            matched=self.matched,
            multiple_of=self.multiple_of,
        )

    def training_flops(self, vocab_size: int) -> float:
        """Matmul FLOPs of the whole comparison (fwd+bwd ≈ 3x forward; evaluation not counted)."""
        from app import ffn as ffn_lib
        from app.experiments.tiny_lm import forward_flops_per_token

        tokens = self.steps * self.batch_size * self.seq_len * len(self.seeds)
        per_token = sum(forward_flops_per_token(self.lm_config(v, vocab_size)) for v in self.variants)
        return float(ffn_lib.FWD_BWD_FLOPS_FACTOR * per_token * tokens)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QualityConfig:
        """From JSON-like data: ``seeds`` may be a count or a list; ``corpus`` a dict with ``kind``
        "synthetic" (SyntheticSpec fields) or "text" (``text``, ``val_fraction``)."""
        _refuse_unknown(cls, data)
        return cls.model_validate(dict(data))


class SpeedConfig(Schema):
    """Forward+backward time of each FFN variant against a matmul-only floor (see speed.py for why
    these defaults)."""

    kind: Literal["speed"] = "speed"
    variants: VariantNames = vocabulary.PAPER_VARIANTS
    tokens: int = Field(
        2048, ge=1, json_schema_extra=limit_setting("compare_max_tokens"), description="Tokens per fwd+bwd."
    )
    d_model: int = Field(
        256, ge=8, json_schema_extra=limit_setting("compare_max_d_model_speed"), description="Model width."
    )
    #: Dense-variant hidden size; None means 4 · d_model.
    d_ff: int | None = Field(None, ge=1, description="Dense hidden size (default 4·d_model); gated get 2/3 of it.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="auto = bfloat16 on CUDA, float32 on CPU."
    )
    device: Device = Field("auto", description="auto = CUDA (bf16 autocast) when present.")
    matched: bool = Field(True, description="Give gated variants 2/3 of d_ff.")
    multiple_of: int = Field(GATED_MULTIPLE_OF, ge=1, le=1024, description="Rounding of the gated hidden size.")
    #: "auto" = compile on CUDA only (slower than eager on CPU at these sizes); True/False force it.
    compile: bool | Literal["auto"] = Field("auto", description="torch.compile (auto = on CUDA only).")
    warmup: int = Field(3, ge=1, le=100, description="Untimed steps first.")
    iters: int = Field(5, ge=1, le=1000, description="Steps per timing sample.")
    repeats: int = Field(3, ge=1, le=100, description="Samples; the median is reported.")
    #: Torch threads for the timing (CPU); bounded so a job cannot take every core from the API.
    threads: int = Field(2, ge=1, description="Torch threads for the timing on CPU.")
    seed: int = 0

    REQUEST_FIELDS: ClassVar[tuple[str, ...]] = (
        "kind", "variants", "tokens", "d_model", "d_ff", "dtype", "device", "matched", "multiple_of", "compile",
        "warmup", "iters", "repeats",
    )  # fmt: skip
    EXECUTION_FIELDS: ClassVar[tuple[str, ...]] = ("threads",)

    @field_validator("variants")
    @classmethod
    def _variants(cls, variants: tuple[str, ...]) -> tuple[str, ...]:
        return _canonical_variants(variants)

    @model_validator(mode="after")
    def _runnable(self) -> SpeedConfig:
        from app.experiments import device as device_lib

        device_lib.resolve(self.device)
        return self

    @property
    def dense_d_ff(self) -> int:
        return self.d_ff if self.d_ff is not None else 4 * self.d_model

    def resolved_dtype(self, dev: Any) -> str:
        if self.dtype != "auto":
            return self.dtype
        return "bfloat16" if dev.type == "cuda" else "float32"

    def wants_compile(self, dev: Any) -> bool:
        return bool(dev.type == "cuda") if self.compile == "auto" else bool(self.compile)

    def timed_steps(self) -> int:
        """fwd+bwd steps one phase (eager, compiled or floor) runs for one variant."""
        return self.warmup + self.iters * self.repeats

    def total_flops(self, with_compile: bool) -> float:
        """Matmul FLOPs of the whole comparison: 2 or 3 timed phases per variant."""
        phases = 3 if with_compile else 2
        per_step = sum(self.fwd_bwd_flops(v) for v in self.variants)
        return float(phases * self.timed_steps() * per_step)

    def fwd_bwd_flops(self, variant: str) -> int:
        from app import ffn as ffn_lib

        fwd = ffn_lib.flops_per_token(variant, self.d_model, self.dense_d_ff, self.matched, self.multiple_of)
        return ffn_lib.FWD_BWD_FLOPS_FACTOR * fwd * self.tokens

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SpeedConfig:
        _refuse_unknown(cls, data)
        return cls.model_validate(dict(data))


Config = QualityConfig | SpeedConfig
SCHEMAS: dict[str, type[QualityConfig] | type[SpeedConfig]] = {"quality": QualityConfig, "speed": SpeedConfig}


def _refuse_unknown(cls: type[Schema], data: Mapping[str, Any]) -> None:
    aliases = [f.serialization_alias for f in cls.model_fields.values() if f.serialization_alias]
    known = {"kind", *cls.model_fields, *aliases}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")


def parse_config(config: Mapping[str, Any] | Config) -> Config:
    """The typed config for a JSON-like one; ValueError (a pydantic ValidationError among them) or
    KeyError (an unknown variant) name the bad field."""
    if isinstance(config, (QualityConfig, SpeedConfig)):
        return config
    kind = config.get("kind")
    if kind in SCHEMAS:
        return SCHEMAS[kind].from_dict(config)
    raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")


def settable_fields(kind: str) -> tuple[str, ...]:
    """The fields ``actlab compare`` may set for ``kind``: the request's and the execution ones."""
    schema = SCHEMAS[kind]
    return (*schema.REQUEST_FIELDS, *schema.EXECUTION_FIELDS)


def default(kind: str, name: str) -> Any:
    """A field's default value."""
    info = SCHEMAS[kind].model_fields[name]
    return info.get_default(call_default_factory=True)


def default_text_val_fraction() -> float:
    return float(TextCorpus.model_fields["val_fraction"].default)
