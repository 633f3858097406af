"""Two functions set against each other at a point: "gelu(2) minus silu(2)", "difference between gelu and
silu at x=2", "how far from silu(2)?" after gelu(2). The values alone do not answer it; their difference does,
computed as a registered subtraction of the two computed values.

Why a module of its own: an approximation's error against its exact form is computed with its pair already
(app.answers.approximation_errors); this is the same subtraction for any two functions the question names,
and it must stay out of the way when the pair is an approximation and its exact form.
"""

from __future__ import annotations

import re

from app.answers.approximation_errors import SIDE_ASKED, _pointwise_errors
from app.answers.builder import Builder

#: Two functions' values set against each other at a point: their difference is asked, not only the values.
APART = re.compile(r"\bdiffer\w*|\bminus\b|\bgap\b|\bhow (?:far|much)\b|\bdistance\b|\bapart\b|\bsubtract\w*|"
                   r"\)\s*[-−]\s*[a-z]")


def pair_apart(text: str, functions: list[str], error_pairs: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The two functions whose difference at the points asked is wanted, unless it is an approximation's error
    (computed with its pair already)."""
    if len(functions) != 2 or not APART.search(text):
        return None
    pair = (functions[0], functions[1])
    return None if pair in error_pairs or pair[::-1] in error_pairs else pair


def compose(b: Builder, text: str, functions: list[str], error_pairs: list[tuple[str, str]], xs: list[float],
            order: int, direct: list[str]) -> None:
    """The first function minus the second at each point asked (of f′ when a slope is asked), first."""
    pair = pair_apart(text, functions, error_pairs)
    if pair is not None and xs:
        _pointwise_errors(b, [pair], xs[:3], direct, first=True, order=order, side=bool(SIDE_ASKED.search(text)))
