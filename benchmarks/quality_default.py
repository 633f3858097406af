"""The default quality comparison (the paper's 8 variants, 3 seeds): wall time against its matmul floor, loss
table, verdicts.

Runs exactly what ``POST /api/v1/comparisons {"kind": "quality"}`` runs, in this process (with its two
single-thread training processes), and prints Markdown: the loss table, then every pair's verdict (decided on
the Holm-adjusted p) with its 95% interval, the smallest detectable difference and the seeds that would settle
it. The targets: wall <= 2.0x the shape-aware matmul floor measured in the same run (``app.experiments.gemm_floor``:
every matmul of every run's training steps and evaluations at its real shape, on preallocated operands, with the
comparison's threads per process, timed in as many processes at once as the comparison trains in, spread over
them; timed before and after the comparison, the faster of the two counts; the floors timed in one process and
divided by the process count, and those on cache-hot operands, are printed beside it), with the seed-to-seed
spread clearly smaller than the spread between variants. Usage:
    .venv/bin/python benchmarks/quality_default.py [--device cpu] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.experiments import device as device_lib
from app.experiments.config import QualityConfig
from app.experiments.quality import run
from benchmarks._server import machine_description


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--json", help="also write the full result here")
    args = parser.parse_args()
    cfg = QualityConfig(device=args.device)
    on_cpu = device_lib.resolve(cfg.device).type == "cpu"  # the floor is a CPU measurement
    kinds = ("step", "warm", "step together", "warm together")
    floors: dict[str, list[dict[str, float]]] = {kind: [_floor(cfg, kind)] if on_cpu else [] for kind in kinds}
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    result = run(cfg)
    wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    if on_cpu:
        for kind in kinds:
            floors[kind].append(_floor(cfg, kind))
    env, ref, spread = result["environment"], result["corpus"]["reference"], result["spread"]
    build, det = env["torch_build"], env["determinism"]
    print(
        f"Machine: {machine_description()}; device {env['device_name']} ({env['hardware_class']}), {env['dtype']}, "
        f"torch {env['torch_version']} (CUDA {build['cuda']}, MKL {build['mkl']}, oneDNN {build['mkldnn']}, "
        f"{build['cpu_capability']}), {env['workers']} worker process(es) x {env['threads']} thread(s), "
        f"deterministic algorithms {det['deterministic_algorithms']}; code {env['code_version']}; "
        f"date {dt.date.today().isoformat()}"
    )
    print(f"Command: .venv/bin/python benchmarks/quality_default.py {' '.join(sys.argv[1:])}".rstrip())
    print(
        f"Config: {len(cfg.variants)} variants x {len(cfg.seeds)} seeds, {cfg.n_layers} layers, d_model {cfg.d_model}, "
        f"seq {cfg.seq_len}, batch {cfg.batch_size}, {cfg.steps} steps, lr {cfg.lr}; corpus {result['corpus']['name']}"
    )
    print(_wall_line(wall, floors["step together"]))
    if on_cpu:
        floor_cpu = min(f["cpu_seconds"] for f in floors["step"])
        print(
            f"CPU time of the comparison (this process and its training processes): {cpu:.1f} s; of its matmul floor "
            f"{floor_cpu:.1f} s; CPU / floor CPU = {cpu / floor_cpu:.2f}\n"
        )
        print("| Floor (lower of before / after counts) | before s | after s | floor s | wall / floor |")
        print("|---|---:|---:|---:|---:|")
        for kind in kinds:
            before, after = (f["seconds"] for f in floors[kind])
            low = min(before, after)
            print(f"| {FLOOR_NAMES[kind]} | {before:.1f} | {after:.1f} | {low:.1f} | {wall / low:.2f} |")
        print()
    batches = env.get("batches") or []
    print(f"Batches of runs trained together (sizes): {batches}")
    print("Reference lines (nats/token): " + ", ".join(f"{k.replace('_loss', '')} {v:.4f}" for k, v in ref.items()))
    print()
    print("| Variant | d_ff | model params | final val loss (mean ± std) | perplexity | seeds | tokens/s/process |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for v in sorted(result["variants"], key=lambda v: v["final_val_loss"]["mean"]):
        loss, ppl = v["final_val_loss"], v["perplexity"]
        print(
            f"| {v['variant']} | {v['d_ff']} | {v['model_params']:,} | {loss['mean']:.4f} ± {loss['std']:.4f} | "
            f"{ppl['mean']:.3f} ± {ppl['std']:.3f} | {', '.join(f'{x:.4f}' for x in loss['values'])} | "
            f"{v['tokens_per_second']['mean']:,.0f} |"
        )
    means = [v["final_val_loss"]["mean"] for v in result["variants"]]
    print(
        f"\nBetween-variant std of the means {spread['between_variants_std']:.4f}; "
        f"range {max(means) - min(means):.4f}; "
        f"mean seed-to-seed std {spread['mean_seed_std']:.4f}; ratio (std of means / seed std) {spread['ratio']:.1f}, "
        f"range / seed std {(max(means) - min(means)) / spread['mean_seed_std']:.1f}\n"
    )
    _verdicts(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result), encoding="utf-8")


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its children that have ended (the training pool)."""
    import resource

    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _wall_line(wall: float, floors: list[dict[str, float]]) -> str:
    if not floors:
        return f"\n**Wall time: {wall:.1f} s**\n"
    floor = min(floors, key=lambda f: f["seconds"])
    return (
        f"\n**Wall time: {wall:.1f} s; matmul floor (timed in all training processes at once) {floor['seconds']:.1f} s "
        f"(training {floor['training_seconds']:.1f} s, evaluation {floor['evaluation_seconds']:.1f} s; "
        f"before / after the run {floors[0]['seconds']:.1f} / {floors[-1]['seconds']:.1f} s); "
        f"wall / floor = {wall / floor['seconds']:.2f}** (target <= 2.0)\n"
    )


