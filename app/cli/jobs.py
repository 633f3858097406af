"""``actlab compare`` and ``actlab worker``: comparisons from the terminal, and the job workers.

``actlab compare`` runs the same ``app.experiments.comparison.run`` as a job, in this process, with a progress
bar on stderr, and prints the tables (or writes the full result as JSON with ``--json``).
``actlab worker`` runs the embedded worker loop in the foreground (``--backend local``) or a Celery
worker (``--backend celery``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import typing
from pathlib import Path
from typing import Any, Literal, TextIO

from app.cli.common import CliError, load_settings


class ProgressBar:
    """A one-line progress bar with ETA, redrawn at most 10 times a second."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr  # looked up now, not at import
        self.width = width
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.label = ""

    def __call__(self, event: dict[str, Any]) -> None:
        if event["type"] == "run_done":
            self.label = f"{event['variant']} seed {event['seed']}: val {event['final_val_loss']:.4f}"
        if event["type"] != "step":
            return
        now = time.monotonic()
        done, total = event["done_steps"], event["total_steps"]
        if now - self.last_draw < 0.1 and done < total:
            return
        self.last_draw = now
        fraction = done / total if total else 1.0
        elapsed = now - self.started
        eta = f"{elapsed / fraction - elapsed:5.0f}s" if fraction > 0 else "    ?"
        filled = int(self.width * fraction)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {fraction:6.1%} {done}/{total} ETA {eta} {self.label[:50]:<50}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


#: Fields whose flags are spelled by hand: the positional kind, lists, the corpus, switches.
_HAND_MADE = {"kind", "variants", "seeds", "corpus", "matched", "compile"}
#: Other spellings kept for a flag.
_ALIASES = {"pool_processes": ["--workers"]}


def _flag_fields() -> dict[str, Any]:
    """Every field ``actlab compare`` may set, of either kind, with its schema field info."""
    from app.experiments import config

    fields: dict[str, Any] = {}
    for kind in config.KINDS:
        for name in config.settable_fields(kind):
            if name not in _HAND_MADE:
                fields.setdefault(name, config.SCHEMAS[kind].model_fields[name])
    return fields


def _flag_options(info: Any) -> dict[str, Any]:
    """argparse options for a field: a number type, or the choices of a Literal."""
    args = [a for a in typing.get_args(info.annotation) if a is not type(None)] or [info.annotation]
    if typing.get_origin(info.annotation) is Literal:
        return {"choices": list(typing.get_args(info.annotation))}
    return {"type": float if float in args else int}


def config_from_args(args: argparse.Namespace) -> dict[str, Any]:
    from app.experiments import config as schema

    config: dict[str, Any] = {"kind": args.kind, "matched": not args.unmatched}
    if args.variants:
        config["variants"] = [v for part in args.variants for v in part.split(",") if v]
    for name in schema.settable_fields(args.kind):
        value = getattr(args, name, None) if name not in _HAND_MADE else None
        if value is not None:
            config[name] = value
    if args.kind == "speed" and args.compile is not None:
        config["compile"] = {"on": True, "off": False, "auto": "auto"}[args.compile]
    if args.kind == "quality":
        if args.seeds is not None:
            config["seeds"] = int(args.seeds) if args.seeds.isdigit() else [int(s) for s in args.seeds.split(",")]
        if args.text is not None:
            config["corpus"] = {"kind": "text", "text": Path(args.text).read_text(encoding="utf-8")}
        elif args.corpus_seed is not None:
            config["corpus"] = {"kind": "synthetic", "seed": args.corpus_seed}
    return config


def print_quality(result: dict[str, Any], out: TextIO) -> None:
    ref = result["corpus"]["reference"]
    out.write(f"corpus {result['corpus']['name']}: " + ", ".join(f"{k} {v:.4f}" for k, v in ref.items()) + "\n")
    out.write(f"{'variant':<12} {'d_ff':>5} {'params':>9} {'final val loss':>18} {'perplexity':>16} {'tok/s':>8}\n")
    for v in result["variants"]:
        loss, ppl = v["final_val_loss"], v["perplexity"]
        out.write(
            f"{v['variant']:<12} {v['d_ff']:>5} {v['model_params']:>9,} {loss['mean']:>9.4f} ± {loss['std']:.4f}"
            f" {ppl['mean']:>8.3f} ± {ppl['std']:.3f} {v['tokens_per_second']['mean']:>8.0f}\n"
        )
    spread = result["spread"]
    out.write(
        f"between-variant std {spread['between_variants_std']:.4f}, mean seed std {spread['mean_seed_std']:.4f}\n"
    )
    for pair in result["pairs"]:
        out.write(f"  {pair['a']} vs {pair['b']}: {pair['verdict']}\n")


