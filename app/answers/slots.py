"""The slots of a question: the entities it names and the setup and architecture fields its words ask for,
and how a follow-up's slots replace or extend the previous answer's.

Why its own module: the slots are what an answer keeps for the thread, read the same way whichever intent
the rules pick, so the keyword tables and the merge of a follow-up live apart from the intent rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.answers.entities import Entities

SETUP_KEYWORDS: dict[str, tuple[str, ...]] = {
    "batch": ("batch",),
    "optimizer": ("optimizer", "optimiser", "adafactor"),
    "lr_schedule": ("learning rate", "learning-rate", "lr schedule", "schedule", "warmup", "lr ", "lr?"),
    "dropout_pretraining": ("dropout",),
    "finetuning_dropout": ("dropout",),
    "seq_len": ("sequence length", "context length", "input length", "tokens per example", "seq length",
                "seq len", "seq_len", "sequence lengths", "input/output", "target length", "output length"),
    "steps": ("how many steps", "how long", "training length", "pre-training length", "pretraining length",
              "how many training steps", "trained for", "pretraining steps", "pre-training steps", "pretrain steps"),
    "finetuning_steps": ("fine-tuning steps", "finetuning steps", "fine tuning steps", "fine-tuned for",
                         "fine-tuning length", "finetuning length", "fine tuning length", "fine-tune with",
                         "fine tune with", "finetune with", "fine-tuned with", "fine tuned with"),
    "d_model": ("d_model", "model dimension", "model width", "hidden size"),
    "layers": ("layers", "how deep", "depth"),
    "heads": ("heads", "attention heads"),
    "d_ff_dense": ("d_ff", "feed-forward size", "feed forward size", "ffn size", "hidden dimension",
                   "inner dimension", "ffn dimension", "hidden layer", "ffn width"),
    "d_ff_gated": ("d_ff", "feed-forward size", "feed forward size", "ffn size", "hidden dimension",
                   "inner dimension", "ffn dimension", "hidden layer", "ffn width"),
    "biases": ("bias", "biases"),
    "swish_beta": ("beta", "β"),
    "data": ("dataset", "data set", "pre-training data", "pretraining data", "objective", "trained on", "corpus"),
    "step_time": ("step time", "how fast", "tpu", "speed", "gpus", "gpu", "hardware", "accelerator", "cluster"),
    "finetuning_data": ("fine-tuning data", "finetuning data", "fine-tuned on", "fine tuning data", "fine-tune"),
    "variability_runs": ("variability", "run-to-run", "how many runs", "spread", "seeds", "short runs", "short run",
                         "shorter runs", "shorter run", "extra runs", "extra models", "additional runs",
                         "additional models", "runs per architecture", "runs per variant", "repeat runs"),
    "perplexity_metric": ("perplexity measured", "which perplexity", "perplexity metric", "held-out shard"),
    "model_type": ("encoder-decoder", "decoder-only", "architecture of the paper", "model type"),
    "base_setup": ("t5 base", "code base", "setup"),
    "reported_scores": ("best checkpoint", "which checkpoint", "dev set", "development set", "test set"),
}

#: Settings of the paper's recipe that a question about one variant still asks of the paper ("swiglu's beta").
RECIPE_KEYS = frozenset({"swish_beta", "biases", "dropout_pretraining", "finetuning_dropout", "optimizer",
                         "lr_schedule", "batch", "step_time"})

ARCH_KEYWORDS: dict[str, tuple[str, ...]] = {
    "layers": ("layers", "how deep", "depth", "num_hidden_layers", "n_layers", "n_layer", "num_layers"),
    "d_model": ("d_model", "hidden size", "hidden_size", "model dimension", "width", "embedding size"),
    "ff": ("feedforward", "feed-forward", "feed forward", "ffn dim", "ff dim", "d_ff", "intermediate",
           "mlp size", "mlp dim", "ffn size", "hidden dim", "ffn width", "ff width", "mlp width", "how wide",
           " wide", "wider", "widest", "narrower", "ffn_dim", "ffn_hidden_size", "n_inner", "mlp_dim", "d_inner",
           "inner dim", "filter size", "gate_proj", "up_proj", "down_proj", "weight shape", "matrix shape",
           "expert size", "expert width", "expert intermediate", "expert ffn", "moe_intermediate", "per-expert",
           "per expert",
           # "hidden_act and sizes", "activation + sizes": a model's sizes beside its activation are its widths
           "and sizes", "+ sizes", "& sizes", ", sizes", "its sizes", "their sizes", "layer sizes", "s sizes",
           "the sizes"),
    "heads": ("heads", "num_attention_heads", "n_heads", "n_head", "num_heads"),
    "experts": ("how many experts", "expert count", "number of experts", "num experts", "num_experts",
                "num_local_experts", "top-k", "experts per token", "active experts", "routed experts",
                "shared experts", "moe layout", "how many active"),
    "kv": ("kv heads", "key-value heads", "kv-heads", "gqa", "multi-query", "grouped", "num_key_value_heads",
           "key_value_heads", "num_kv_heads", "n_kv_heads", "kv_heads", "key/value heads", "key value heads"),
    "vocab": ("vocab", "vocabulary"),
    "context": ("context", "attention span", "sequence length", "max_position_embeddings", "max_seq_len"),
    "window": ("sliding window", "window", "sliding_window"),
    "head_size": ("head size", "head dim", "head_dim", "head_size", "headdim", "dim per head", "per-head dim"),
    "tokens": ("training tokens", "trained on", "how many tokens", "tokens"),
    "params": ("parameters", "params", "parameter count", "param count", "param total", "how big", "size of",
               "non-embedding", "non embedding", "nonembedding", "n_params", "num_params"),
    "norm": ("norm", "normalization", "normalisation"),
    "attn_scalar": ("query_pre_attn_scalar", "query pre attn scalar", "query scaling", "attention scalar",
                    "query scalar"),
    "softcap": ("softcap", "soft-cap", "soft cap", "soft_cap", "soft-capping", "softcapping", "logit cap",
                "logit capping"),
    "vision": ("vision encoder", "vision tower", "siglip", "vision params", "vision parameters"),
    # fields no stored table or catalog row holds, read so that they are declined by name, not answered with
    # the row's activation or widths
    "rope": ("rope theta", "rope_theta", "rope base", "rotary base", "rope scaling", "rope_scaling", "rope freq"),
    "eps": ("rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "norm eps", "norm epsilon"),
    "tied": ("tie_word_embeddings", "tied embedding", "tie embeddings", "weight tying", "tied weights"),
    "bias": ("attention_bias", "mlp_bias", "qkv bias", "qkv_bias", "attention bias"),
}


@dataclass
class Slots:
    """The entities an answer works with (kept in the answer's metadata for follow-ups)."""

    variants: list[str] = field(default_factory=list)
    activations: list[str] = field(default_factory=list)
    gates: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    benchmarks: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    setup_keys: list[str] = field(default_factory=list)
    arch_keys: list[str] = field(default_factory=list)
    paper: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, list) else v for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Slots:
        slots = cls()
        for key, value in (data or {}).items():
            if hasattr(slots, key):
                setattr(slots, key, list(value) if isinstance(value, list) else value)
        return slots


