"""Admitting a comparison request: validate it against the schema and this deployment's limits, fill
in every default, resolve the device class, and compute the cache key (config, code version, device and
hardware class, torch version) and the cost estimate.

Every refusal is an :class:`InvalidInputError` naming the config field (422, or 413 for a text corpus
over its size limit) and, for a limit, the limit and its setting.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import torch
from pydantic import ValidationError

from app.config import Settings
from app.domain import InvalidInputError
from app.experiments import corpus as corpus_lib
from app.experiments import cost
from app.experiments import device as device_lib
from app.experiments.config import SEED_MAX, QualityConfig, default_text_val_fraction, parse_config


@dataclass(frozen=True)
class Prepared:
    """A validated config with everything filled in, ready to be stored or looked up."""

    kind: str
    config: dict[str, Any]
    corpus_text: str | None
    device_class: str
    #: The cache key's device part: the device class with the CPU model (see device.hardware_class).
    hardware_class: str
    code_version: str
    config_hash: str
    estimate_flops: float
    estimate_seconds: float
    #: The whole estimate: seconds by phase and peak memory (see :mod:`app.experiments.cost`).
    estimate: cost.Estimate


def resolve_device_class(device: str, settings: Settings) -> str:
    """The device class a config runs on. ``auto`` follows ``compare_auto_device``: ``detect`` asks torch
    in this process (right when the workers share this machine), ``cpu``/``cuda`` state it for
    deployments whose API replicas and workers differ."""
    if device == "auto" and settings.compare_auto_device != "detect":
        device = settings.compare_auto_device
    if device == "cuda" and settings.compare_auto_device == "cuda":
        return "cuda"  # the workers have GPUs this process cannot see
    try:
        return device_lib.device_class(device)
    except ValueError as exc:
        raise InvalidInputError("device", str(exc)) from exc


def _bound(field: str, value: int | float, limit: int | float, setting: str) -> None:
    if value > limit:
        raise InvalidInputError(field, f"{value} is over the limit {limit} (ACTLAB_{setting.upper()})", limit)


def _text_of(corpus: Any, settings: Settings) -> str | None:
    """The user's text of a text corpus, refused over ``compare_corpus_max_bytes`` (413)."""
    if not (isinstance(corpus, dict) and corpus.get("kind") == "text"):
        return None
    text = corpus.get("text")
    if not isinstance(text, str):
        raise InvalidInputError("corpus.text", "text corpus needs the text")
    size = len(text.encode("utf-8"))
    if size > settings.compare_corpus_max_bytes:
        raise InvalidInputError(
            "corpus.text",
            f"{size} bytes is over the limit {settings.compare_corpus_max_bytes} (ACTLAB_COMPARE_CORPUS_MAX_BYTES)",
            settings.compare_corpus_max_bytes,
            status=413,
        )
    return text


