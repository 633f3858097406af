"""What a comparison will cost before it runs: matmul FLOPs and expected seconds on a device class.

The estimate is deliberately simple and conservative: FLOPs over the device class's measured
throughput (``compare_cpu_flops_per_second`` / ``compare_cuda_flops_per_second``), but never less than a
per-step floor (tiny models are bound by framework overhead, not FLOPs), plus start-up and, for a
compiled speed run, the compilation of each variant.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.experiments.config import Config, QualityConfig

#: The vocabulary a text corpus is costed at before its characters are counted (bytes at most).
TEXT_VOCAB_BOUND = 256


@dataclass(frozen=True)
class Estimate:
    flops: float
    seconds: float


def estimate(cfg: Config, device_class: str, settings: Settings, text_corpus: bool = False) -> Estimate:
    """FLOPs and expected wall-clock seconds of ``cfg`` on ``device_class`` ("cpu" or a CUDA class)."""
    compile_seconds = 0.0
    if isinstance(cfg, QualityConfig):
        vocab = TEXT_VOCAB_BOUND if text_corpus else getattr(cfg.corpus, "vocab_size", TEXT_VOCAB_BOUND)
        flops = cfg.training_flops(vocab)
        steps = cfg.n_runs * cfg.steps / (cfg.pool_processes if device_class == "cpu" else 1)
    else:
        with_compile = cfg.compile is True or (cfg.compile == "auto" and device_class != "cpu")
        flops = cfg.total_flops(with_compile)
        steps = len(cfg.variants) * (3 if with_compile else 2) * cfg.timed_steps()
        compile_seconds = settings.compare_compile_seconds * len(cfg.variants) if with_compile else 0.0
    per_second = (
        settings.compare_cpu_flops_per_second if device_class == "cpu" else settings.compare_cuda_flops_per_second
    )
    seconds = max(flops / per_second, steps * settings.compare_seconds_per_step_floor)
    return Estimate(flops=flops, seconds=seconds + settings.compare_startup_seconds + compile_seconds)