#: What each floor times (``app.experiments.gemm_floor``): every matmul of the comparison at its real shape,
#: spread over its training processes.
FLOOR_NAMES = {
    "step": "step floor: each matmul once on operands of its own, one process, divided by the processes",
    "warm": "warm floor: each matmul repeated on operands hot in cache, one process, divided by the processes",
    "step together": "**step floor timed in all the processes at once** (as the comparison runs)",
    "warm together": "warm floor timed in all the processes at once",
}


def _floor(cfg: QualityConfig, kind: str) -> dict[str, float]:
    """One of :data:`FLOOR_NAMES`' floors, with the threads of one training process."""
    import torch

    from app.experiments import corpus as corpus_lib
    from app.experiments.gemm_floor import comparison_floor, concurrent_comparison_floor

    vocab = corpus_lib.build_corpus(cfg.corpus, cfg.seq_len).vocab_size
    processes = max(1, min(cfg.pool_processes, cfg.n_runs))
    warm = kind.startswith("warm")
    if kind.endswith("together"):
        return concurrent_comparison_floor(cfg, vocab, processes, warm=warm)
    threads = torch.get_num_threads()
    torch.set_num_threads(cfg.threads)
    try:
        return comparison_floor(cfg, vocab, processes, warm=warm)
    finally:
        torch.set_num_threads(threads)


def _verdicts(result: dict[str, Any]) -> None:
    """The verdict table: decided on the Holm-adjusted p, with each difference's interval and what the run
    could have detected."""
    rule, rerun = result["verdict_rule"], result["rerun"]
    print(
        f"Pairwise Welch t-tests, decided on the Holm-adjusted p over {rule['pairs_tested']} pairs "
        f"(α = {rule['alpha']}, {rule['seeds']} seeds). Δ = a − b (negative: a has the lower loss), "
        "95% Welch interval; MDE = the smallest |Δ| found with 80% power (α alone / α/m as Holm may need); "
        "seeds = per variant for 80% power at α/m if the true Δ is the observed one.\n"
    )
    print("| Pair | Verdict | Δ [95% CI] | raw p | MDE α / α/m | seeds |")
    print("|---|---|---:|---:|---:|---:|")
    for p in result["pairs"]:
        if p["p_holm"] is None:
            print(f"| {p['a']} vs {p['b']} | {p['verdict']} | {p['mean_diff']:+.4f} | – | – | – |")
            continue
        low, high = p["mean_diff_ci95"]
        seeds = (
            "–"
            if p["significant"]
            else (f"> {rerun['seed_cap']}" if p["suggested_seeds"] is None else p["suggested_seeds"])
        )
        print(
            f"| {p['a']} vs {p['b']} | {p['verdict']} | {p['mean_diff']:+.4f} [{low:+.4f}, {high:+.4f}] | "
            f"{p['p']:.2g} | {p['mde_80']:.4f} / {p['mde_80_holm']:.4f} | {seeds} |"
        )
    significant = sum(p["significant"] for p in result["pairs"])
    print(
        f"\n{significant} of {rule['pairs_tested']} pairs differ after Holm; {rerun['undecided_pairs']} undecided, "
        f"{rerun['settled_within_cap']} of them settled within {rerun['seed_cap']} seeds "
        f"({rerun['label'] or 'no rerun within the cap'}), {rerun['beyond_cap']} need more."
    )


if __name__ == "__main__":
    main()
