"""Experiments the service runs as background jobs: FFN quality and speed comparisons.

``run(config, report)`` is the one entry point the job layer calls, whichever worker runs it:
``config`` is a JSON-like dict with ``kind`` "quality" or "speed" (or an already-built config), and
``report`` receives progress events; raising from it (e.g. :class:`Cancelled`) stops the work within
one training step or timing sample.
"""

from __future__ import annotations

from typing import Any

from app.experiments.quality import Cancelled, QualityConfig, Report
from app.experiments.speed import SpeedConfig

KINDS = ("quality", "speed")


def parse_config(config: dict[str, Any] | QualityConfig | SpeedConfig) -> QualityConfig | SpeedConfig:
    """Build the typed config for a JSON-like one; ValueError/KeyError/TypeError name the bad field."""
    if isinstance(config, (QualityConfig, SpeedConfig)):
        return config
    kind = config.get("kind")
    if kind == "quality":
        return QualityConfig.from_dict(config)
    if kind == "speed":
        return SpeedConfig.from_dict(config)
    raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")


def run(config: dict[str, Any] | QualityConfig | SpeedConfig, report: Report | None = None) -> dict[str, Any]:
    """Run a comparison and return its JSON-ready result (see quality.run and speed.run)."""
    cfg = parse_config(config)
    if isinstance(cfg, QualityConfig):
        from app.experiments import quality

        return quality.run(cfg, report)
    from app.experiments import speed

    return speed.run(cfg, report)


__all__ = ["KINDS", "Cancelled", "QualityConfig", "Report", "SpeedConfig", "parse_config", "run"]
