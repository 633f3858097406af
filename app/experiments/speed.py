"""Speed comparison: forward+backward time of each FFN variant, against a matmul-only floor.

For each variant, at ``tokens`` x ``d_model`` in ``dtype`` on one device:

* **eager** time of ``y = ffn(x); y.backward(g)`` (gradients for the weights and for ``x``, as inside
  a Transformer), median over ``repeats`` samples of ``iters`` steps after ``warmup`` steps, with the
  device synchronised before each clock read;
* **compiled** time of the same under ``torch.compile`` where it works — the first call's time is
  reported separately as ``compile_seconds``; when compiling fails, ``compile_error`` says why;
* the **matmul floor**: the same GEMMs the variant needs (3 per weight matrix: forward, input-grad,
  weight-grad), run bare in the same process on the same device and dtype, without the activation,
  the gate product or autograd, with its timing samples interleaved with the variant's (so both see
  the same machine state). ``ratio_to_floor`` = variant time / floor time says how much the
  element-wise work and framework overhead cost on top of the unavoidable matmuls;
* achieved FLOP/s = 3 x forward matmul FLOPs / time (see :data:`app.ffn.FWD_BWD_FLOPS_FACTOR`).

Why the defaults (tokens 2048, d_model 256, float32 on CPU, bf16 on CUDA, compile only on CUDA): at
this size one fwd+bwd takes ~0.1 s on a 2-core CPU, so the eight paper variants plus their floors time
in well under a minute; torch.compile on CPU took longer to compile than it saved at these sizes, so it
runs there only when asked (``compile=True``). The config, with every default, is
:class:`app.experiments.config.SpeedConfig`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import torch

from app import ffn as ffn_lib
from app.experiments import device as device_lib
from app.experiments.config import SpeedConfig
from app.experiments.types import Report


def time_interleaved(
    steps: dict[str, Callable[[], None]],
    dev: torch.device,
    warmup: int,
    iters: int,
    repeats: int,
    tick: Callable[[], None],
) -> dict[str, float]:
    """Median seconds per step of each of ``steps``, sampled in turn: ``repeats`` rounds, each timing
    ``iters`` steps of every one, after ``warmup`` steps of each. Interleaving puts a variant and its
    floor under the same conditions, so their ratio holds up on a shared or throttling machine.
    ``tick`` is called after each round (progress, cancellation)."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    device_lib.synchronize(dev)
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            device_lib.synchronize(dev)
            t0 = time.perf_counter()
            for _ in range(iters):
                step()
            device_lib.synchronize(dev)
            samples[name].append((time.perf_counter() - t0) / iters)
        tick()
    return {name: statistics.median(values) for name, values in samples.items()}


