"""The one rule for when a difference between two published runs means anything, with its one wording.

Two independent runs with run-to-run spreads s_a and s_b differ by a spread of √(s_a² + s_b²); a
difference that does not exceed it is within noise. Where the paper gives one inter-run stddev s for a
metric (Raffel et al.'s, for Tables 2–4) both runs share it: √2 · s. Where nothing is published the
answer says so in the same words everywhere.
"""

from __future__ import annotations

from decimal import Decimal

NO_SPREAD = "no spread reported"
WITHIN_NOISE = "within noise"
EXCEEDS_SPREAD = "exceeds spread"


def combined_spread(stddev_a: Decimal, stddev_b: Decimal) -> Decimal:
    """The spread of a − b for two independent runs."""
    return (stddev_a * stddev_a + stddev_b * stddev_b).sqrt()


def noise_reading(difference: Decimal, spread: Decimal | None) -> str:
    """NO_SPREAD, EXCEEDS_SPREAD or WITHIN_NOISE for a difference against the spread it has to exceed."""
    if spread is None:
        return NO_SPREAD
    return EXCEEDS_SPREAD if abs(difference) > spread else WITHIN_NOISE
