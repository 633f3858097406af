"""Low-precision dtypes: two functions compared inside a 16-bit dtype on every representable input, and
the resolution of a dtype at a value."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from app.activations.errors import ActivationInputError
from app.activations.functions import DTYPES
from app.activations.registry import get

_SIXTEEN_BIT = {"bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass(frozen=True)
class DtypeAgreement:
    """How often two functions, each computed by its framework op in a 16-bit dtype, give the same
    result, over every representable input in [xmin, xmax] (so an approximation whose error is below
    the dtype's resolution shows up as identical outputs). ``within_one_ulp`` counts the inputs whose
    two outputs are equal or adjacent representable numbers."""

    function: str
    reference: str
    dtype: str
    xmin: float
    xmax: float
    inputs: int
    identical: int
    within_one_ulp: int
    max_abs_difference: float
    argmax_abs_difference: float | None

    @property
    def identical_fraction(self) -> float:
        return self.identical / self.inputs if self.inputs else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "identical_fraction": self.identical_fraction}


def _ordered_bits(values: torch.Tensor) -> npt.NDArray[np.int64]:
    """Integers in the order of the 16-bit floats they encode (adjacent floats differ by 1)."""
    bits = values.view(torch.int16).numpy().astype(np.int64)
    return np.where(bits < 0, -(bits & 0x7FFF), bits)


@functools.cache
def compare_in_dtype(function: str, reference: str, dtype: str, xmin: float, xmax: float) -> DtypeAgreement:
    """Compare two scalar activations' framework ops on every ``dtype`` value in [xmin, xmax]."""
    f, g = get(function, family="scalar"), get(reference, family="scalar")
    if dtype not in _SIXTEEN_BIT:
        raise ActivationInputError("dtype", f"must be one of {', '.join(_SIXTEEN_BIT)}, got '{dtype}'")
    every = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(_SIXTEEN_BIT[dtype])
    wide = every.to(torch.float64)
    x = every[torch.isfinite(wide) & (wide >= xmin) & (wide <= xmax)]
    x = x[torch.argsort(x.to(torch.float64))]
    with torch.no_grad():
        fy = f.implementation(dtype)(x, 1.0)
        gy = g.implementation(dtype)(x, 1.0)
    same = (fy == gy) | (torch.isnan(fy) & torch.isnan(gy))
    ulps = np.abs(_ordered_bits(fy) - _ordered_bits(gy))
    diff = (fy.to(torch.float64) - gy.to(torch.float64)).abs().numpy()
    i = int(np.argmax(diff)) if diff.size else 0
    return DtypeAgreement(
        function=f.id,
        reference=g.id,
        dtype=dtype,
        xmin=xmin,
        xmax=xmax,
        inputs=int(x.numel()),
        identical=int(same.sum()),
        within_one_ulp=int(np.count_nonzero(same.numpy() | (ulps <= 1))),
        max_abs_difference=float(diff[i]) if diff.size else 0.0,
        argmax_abs_difference=float(x[i].to(torch.float64)) if diff.size else None,
    )


def spacing(value: float, dtype: str) -> float:
    """The gap between ``value`` (rounded to dtype) and the next representable number above it in
    magnitude: the resolution of the dtype at that value (half of it is the worst rounding error)."""
    t = torch.tensor([abs(value)], dtype=DTYPES[dtype])
    up = torch.nextafter(t, torch.tensor([math.inf], dtype=DTYPES[dtype]))
    return float((up.to(torch.float64) - t.to(torch.float64))[0])
