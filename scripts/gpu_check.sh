#!/usr/bin/env bash
# FFN comparisons on a GPU machine, in well under 5 minutes: the CUDA checks, the speed
# benchmark (bf16, eager and torch.compile) and the default quality comparison on CUDA, then a summary
# table. Needs a Python with a CUDA build of torch plus numpy and scipy (the project's .venv if it has
# CUDA, else python3). Full results go to $RESULTS_DIR (default var/gpu_check).
# Usage: scripts/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ] && .venv/bin/python -c 'import torch, sys; sys.exit(not torch.cuda.is_available())' 2>/dev/null; then
    PY=.venv/bin/python
  else
    PY=python3
  fi
fi
OUT_DIR="${RESULTS_DIR:-var/gpu_check}"
mkdir -p "$OUT_DIR"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
start=$(date +%s)
"$PY" -c 'import torch; assert torch.cuda.is_available(), "no CUDA device"; print("GPU:", torch.cuda.get_device_name(), "torch", torch.__version__)'

echo "== CUDA checks"
"$PY" -m pytest --noconftest -q -p no:cacheprovider tests/gpu_checks.py 2>&1 | tee "$OUT_DIR/cuda_checks.txt"
t_tests=$(date +%s)

echo "== FFN speed (CUDA, bf16, 16384 tokens x d_model 1024, eager + torch.compile)"
"$PY" benchmarks/ffn_speed.py --device cuda --tokens 16384 --d-model 1024 --compile on --repeats 5 --iters 10 \
  --json "$OUT_DIR/speed.json" | tee "$OUT_DIR/speed.md"
t_speed=$(date +%s)

echo "== Default quality comparison on CUDA"
"$PY" benchmarks/quality_default.py --device cuda --json "$OUT_DIR/quality.json" | tee "$OUT_DIR/quality.md"
t_quality=$(date +%s)

"$PY" - "$OUT_DIR" <<'PYEOF'
import json, sys
out = sys.argv[1]
speed = json.load(open(f"{out}/speed.json"))
quality = json.load(open(f"{out}/quality.json"))
env = speed["environment"]
print(f"\n== Summary: {env['device_name']}, torch {env['torch_version']}, code {env['code_version']}")
print("| Variant | eager ms | x floor | compiled ms | compiled x floor | final val loss (mean ± std, 3 seeds) |")
print("|---|---:|---:|---:|---:|---:|")
losses = {v["variant"]: v["final_val_loss"] for v in quality["variants"]}
for v in speed["variants"]:
    loss = losses.get(v["variant"])
    compiled = (f"{v['compiled_ms']:.3f} | {v['compiled_ratio_to_floor']:.2f}" if v["compiled_ms"] is not None
                else f"– | {v['compile_error']}")
    shown = f"{loss['mean']:.4f} ± {loss['std']:.4f}" if loss else "–"
    print(f"| {v['variant']} | {v['eager_ms']:.3f} | {v['ratio_to_floor']:.2f} | {compiled} | {shown} |")
s = quality["spread"]
print(f"quality: {quality['wall_seconds']:.1f} s wall; between-variant std {s['between_variants_std']:.4f}, "
      f"mean seed std {s['mean_seed_std']:.4f}")
PYEOF
echo "times: checks $((t_tests - start)) s, speed $((t_speed - t_tests)) s, quality $((t_quality - t_speed)) s, total $((t_quality - start)) s"