def print_speed(result: dict[str, Any], out: TextIO) -> None:
    env = result["environment"]
    out.write(f"{env['device_name']} {env['dtype']} torch {env['torch_version']}\n")
    out.write(f"{'variant':<12} {'eager ms':>9} {'TFLOP/s':>8} {'floor ms':>9} {'x floor':>8} {'compiled ms':>12}\n")
    for v in result["variants"]:
        compiled = f"{v['compiled_ms']:>12.3f}" if v["compiled_ms"] is not None else f"  {v['compile_error']}"
        out.write(
            f"{v['variant']:<12} {v['eager_ms']:>9.3f} {v['eager_tflops']:>8.4f} {v['floor_ms']:>9.3f}"
            f" {v['ratio_to_floor']:>8.2f}{compiled}\n"
        )


def cmd_compare(args: argparse.Namespace) -> None:
    from app.experiments.comparison import run
    from app.experiments.config import parse_config

    config = config_from_args(args)
    try:
        cfg = parse_config(config)
    except (KeyError, ValueError, TypeError) as exc:
        raise CliError(str(exc)) from exc
    bar = ProgressBar()
    try:
        result = run(cfg, bar)
    finally:
        bar.close()
    if args.json:
        Path(args.json).write_text(json.dumps(result), encoding="utf-8")
        print(f"full result written to {args.json}")
    (print_quality if result["kind"] == "quality" else print_speed)(result, sys.stdout)


def cmd_worker(args: argparse.Namespace) -> None:
    settings = load_settings()
    if args.backend == "celery":
        from app.jobs.celery_app import run_worker

        run_worker(settings)
        return
    import logging
    import threading

    from app.jobs.local import install_stop_handlers, prepare_process, serve_forever

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    prepare_process(settings)
    stop = threading.Event()
    install_stop_handlers(stop)  # Ctrl-C / SIGTERM: finish or hand back the running job, then exit
    serve_forever(settings, stop, once=args.once)


def register_commands(sub: Any) -> None:
    """Add ``compare`` and ``worker`` to the ``actlab`` parser."""
    compare = sub.add_parser("compare", help="run an FFN comparison here, with a progress bar")
    compare.add_argument("kind", choices=["quality", "speed"], nargs="?", default="quality")
    compare.add_argument("--variants", nargs="+", help="variant names (default: the paper's eight)")
    compare.add_argument("--unmatched", action="store_true", help="give gated variants the full d_ff (1.5x params)")
    for name, info in _flag_fields().items():
        flags = [f"--{name.replace('_', '-')}", *_ALIASES.get(name, [])]
        compare.add_argument(*flags, dest=name, help=info.description, **_flag_options(info))
    compare.add_argument("--corpus-seed", dest="corpus_seed", type=int, help="seed of the synthetic corpus")
    compare.add_argument("--compile", choices=["on", "off", "auto"])
    compare.add_argument("--seeds", help="a count (3) or a list (0,1,2)")
    compare.add_argument(
        "--text", help="train on this UTF-8 text file (character-level) instead of the synthetic corpus"
    )
    compare.add_argument("--json", help="write the full result to this file")
    compare.set_defaults(func=cmd_compare)

    worker = sub.add_parser("worker", help="run a comparison worker (embedded loop, or Celery)")
    worker.add_argument("--backend", choices=["local", "celery"], default="local")
    worker.add_argument("--once", action="store_true", help="local: stop when the queue is empty")
    worker.set_defaults(func=cmd_worker)


def start_embedded_worker(settings: Any) -> None:
    """``actlab serve`` hook: the worker process beside the API."""
    from app.jobs.local import start_embedded

    start_embedded(settings)
