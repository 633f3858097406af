"""Forward+backward time of each FFN variant and its ratio to the matmul-only floor.

Runs the same speed comparison a ``kind: "speed"`` job runs (app/experiments/speed.py) and prints a
Markdown table. Usage:
    .venv/bin/python benchmarks/ffn_speed.py [--device cpu] [--tokens 2048] [--d-model 256] [--compile on]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app import ffn
from app.experiments.config import SpeedConfig
from app.experiments.speed import run
from benchmarks._server import machine_description


def table(result: dict) -> str:
    lines = [
        "| Variant | d_ff | fwd+bwd GFLOP | eager ms | GFLOP/s | floor ms | eager / floor | compiled ms "
        "| compiled / floor | compile s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for v in result["variants"]:
        if v["compiled_ms"] is not None:
            compiled = f"{v['compiled_ms']:.2f} | {v['compiled_ratio_to_floor']:.2f} | {v['compile_seconds']:.1f}"
        else:
            compiled = f"– | – | {v['compile_error']}"
        lines.append(
            f"| {v['variant']} | {v['d_ff']} | {v['fwd_bwd_flops'] / 1e9:.2f} | {v['eager_ms']:.2f} | "
            f"{v['eager_tflops'] * 1e3:.1f} | {v['floor_ms']:.2f} | {v['ratio_to_floor']:.2f} | {compiled} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--tokens", type=int, default=2048)
    parser.add_argument("--d-model", type=int, default=256)
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--compile", choices=["on", "off", "auto"], default="auto")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--variants", nargs="+", default=list(ffn.VARIANTS), help="default: all ten")
    parser.add_argument("--json", help="also write the full result here")
    args = parser.parse_args()
    cfg = SpeedConfig(
        variants=tuple(args.variants),
        tokens=args.tokens,
        d_model=args.d_model,
        dtype=args.dtype,
        device=args.device,
        compile={"on": True, "off": False, "auto": "auto"}[args.compile],
        threads=args.threads,
        repeats=args.repeats,
        iters=args.iters,
    )
    result = run(cfg)
    env = result["environment"]
    print(
        f"Machine: {machine_description()}; device {env['device_name']} ({env['device_class']}), {env['dtype']}, "
        f"torch {env['torch_version']}, {env['threads']} thread(s); date {dt.date.today().isoformat()}"
    )
    print(f"Command: .venv/bin/python benchmarks/ffn_speed.py {' '.join(sys.argv[1:])}".rstrip())
    print(
        f"Shape: {cfg.tokens} tokens x d_model {cfg.d_model}, dense d_ff {cfg.dense_d_ff}, gated d_ff "
        f"{ffn.hidden_size('GEGLU', cfg.d_model, cfg.dense_d_ff, multiple_of=cfg.multiple_of)} (matched); "
        f"median of {cfg.repeats} samples x {cfg.iters} steps after {cfg.warmup} warm-up steps\n"
    )
    print(table(result))
    print(f"\nwall {result['wall_seconds']:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
