"""The types every experiment shares with its callers: the progress callback and how to stop a run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Progress callback: receives each event; raising (e.g. :class:`Cancelled`) stops the comparison
#: within one training step or timing sample.
Report = Callable[[dict[str, Any]], None]


class Cancelled(Exception):
    """Raised by a ``report`` callback to stop a comparison; ``run`` re-raises it after cleaning up."""
