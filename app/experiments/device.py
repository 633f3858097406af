"""Device choice, timing hygiene and the provenance every result records.

``device="auto"`` picks CUDA when present and then trains under bf16 autocast (the dtype tiny models
are trained in on modern GPUs); on CPU everything runs in float32. Every result carries the device
name, dtype, torch version and build, determinism settings, thread count and code version. The cost model
prices a *device class* (``"cpu"`` or ``"cuda:<GPU name>"``); the cache key and every result also carry the
*hardware class* (``"cpu:<CPU model>"`` or ``"cuda:<GPU name>"``), because float32 rounding differs between
CPU models (vector widths, BLAS kernels) and the ReLU-family runs amplify it: the same config on another
CPU model moved final losses by up to 6.6e-3, enough to flip a verdict. Another model is another experiment.

The code version is a hash of the source files whose behaviour decides a result (the FFN variants and
the experiment code), not a git commit: it works in a container without ``.git`` and it changes
exactly when a result could change.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import platform
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

_APP = Path(__file__).resolve().parent.parent
_VERSIONED_SOURCES = (
    "ffn.py",
    "vocabulary.py",
    "data/vocabulary.yaml",
    "data/variants.csv",
    "experiments/corpus.py",
    "experiments/device.py",
    "experiments/tiny_lm.py",
    "experiments/batched_lm.py",
    "experiments/batched_training.py",
    "experiments/schedule.py",
    "experiments/quality.py",
    "experiments/speed.py",
    "experiments/stats.py",
)

DEVICES = ("auto", "cpu", "cuda")
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@functools.cache
def code_version() -> str:
    """``"src-<12 hex>"``: SHA-256 over the experiment sources (see module docstring)."""
    digest = hashlib.sha256()
    for rel in _VERSIONED_SOURCES:
        digest.update(rel.encode())
        digest.update((_APP / rel).read_bytes())
    return "src-" + digest.hexdigest()[:12]


def resolve(device: str) -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU. ``"cuda"`` without a GPU raises ValueError."""
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
    if device == "cuda" or (device == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ValueError("device 'cuda' was requested but no CUDA device is available")
        return torch.device("cuda")
    return torch.device("cpu")


@functools.cache
def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``'s "model name"; the platform's processor string elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def device_name(dev: torch.device) -> str:
    if dev.type == "cuda":
        return torch.cuda.get_device_name(dev)
    return cpu_model()


def device_class(device: str) -> str:
    """The class the cost model prices: ``"cpu"`` or ``"cuda:<GPU name>"``."""
    dev = resolve(device)
    return "cpu" if dev.type == "cpu" else f"cuda:{device_name(dev)}"


def _cpu_hardware() -> str:
    # The vector width torch dispatches to (AVX2, AVX512, ...) picks the kernels, so it is part of the
    # class: virtual machines often report one model name ("AMD EPYC") for several CPU generations.
    return f"cpu:{cpu_model()} ({torch.backends.cpu.get_cpu_capability()})"


def hardware_class(device_class: str) -> str:
    """The cache key's device part for a device class: a CPU's model is added (``"cpu:<model> (<ISA>)"``);
    a CUDA class already names its GPU (a bare ``"cuda"`` — workers' GPUs unseen by the API — stays)."""
    return _cpu_hardware() if device_class == "cpu" else device_class


def _hardware_class_of(dev: torch.device) -> str:
    return _cpu_hardware() if dev.type == "cpu" else f"cuda:{device_name(dev)}"


def same_hardware(recorded: object, wanted: str) -> bool:
    """Whether a result recorded on ``recorded`` (its environment's hardware class) may answer a request
    for ``wanted``: the same class, or any GPU for a bare ``"cuda"``. Results without one never do."""
    if not isinstance(recorded, str):
        return False
    return recorded == wanted or (wanted == "cuda" and recorded.startswith("cuda:"))


def autocast_dtype(dev: torch.device) -> torch.dtype | None:
    """bf16 autocast on CUDA, none (float32) on CPU."""
    return torch.bfloat16 if dev.type == "cuda" else None


def autocast(dev: torch.device) -> contextlib.AbstractContextManager[Any]:
    dtype = autocast_dtype(dev)
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=dev.type, dtype=dtype)


def synchronize(dev: torch.device) -> None:
    """Wait for queued device work, so a timer measures the work and not its launch."""
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def set_threads(threads: int) -> None:
    """Bound torch's intra-op threads (and inter-op ones, where still settable)."""
    torch.set_num_threads(max(1, threads))
    with contextlib.suppress(RuntimeError):  # only settable before the first parallel region
        torch.set_num_interop_threads(max(1, threads))


def torch_build() -> dict[str, Any]:
    """How this torch was built: what decides which kernels (and so which roundings) a run gets."""
    cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    return {
        "version": torch.__version__,
        "git": getattr(torch.version, "git_version", None),
        "cuda": torch.version.cuda,
        "cudnn": cudnn,
        "mkl": torch.backends.mkl.is_available(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "openmp": torch.backends.openmp.is_available(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }


def determinism() -> dict[str, Any]:
    """The settings that decide whether a rerun repeats the numbers bit for bit (seeds are the caller's)."""
    return {
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
        "deterministic_warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
        "cudnn_deterministic": bool(torch.backends.cudnn.deterministic),
        "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "intra_op_threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
    }


def environment(dev: torch.device, dtype: str) -> dict[str, Any]:
    """What every result records about where and how it ran."""
    return {
        "device": dev.type,
        "device_name": device_name(dev),
        "device_class": "cpu" if dev.type == "cpu" else f"cuda:{device_name(dev)}",
        "hardware_class": _hardware_class_of(dev),
        "cpu_model": cpu_model(),
        "dtype": dtype,
        "torch_version": torch.__version__,
        "torch_build": torch_build(),
        "determinism": determinism(),
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "code_version": code_version(),
    }


@contextlib.contextmanager
def peak_memory(dev: torch.device) -> Iterator[dict[str, Any]]:
    """Measure peak memory of the enclosed work into the yielded dict (``peak_memory_mb``, ``kind``).

    CUDA: the allocator's peak. CPU: the process's peak resident set, reset first through
    ``/proc/self/clear_refs`` where Linux allows it (otherwise the lifetime peak, which then includes
    earlier runs in the same process — ``kind`` says which).
    """
    out: dict[str, Any] = {}
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
        yield out
        out.update(peak_memory_mb=torch.cuda.max_memory_allocated(dev) / 2**20, peak_memory_kind="cuda_max_allocated")
        return
    kind = "process_peak_rss"
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        kind = "process_lifetime_peak_rss"
    yield out
    hwm = _vm_hwm_kb()
    if hwm is None:
        hwm, kind = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "process_lifetime_peak_rss"
    out.update(peak_memory_mb=hwm / 1024, peak_memory_kind=kind)


def _vm_hwm_kb() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None
