"""What a comparison will cost before it runs: seconds (training, evaluation, corpus build, compilation,
start-up) and peak memory, on a device class. Admission refuses a config over
``compare_max_expected_seconds`` or ``compare_max_peak_memory_bytes`` with this breakdown; the worker
records it next to what the attempt measured.

Why every phase: counting training alone let configs in whose evaluation (small batches, long
sequences, many evaluation points) or corpus build (a vocabulary of 256 is a 256³ transition tensor)
cost a hundred times the training, and configs whose activations did not fit in memory.

Calibration (this 2-core CPU, shared; one torch thread per process; medians of 20 steps, see
benchmarks/RESULTS.md "Cost model"): a training step of the tiny LM ran at 35–56 GFLOP/s per process
(fwd+bwd = 3x forward matmul FLOPs) plus ~0.6 ms + 0.9 ms per layer of framework overhead; an
evaluation batch at the same rate (forward only) plus ~0.1 ms + 0.15 ms per layer; the synthetic
corpus's transition tensor ~160 ns per entry (Dirichlet draws and reference entropies), each power
iteration ~0.55 ns per entry, sampling ~130 ns + 2.7 ns x vocab per token; one process with torch
imported held ~375 MB resident. The FLOP rates themselves are the ``compare_*_flops_per_second``
settings (the defaults were measured on the reference machines). End to end (the same machine, shared,
2026-12-01) measured / estimated seconds were 0.87–1.15 for start-up- and evaluation-bound configs,
1.7–1.9 for training-bound ones (the default CPU FLOP rate is optimistic under load: ~4e10 was reached,
not 8e10) and 0.22 for a vocabulary-256 corpus that mixed fast (priced at its worst case).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field

from app.config import Settings
from app.experiments.config import Config, QualityConfig, SpeedConfig, SyntheticSpec, TextCorpus

#: The vocabulary a text corpus is costed at when its characters are not at hand (bytes at most).
TEXT_VOCAB_BOUND = 256
#: The most power iterations the synthetic corpus runs before it gives up (kept equal to
#: ``corpus.STATIONARY_MAX_ITER``, which imports torch, by a test).
STATIONARY_MAX_ITER = 5_000

# --- measured constants (see the module docstring) ---------------------------------------------------
STEP_OVERHEAD_SECONDS = 0.0006
STEP_OVERHEAD_PER_LAYER_SECONDS = 0.0009
EVAL_BATCH_OVERHEAD_SECONDS = 0.0001
EVAL_BATCH_OVERHEAD_PER_LAYER_SECONDS = 0.00015
TABLE_SECONDS_PER_ENTRY = 160e-9
ITERATION_SECONDS_PER_ENTRY = 0.55e-9
SAMPLE_SECONDS_PER_TOKEN = 130e-9
SAMPLE_SECONDS_PER_TOKEN_PER_VOCAB = 2.7e-9
TEXT_SECONDS_PER_CHARACTER = 200e-9
#: Starting the training pool's processes (each imports torch, all at once on the shared cores): measured
#: 3–5 s here on top of the job process's own start-up (``compare_startup_seconds``).
POOL_START_SECONDS = 4.0
#: Resident memory of one Python process with torch imported (measured ~375 MB, rounded up).
PROCESS_BYTES = 400 * 2**20
#: Copies of the synthetic transition tensor alive at once while the corpus is built (float64 each):
#: the draws, the floored and normalised copies, the cumulative table, entropy temporaries.
TABLE_COPIES = 4
#: Backward passes hold transient gradients about as large as the saved activations.
BACKWARD_FACTOR = 2
#: Runs trained together as one batched computation hold at most this much training memory between them
#: (a run that needs more trains alone, as every run did before batching).
BATCH_TRAINING_BYTES = 512 * 2**20

DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}


@dataclass(frozen=True)
class Estimate:
    flops: float
    seconds: float
    training_seconds: float = 0.0
    evaluation_seconds: float = 0.0
    corpus_seconds: float = 0.0
    compile_seconds: float = 0.0
    startup_seconds: float = 0.0
    peak_memory_bytes: int = 0
    memory: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def estimate(cfg: Config, device_class: str, settings: Settings, text_corpus: bool = False) -> Estimate:
    """Seconds (by phase) and peak memory of ``cfg`` on ``device_class`` ("cpu" or a CUDA class)."""
    if isinstance(cfg, QualityConfig):
        return _quality(cfg, device_class, settings, text_corpus)
    return _speed(cfg, device_class, settings)


# --- quality ------------------------------------------------------------------------------------------


def _vocab(cfg: QualityConfig, text_corpus: bool) -> int:
    corpus = cfg.corpus
    if isinstance(corpus, TextCorpus):
        return len(set(corpus.text)) if corpus.text else TEXT_VOCAB_BOUND
    return TEXT_VOCAB_BOUND if text_corpus else corpus.vocab_size


def validation_windows(cfg: QualityConfig) -> int:
    """How many validation windows the corpus can give (``corpus.eval_windows`` tiles at most this many)."""
    corpus = cfg.corpus
    if isinstance(corpus, TextCorpus):
        val = int(len(corpus.text) * corpus.val_fraction) if corpus.text else 10**9
        return max(1, val // (cfg.seq_len + 1))
    return max(1, corpus.val_streams * (corpus.stream_len // (cfg.seq_len + 1)))


def evaluations_per_run(cfg: QualityConfig) -> int:
    """Curve evaluations of one run: step 0, every ``eval_interval`` steps and the last step."""
    return 1 + cfg.steps // cfg.eval_interval + (1 if cfg.steps % cfg.eval_interval else 0)


def corpus_seconds(corpus: SyntheticSpec | TextCorpus) -> float:
    """The corpus build, at the worst case of the power iteration (``STATIONARY_MAX_ITER`` steps)."""
    if isinstance(corpus, TextCorpus):
        return len(corpus.text) * TEXT_SECONDS_PER_CHARACTER
    entries = corpus.vocab_size**3
    tokens = (corpus.train_streams + corpus.val_streams) * corpus.stream_len
    return entries * (TABLE_SECONDS_PER_ENTRY + STATIONARY_MAX_ITER * ITERATION_SECONDS_PER_ENTRY) + tokens * (
        SAMPLE_SECONDS_PER_TOKEN + SAMPLE_SECONDS_PER_TOKEN_PER_VOCAB * corpus.vocab_size
    )


def corpus_bytes(corpus: SyntheticSpec | TextCorpus) -> tuple[int, int]:
    """(peak bytes while building, bytes of the token arrays kept) of the corpus."""
    if isinstance(corpus, TextCorpus):
        tokens = len(corpus.text)
        return 4 * 8 * tokens + 4 * len(corpus.text.encode("utf-8")), 8 * tokens
    tokens = (corpus.train_streams + corpus.val_streams) * corpus.stream_len
    return TABLE_COPIES * 8 * corpus.vocab_size**3 + 3 * 8 * tokens, 2 * 8 * tokens


def _training_bytes(cfg: QualityConfig, variant: str, vocab: int) -> int:
    """Weights, gradients and AdamW's two moments (float32), plus one batch's activations for backward."""
    from app import ffn as ffn_lib

    lm = cfg.lm_config(variant, vocab)
    d, t = cfg.d_model, cfg.seq_len
    d_ff = ffn_lib.hidden_size(variant, d, cfg.dense_d_ff, cfg.matched, cfg.multiple_of)
    ffn_params = ffn_lib.param_count(variant, d, cfg.dense_d_ff, cfg.matched, cfg.multiple_of)
    params = vocab * d + t * d + cfg.n_layers * (4 * d * d + ffn_params + 2 * d) + d
    ffn_saved = (3 if ffn_lib.n_matrices(variant) == 3 else 2) * d_ff
    per_token = cfg.n_layers * (10 * d + ffn_saved + 3 * cfg.n_heads * t) + 3 * lm.vocab_size
    activations = BACKWARD_FACTOR * 4 * per_token * cfg.batch_size * t
    eval_windows = min(cfg.final_eval_windows, validation_windows(cfg))
    return 16 * params + activations + 2 * 8 * eval_windows * t


def runs_per_batch(cfg: QualityConfig, vocab: int) -> int:
    """How many runs one batched computation trains at once: as many as ``BATCH_TRAINING_BYTES`` holds."""
    per_run = max(_training_bytes(cfg, v, vocab) for v in cfg.variants)
    return max(1, min(cfg.n_runs, BATCH_TRAINING_BYTES // per_run))


def batch_plan(
    cfg: QualityConfig, tasks: list[tuple[str, int]], processes: int, vocab: int
) -> list[list[tuple[str, int]]]:
    """The batches the runs train in: ``tasks`` put in variant order and cut into ``processes`` contiguous
    shares of equal arithmetic, each share cut into batches of at most :func:`runs_per_batch` runs.

    Contiguous, not dealt round-robin: a batch then holds whole variants (the default comparison: 4 variants
    x 3 seeds per process), so each layer has one FFN group per variant in the batch, not one per variant of
    the comparison — half the small matmuls, activation passes and pieces to put together, measured ~10%
    faster per step on a CPU for the same arithmetic. Variants are taken dense and gated in turn, so that
    both kinds end up in every share: at equal arithmetic a gated run's three narrower matmuls and extra
    element-wise pass take ~9% longer than a dense run's two, and a share of gated runs only would finish last."""
    from app.experiments.tiny_lm import forward_flops_per_token

    size = runs_per_batch(cfg, vocab)
    rank = {v: i for i, v in enumerate(_alternating_shapes(list(dict.fromkeys(v for v, _ in tasks))))}
    ordered = sorted(tasks, key=lambda t: (rank[t[0]], t[1]))
    flops = {v: forward_flops_per_token(cfg.lm_config(v, vocab)) for v in rank}
    total = sum(flops[v] for v, _ in ordered)
    shares: list[list[tuple[str, int]]] = [[] for _ in range(max(1, processes))]
    done = 0
    for task in ordered:  # a run goes to the share its arithmetic's midpoint falls in
        index = min(len(shares) - 1, int((done + flops[task[0]] / 2) * len(shares) // total))
        shares[index].append(task)
        done += flops[task[0]]
    batches = []
    for share in shares:
        batches += [share[i : i + size] for i in range(0, len(share), size)]
    return [b for b in batches if b]


def _alternating_shapes(variants: list[str]) -> list[str]:
    """``variants`` reordered dense, gated, dense, gated, ... (each kind in its given order)."""
    from app import ffn as ffn_lib

    dense = [v for v in variants if not ffn_lib.get_variant(v).gated]
    gated = [v for v in variants if ffn_lib.get_variant(v).gated]
    pairs = itertools.zip_longest(dense, gated)
    return [v for pair in pairs for v in pair if v is not None]


def _quality(cfg: QualityConfig, device_class: str, settings: Settings, text_corpus: bool) -> Estimate:
    from app.experiments.tiny_lm import forward_flops_per_token

    vocab = _vocab(cfg, text_corpus)
    cpu = device_class == "cpu"
    processes = max(1, min(cfg.pool_processes, cfg.n_runs)) if cpu else 1
    windows = validation_windows(cfg)
    curve, final = min(cfg.eval_windows, windows), min(cfg.final_eval_windows, windows)
    evals = evaluations_per_run(cfg)
    eval_tokens = (evals * curve + final) * cfg.seq_len
    eval_batches = evals * math.ceil(curve / cfg.batch_size) + math.ceil(final / cfg.batch_size)
    seeds = len(cfg.seeds)
    per_token = sum(forward_flops_per_token(cfg.lm_config(v, vocab)) for v in cfg.variants) * seeds
    train_flops = 3.0 * per_token * cfg.steps * cfg.batch_size * cfg.seq_len
    eval_flops = float(per_token * eval_tokens)
    # batched runs: the per-step and per-evaluation-batch overheads are paid once per batch, not per run
    tasks = [(v, s) for s in cfg.seeds for v in cfg.variants]
    n_batches = len(batch_plan(cfg, tasks, processes, vocab))
    steps, batches = n_batches * cfg.steps, n_batches * eval_batches
    if cpu:
        # The setting is the worker's throughput with all its processes; fewer processes get their share.
        rate = settings.compare_cpu_flops_per_second * min(1.0, processes / settings.worker_processes)
        step_overhead = STEP_OVERHEAD_SECONDS + STEP_OVERHEAD_PER_LAYER_SECONDS * cfg.n_layers
        batch_overhead = EVAL_BATCH_OVERHEAD_SECONDS + EVAL_BATCH_OVERHEAD_PER_LAYER_SECONDS * cfg.n_layers
        training = train_flops / rate + steps * step_overhead / processes
        evaluation = eval_flops / rate + batches * batch_overhead / processes
    else:  # a GPU at these sizes is bound by kernel launches: a floor per step (a third for forward only)
        rate = settings.compare_cuda_flops_per_second
        training = max(train_flops / rate, steps * settings.compare_seconds_per_step_floor)
        evaluation = max(eval_flops / rate, batches * settings.compare_seconds_per_step_floor / 3)
    build = corpus_seconds(cfg.corpus)
    build_peak, tokens_kept = corpus_bytes(cfg.corpus)
    training_peak = runs_per_batch(cfg, vocab) * max(_training_bytes(cfg, v, vocab) for v in cfg.variants)
    memory = {"job_process": PROCESS_BYTES + max(build_peak, tokens_kept + (training_peak if processes == 1 else 0))}
    if processes > 1:  # each pool process holds the corpus's tokens and trains one batch of runs at a time
        memory["training_processes"] = processes * (PROCESS_BYTES + tokens_kept + training_peak)
    startup = settings.compare_startup_seconds + (POOL_START_SECONDS if processes > 1 else 0.0)
    total = training + evaluation + build + startup
    return Estimate(
        flops=train_flops + eval_flops,
        seconds=total,
        training_seconds=training,
        evaluation_seconds=evaluation,
        corpus_seconds=build,
        startup_seconds=startup,
        peak_memory_bytes=sum(memory.values()),
        memory=memory,
    )


# --- speed --------------------------------------------------------------------------------------------


def _speed_bytes(cfg: SpeedConfig, variant: str, dtype_bytes: int, compiled: bool) -> int:
    """The variant's weights and gradients, the floor's own weights, the input, its gradient and the output
    gradient, and the saved hidden activations (twice over when a compiled copy runs beside the eager one)."""
    from app import ffn as ffn_lib

    d_ff = ffn_lib.hidden_size(variant, cfg.d_model, cfg.dense_d_ff, cfg.matched, cfg.multiple_of)
    matrices = ffn_lib.n_matrices(variant)
    weights = 3 * matrices * cfg.d_model * d_ff  # weights, gradients, the floor's matrices
    io = 3 * cfg.tokens * cfg.d_model
    hidden = BACKWARD_FACTOR * (2 * matrices) * cfg.tokens * d_ff * (2 if compiled else 1)
    return dtype_bytes * (weights + io + hidden)


def _speed(cfg: SpeedConfig, device_class: str, settings: Settings) -> Estimate:
    cpu = device_class == "cpu"
    with_compile = cfg.compile is True or (cfg.compile == "auto" and not cpu)
    flops = cfg.total_flops(with_compile)
    steps = len(cfg.variants) * (3 if with_compile else 2) * cfg.timed_steps()
    rate = settings.compare_cpu_flops_per_second if cpu else settings.compare_cuda_flops_per_second
    timing = max(flops / rate, steps * settings.compare_seconds_per_step_floor)
    compile_seconds = settings.compare_compile_seconds * len(cfg.variants) if with_compile else 0.0
    dtype = cfg.dtype if cfg.dtype != "auto" else ("float32" if cpu else "bfloat16")
    device_bytes = max(_speed_bytes(cfg, v, DTYPE_BYTES[dtype], with_compile) for v in cfg.variants)
    # The inputs are drawn in float32 on the CPU before they move to the device.
    host_bytes = PROCESS_BYTES + 2 * 4 * cfg.tokens * cfg.d_model + (device_bytes if cpu else 0)
    memory = {"job_process": host_bytes, **({} if cpu else {"device": device_bytes})}
    startup = settings.compare_startup_seconds
    return Estimate(
        flops=flops,
        seconds=timing + compile_seconds + startup,
        training_seconds=timing,
        compile_seconds=compile_seconds,
        startup_seconds=startup,
        peak_memory_bytes=max(memory.values()) if not cpu else host_bytes,
        memory=memory,
    )
