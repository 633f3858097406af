"""CUDA checks, run on a GPU machine by scripts/gpu_check.sh (``pytest --noconftest tests/gpu_checks.py``).

The file name does not match ``test_*.py`` on purpose: the regular suite runs on machines without a
GPU, where these checks cannot run; here, a missing GPU is a failure. Only the domain modules are
imported (torch, numpy, scipy), so the checks run with the GPU image's Python as it is.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from app import ffn
from app.experiments import comparison as experiments
from app.experiments import device as device_lib
from app.experiments.config import QualityConfig, SpeedConfig
from app.experiments.corpus import SyntheticSpec

if not torch.cuda.is_available():
    pytest.fail("tests/gpu_checks.py needs a CUDA device; this machine has none", pytrace=False)


def test_auto_picks_cuda_with_bf16_autocast() -> None:
    dev = device_lib.resolve("auto")
    assert dev.type == "cuda" and device_lib.autocast_dtype(dev) == torch.bfloat16
    assert device_lib.device_class("auto") == f"cuda:{torch.cuda.get_device_name()}"


@pytest.mark.parametrize("name", list(ffn.VARIANTS))
def test_ffn_on_cuda_matches_float64_on_cpu(name: str) -> None:
    torch.manual_seed(0)
    module = ffn.make_ffn(name, 64, 256).double()
    x = torch.randn(32, 64, dtype=torch.float64)
    expected = module(x).detach()
    got = module.to("cuda", torch.float32)(x.to("cuda", torch.float32)).double().cpu()
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        low = module(x.to("cuda", torch.float32)).float().cpu().double()
    assert (low - expected).abs().max().item() < 0.05 * expected.abs().max().item() + 1e-3


def tiny(**changes: object) -> QualityConfig:
    base: dict[str, object] = dict(
        variants=("ReLU", "SwiGLU"),
        seeds=(0, 1),
        d_model=32,
        n_layers=1,
        n_heads=2,
        seq_len=32,
        batch_size=16,
        steps=60,
        eval_interval=20,
        device="cuda",
        corpus=SyntheticSpec(train_streams=16, val_streams=4, stream_len=1024),
    )
    base.update(changes)
    return QualityConfig(**base)  # type: ignore[arg-type]


def test_quality_run_on_cuda_records_the_device_and_learns() -> None:
    result = experiments.run(tiny())
    env = result["environment"]
    assert env["device"] == "cuda" and env["dtype"] == "bfloat16 autocast" and env["workers"] == 1
    assert env["device_class"].startswith("cuda:") and env["torch_version"] == torch.__version__
    unigram = result["corpus"]["reference"]["unigram_loss"]
    for v in result["variants"]:
        assert all(math.isfinite(x) for x in v["final_val_loss"]["values"])
        assert v["final_val_loss"]["mean"] < unigram  # it learned beyond unigram statistics
        assert v["peak_memory_kind"] == "cuda_max_allocated" and v["peak_memory_mb"] > 0


def test_same_seed_on_cuda_starts_identically_and_ends_close() -> None:
    a, b = experiments.run(tiny(seeds=(0,))), experiments.run(tiny(seeds=(0,)))
    for va, vb in zip(a["variants"], b["variants"], strict=True):
        assert va["runs"][0]["train_loss"][0] == vb["runs"][0]["train_loss"][0]
        assert np.allclose(va["final_val_loss"]["values"], vb["final_val_loss"]["values"], atol=0.02)


def test_batched_runs_on_cuda_match_separate_runs() -> None:
    """The batched computation (SDPA, bf16 autocast) against one model per run on the same device."""
    from app.experiments import corpus as corpus_lib
    from app.experiments.batched_training import train_batch
    from app.experiments.quality import train_one

    cfg = tiny(variants=("GEGLU", "SwiGLU", "GELU"), steps=40)
    corpus = corpus_lib.build_corpus(cfg.corpus, cfg.seq_len)
    runs = [(v, s) for s in cfg.seeds for v in cfg.variants]
    dev = torch.device("cuda")
    batched = train_batch(cfg, runs, corpus, dev, lambda _e: None)
    for result, (variant, seed) in zip(batched, runs, strict=True):
        alone = train_one(cfg, variant, seed, corpus, dev, lambda _e: None)
        assert abs(result["final_val_loss"] - alone["final_val_loss"]) < 0.02, (variant, seed)  # bf16 rounding


def test_speed_run_on_cuda_with_compile() -> None:
    cfg = SpeedConfig(
        variants=("ReLU", "GEGLU"), tokens=4096, d_model=512, device="cuda", compile=True, warmup=2, iters=5, repeats=3
    )
    result = experiments.run(cfg)
    assert result["environment"]["dtype"] == "bfloat16"
    for row in result["variants"]:
        assert row["eager_ms"] > 0 and row["floor_ms"] > 0 and row["ratio_to_floor"] > 0
        assert row["compile_error"] is None, row["compile_error"]  # torch.compile works on CUDA
        assert row["compiled_ms"] > 0 and row["compile_seconds"] > 0 and row["compiled_ratio_to_floor"] > 0