def module_step(
    module: torch.nn.Module,
    x: torch.Tensor,
    grad: torch.Tensor,
    call: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> Callable[[], None]:
    """One fwd+bwd through ``module`` (or ``call``, its compiled form), gradients cleared first so no
    accumulation add is timed."""
    params = list(module.parameters())
    forward = call if call is not None else module  # (a compiled module must not be truth-tested)

    def step() -> None:
        for p in params:
            p.grad = None
        x.grad = None
        forward(x).backward(grad)

    return step


def floor_step(gated: bool, x: torch.Tensor, grad: torch.Tensor, d_ff: int) -> Callable[[], None]:
    """The variant's GEMMs alone: forward, input-gradient and weight-gradient products for each matrix.

    Dense: h = x W1ᵀ, y = h W2ᵀ; gh = g W2, gW2 = gᵀ h, gW1 = ghᵀ x, gx = gh W1 (6 GEMMs).
    Gated adds V: b = x Vᵀ, gV = ghᵀ x, and gx += gh V through addmm's accumulate (9 GEMMs).
    """
    d_model = x.shape[1]

    def weight(rows: int, cols: int) -> torch.Tensor:
        return torch.randn(rows, cols, device=x.device, dtype=x.dtype) * 0.02

    w1, w2 = weight(d_ff, d_model), weight(d_model, d_ff)
    v = weight(d_ff, d_model) if gated else None
    xd = x.detach()

    def step() -> None:
        h = xd @ w1.t()
        if v is not None:
            _b = xd @ v.t()
        _y = h @ w2.t()
        gh = grad @ w2
        _gw2 = grad.t() @ h
        _gw1 = gh.t() @ xd
        gx = gh @ w1
        if v is not None:
            _gv = gh.t() @ xd
            gx.addmm_(gh, v)

    return step


def run(cfg: SpeedConfig, report: Report | None = None) -> dict[str, Any]:
    """Time every variant (eager, compiled where it works) and its matmul floor; JSON-ready result."""
    emit = report or (lambda _event: None)
    dev = device_lib.resolve(cfg.device)
    if dev.type == "cpu":
        device_lib.set_threads(cfg.threads)
    dtype_name = cfg.resolved_dtype(dev)
    dtype = device_lib.DTYPES[dtype_name]
    use_compile = cfg.wants_compile(dev)
    total = len(cfg.variants) * cfg.repeats
    done = 0
    started = time.perf_counter()

    def tick(variant: str) -> Callable[[], None]:
        def inner() -> None:
            nonlocal done
            done += 1
            emit({"type": "step", "variant": variant, "done_steps": done, "total_steps": total})

        return inner

    emit({"type": "start", "total_steps": total, "variants": list(cfg.variants)})
    gen = torch.Generator(device="cpu").manual_seed(cfg.seed)
    x = torch.randn(cfg.tokens, cfg.d_model, generator=gen).to(dev, dtype).requires_grad_(True)
    grad = torch.randn(cfg.tokens, cfg.d_model, generator=gen).to(dev, dtype)
    rows = []
    for name in cfg.variants:
        info = ffn_lib.describe(name, cfg.d_model, cfg.dense_d_ff, cfg.matched, cfg.multiple_of)
        d_ff, gated = int(info["d_ff"]), bool(info["gated"])  # type: ignore[call-overload]
        torch.manual_seed(cfg.seed)
        module = ffn_lib.make_ffn(name, cfg.d_model, cfg.dense_d_ff, cfg.matched, cfg.multiple_of).to(dev, dtype)
        flops = cfg.fwd_bwd_flops(name)
        steps = {"eager": module_step(module, x, grad), "floor": floor_step(gated, x, grad, d_ff)}
        compiled: dict[str, Any] = {"compile_seconds": None, "compile_error": None}
        if use_compile:
            emit({"type": "phase", "phase": "compile", "variant": name})
            step, compiled = _compile(module, x, grad, dev)
            if step is not None:
                steps["compiled"] = step
        else:
            compiled["compile_error"] = "not attempted: compile is off for this device (set compile=true)"
        seconds = time_interleaved(steps, dev, cfg.warmup, cfg.iters, cfg.repeats, tick(name))
        eager, floor, fast = seconds["eager"], seconds["floor"], seconds.get("compiled")
        rows.append(
            {
                **info,
                "fwd_bwd_flops": flops,
                "eager_ms": eager * 1e3,
                "eager_tflops": flops / eager / 1e12,
                "floor_ms": floor * 1e3,
                "floor_tflops": flops / floor / 1e12,
                "ratio_to_floor": eager / floor,
                "compiled_ms": fast * 1e3 if fast else None,
                "compiled_tflops": flops / fast / 1e12 if fast else None,
                "compiled_ratio_to_floor": fast / floor if fast else None,
                **compiled,
            }
        )
    return {
        "kind": "speed",
        "config": cfg.to_dict(),
        "environment": device_lib.environment(dev, dtype_name),
        "variants": rows,
        "wall_seconds": time.perf_counter() - started,
    }


def _compile(
    module: torch.nn.Module, x: torch.Tensor, grad: torch.Tensor, dev: torch.device
) -> tuple[Callable[[], None] | None, dict[str, Any]]:
    """Compile the module and time its first fwd+bwd (the compilation) apart from the timed steps.
    Returns the compiled step (None when compiling failed) and ``compile_seconds`` / ``compile_error``."""
    torch._dynamo.reset()  # each variant compiles from scratch; no recompile-limit surprises
    try:
        step = module_step(module, x, grad, call=torch.compile(module))
        device_lib.synchronize(dev)
        t0 = time.perf_counter()
        step()
        device_lib.synchronize(dev)
    except Exception as exc:  # torch.compile fails in many environment-specific ways; report, don't fail
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return None, {"compile_seconds": None, "compile_error": f"{type(exc).__name__}: {first}"[:500]}
    return step, {"compile_seconds": time.perf_counter() - t0, "compile_error": None}