def _keys_in(text: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    return [key for key, pattern in _compiled(tuple(table.items())) if pattern.search(text)]


@lru_cache(maxsize=16)
def _compiled(table: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One compiled alternation per key: the keyword tables are read for every question."""
    return tuple((key, re.compile("(?<![a-z_])(?:" + "|".join(re.escape(w) for w in words) + ")"))
                 for key, words in table)


_KV_WORDS = re.compile("|".join(re.escape(w) for w in ARCH_KEYWORDS["kv"]))
_HEADS = {"heads": ARCH_KEYWORDS["heads"]}


def _arch_keys(text: str) -> list[str]:
    """The architecture fields a question names; a bare "width" beside an FFN word is the FFN's width
    ("ffn width", "how wide is its mlp"), not d_model."""
    keys = _keys_in(text, ARCH_KEYWORDS)
    if "norm" in keys and not re.search(r"(?<![a-z_])norm(?!al)|normali[sz]ation", text):
        keys.remove("norm")  # "a normal MLP" asks about no normalization layer
    if "kv" in keys and "heads" in keys and not _keys_in(_KV_WORDS.sub(" ", text), _HEADS):
        keys.remove("heads")  # "phi-4 kv heads" asks the key-value heads only
    named = {"d_model": ARCH_KEYWORDS["d_model"]}
    if "ff" in keys and "d_model" in keys and not _keys_in(text.replace("width", ""), named):
        keys.remove("d_model")
    return keys


#: "swiglu hidden size for d_model 768": d_model is given, so the width asked for is the FFN's.
_GIVEN_D_MODEL = re.compile(r"\bd_model\b\s*(?:=|:|of|is)?\s*\d")
_ASKED_WIDTH = re.compile(r"\bhidd?en[ _]?(?:size|dim\w*|layer|width)\b|\bffn (?:size|width|dim\w*)\b|\bhow wide\b")


#: "how long were the short runs": the length of the variability runs, not the full pre-training length.
_SHORT_RUNS = re.compile(r"\bshort(?:er)? runs?\b")
_FULL_LENGTH = re.compile(r"pre-?train|\bfull\b|\bmain run|\blong run")
#: The setup key that a bare "setup" word also names ("in shazeer's setup, which optimizer"): beside another
#: setting it only frames the question.
_SETUP_WORD_ONLY = re.compile(r"t5 base|code base")


def _setup_keys(text: str) -> list[str]:
    keys = _keys_in(text, SETUP_KEYWORDS)
    if "variability_runs" in keys and "steps" in keys and _SHORT_RUNS.search(text) and not _FULL_LENGTH.search(text):
        keys.remove("steps")
    if "base_setup" in keys and len(keys) > 1 and not _SETUP_WORD_ONLY.search(text):
        keys.remove("base_setup")
    if _GIVEN_D_MODEL.search(text) and _ASKED_WIDTH.search(text):
        keys = [k for k in keys if k != "d_model"]
        keys += [k for k in ("d_ff_gated", "d_ff_dense") if k not in keys]
    return keys


def slots_from(entities: Entities, text: str) -> Slots:
    return Slots(
        variants=list(entities.variants), activations=list(entities.activations), gates=list(entities.gates),
        models=[m.name for m in entities.models], benchmarks=list(entities.benchmarks),
        metrics=list(entities.metrics), steps=list(entities.steps), numbers=list(entities.numbers),
        setup_keys=_setup_keys(text), arch_keys=_arch_keys(text), paper=entities.paper,
    )


def _merge(previous: Slots, new: Slots, previous_intent: str) -> Slots:
    """Slots of a follow-up: what the new question names replaces the previous value of that kind; a
    single new variant joins a comparison instead of replacing it."""
    merged = Slots.from_dict(previous.to_dict())
    if new.variants:
        if previous_intent in ("compare", "run_comparison") and len(new.variants) == 1:
            merged.variants = [*previous.variants, *(v for v in new.variants if v not in previous.variants)]
        else:
            merged.variants = list(new.variants)
        if not new.activations:
            merged.activations = []
    for name in ("activations", "gates", "models", "benchmarks", "metrics", "steps", "numbers", "setup_keys",
                 "arch_keys"):
        value = getattr(new, name)
        if value:
            setattr(merged, name, list(value))
    if new.benchmarks and not new.metrics:
        merged.metrics = []
    families = {b.split("/")[0] for b in previous.benchmarks}
    kept = [b for b in new.benchmarks if b.split("/")[0] in families]
    if len(families) == 1 and len(new.benchmarks) > 1 and kept:
        merged.benchmarks = kept  # "cola …" then "and rte?": GLUE's RTE, not SuperGLUE's too
    if new.variants and previous_intent not in ("compare", "run_comparison") and not new.activations:
        merged.activations = []
    if new.variants and previous_intent not in ("compare", "run_comparison") and not new.gates:
        merged.gates = []  # "geglu glue avg" … "now do gelu": GELU's row, not GEGLU's beside it
    if 65536 in new.steps and not new.benchmarks and previous.benchmarks and not any(
            b.startswith("C4") for b in previous.benchmarks):
        merged.benchmarks, merged.metrics = [], []  # "reglu glue avg" … "and swiglu at 65k?": only the loss has 65k
    merged.paper = previous.paper or new.paper
    return merged
