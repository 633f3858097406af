"""The one entry point the job layer calls, whichever worker runs the job.

``config`` is a JSON-like dict with ``kind`` "quality" or "speed" (or an already-built config), and
``report`` receives progress events; raising from it (e.g. :class:`~app.experiments.types.Cancelled`)
stops the work within one training step or timing sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.experiments.config import Config, QualityConfig, parse_config
from app.experiments.types import Report


def run(config: Mapping[str, Any] | Config, report: Report | None = None) -> dict[str, Any]:
    """Run a comparison and return its JSON-ready result (see quality.run and speed.run)."""
    cfg = parse_config(config)
    if isinstance(cfg, QualityConfig):
        from app.experiments import quality

        return quality.run(cfg, report)
    from app.experiments import speed

    return speed.run(cfg, report)