def prepare(raw: dict[str, Any], settings: Settings) -> Prepared:
    """Validate ``raw`` (a comparison request: ``kind`` plus optional fields), fill defaults, check every
    limit, resolve the device and compute the cache key and the cost estimate."""
    raw = dict(raw)
    corpus = raw.get("corpus")
    corpus_text = _text_of(corpus, settings)
    device_class = resolve_device_class(str(raw.get("device", "auto")), settings)
    raw["device"] = "cpu" if device_class == "cpu" else "cuda"
    kind = raw.get("kind")
    if kind == "quality":
        raw.pop("pool_processes", None)  # stored, and accepted, as "workers"
        raw["threads"], raw["workers"] = settings.worker_torch_threads, settings.worker_processes
    elif kind == "speed":
        raw["threads"] = min(int(raw.get("threads", settings.worker_speed_threads)), settings.worker_speed_threads)
    if isinstance(raw.get("seeds"), int):
        _bound("seeds", raw["seeds"], settings.compare_max_seeds, "compare_max_seeds")
    cfg = _parse(raw)
    if isinstance(cfg, QualityConfig):
        bad_seeds = [s for s in cfg.seeds if not 0 <= s <= SEED_MAX]
        if bad_seeds:
            raise InvalidInputError("seeds", f"seeds must be between 0 and 2^32 − 1, got {bad_seeds[0]}", SEED_MAX)
        if corpus_text is not None:  # refuse now what the worker could not train on
            try:
                val_fraction = float(corpus.get("val_fraction", default_text_val_fraction()))  # type: ignore[union-attr]
                corpus_lib.from_text(corpus_text, val_fraction, min_tokens=cfg.seq_len + 1)
            except ValueError as exc:
                raise InvalidInputError("corpus.text", str(exc)) from exc
    config = cfg.to_dict()
    config["device"] = raw["device"]
    if isinstance(cfg, QualityConfig):
        _bound("steps", cfg.steps, settings.compare_max_steps, "compare_max_steps")
        _bound("d_model", cfg.d_model, settings.compare_max_d_model, "compare_max_d_model")
        _bound("n_layers", cfg.n_layers, settings.compare_max_layers, "compare_max_layers")
        _bound("seq_len", cfg.seq_len, settings.compare_max_seq_len, "compare_max_seq_len")
        _bound("batch_size", cfg.batch_size, settings.compare_max_batch_size, "compare_max_batch_size")
        _bound("seeds", len(cfg.seeds), settings.compare_max_seeds, "compare_max_seeds")
        _bound("d_ff", cfg.dense_d_ff, settings.compare_max_d_ff, "compare_max_d_ff")
        if corpus_text is not None:
            config["corpus"].pop("text", None)
            config["corpus"]["sha256"] = hashlib.sha256(corpus_text.encode("utf-8")).hexdigest()
    else:
        _bound("tokens", cfg.tokens, settings.compare_max_tokens, "compare_max_tokens")
        _bound("d_model", cfg.d_model, settings.compare_max_d_model_speed, "compare_max_d_model_speed")
        _bound("d_ff", cfg.dense_d_ff, settings.compare_max_d_ff_speed, "compare_max_d_ff_speed")
    price = cost.estimate(cfg, device_class, settings, text_corpus=corpus_text is not None)
    _check_cost(price, device_class, settings)
    code_version = device_lib.code_version()
    hardware = device_lib.hardware_class(device_class)
    key = json.dumps(
        {
            "config": config,
            "code_version": code_version,
            "device_class": device_class,
            "hardware_class": hardware,  # float32 rounding differs between CPU models: not the same result
            "torch": torch.__version__,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return Prepared(
        kind=str(kind),
        config=config,
        corpus_text=corpus_text,
        device_class=device_class,
        hardware_class=hardware,
        code_version=code_version,
        config_hash=hashlib.sha256(key.encode()).hexdigest(),
        estimate_flops=price.flops,
        estimate_seconds=price.seconds,
        estimate=price,
    )


def may_answer(prepared: Prepared, results: Any) -> bool:
    """Whether a succeeded job's ``results`` may answer ``prepared`` from the cache: only when they were
    measured on the same hardware class (the key says where the API expected them to run; this checks
    where they did, e.g. on a Celery worker with another CPU)."""
    environment = results.get("environment") if isinstance(results, dict) else None
    recorded = environment.get("hardware_class") if isinstance(environment, dict) else None
    return device_lib.same_hardware(recorded, prepared.hardware_class)


def _phases(price: cost.Estimate) -> str:
    parts = {
        "training": price.training_seconds,
        "evaluation": price.evaluation_seconds,
        "corpus": price.corpus_seconds,
        "compilation": price.compile_seconds,
        "start-up": price.startup_seconds,
    }
    return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in parts.items() if seconds >= 0.5)


def _check_cost(price: cost.Estimate, device_class: str, settings: Settings) -> None:
    """Refuse a config whose estimate is over the FLOP, time or memory limit (422 naming the setting)."""
    _bound("config", round(price.flops), round(settings.compare_max_flops), "compare_max_flops")
    if price.seconds > settings.compare_max_expected_seconds:
        raise InvalidInputError(
            "config",
            f"estimated {price.seconds:.0f} s on {device_class} ({_phases(price)}) is over the limit "
            f"{settings.compare_max_expected_seconds:.0f} s (ACTLAB_COMPARE_MAX_EXPECTED_SECONDS); "
            "use fewer steps, seeds, variants, evaluation points or a smaller model or vocabulary",
            settings.compare_max_expected_seconds,
        )
    if price.peak_memory_bytes > settings.compare_max_peak_memory_bytes:
        raise InvalidInputError(
            "config",
            f"estimated peak memory {price.peak_memory_bytes / 2**20:.0f} MiB on {device_class} is over the limit "
            f"{settings.compare_max_peak_memory_bytes / 2**20:.0f} MiB (ACTLAB_COMPARE_MAX_PEAK_MEMORY_BYTES); "
            "use fewer tokens, a smaller batch, sequence, model or vocabulary",
            settings.compare_max_peak_memory_bytes,
        )


def _parse(raw: dict[str, Any]) -> Any:
    """The typed config; a bad field is an InvalidInputError naming it."""
    try:
        return parse_config(_without_device_check(raw))
    except KeyError as exc:
        raise InvalidInputError("variants", str(exc.args[0]) if exc.args else "unknown variant") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        cause = (error.get("ctx") or {}).get("error")
        message = str(cause) if cause is not None else error["msg"]
        loc = error["loc"]
        field = str(loc[0]) if loc else _field_of(message, raw)
        raise InvalidInputError(field, message) from exc
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(_field_of(str(exc), raw), str(exc)) from exc


def _field_of(message: str, raw: dict[str, Any]) -> str:
    """The config field a validation message is about (its first word when that names a field)."""
    first = message.replace(":", " ").split(" ", 1)[0]
    return first if first in raw or first in ("d_model", "n_heads", "variants", "seeds") else "config"


def _without_device_check(raw: dict[str, Any]) -> dict[str, Any]:
    """The typed configs check that a CUDA device exists; the API may run where the GPU workers are not."""
    return {**raw, "device": "cpu"} if raw.get("device") == "cuda" else raw
