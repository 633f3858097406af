"""Gate surfaces: a gate f(a)·b (clamped first for gpt-oss's gate, see ``Activation.gate``) on a 2-D grid
of its two inputs, in float64."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from app.activations.evaluation import frozen, grid
from app.activations.functions import FloatArray
from app.activations.registry import get


@dataclass(frozen=True)
class SurfaceSpec:
    gate: str
    amin: float = -4.0
    amax: float = 4.0
    bmin: float = -4.0
    bmax: float = 4.0
    points: int = 101
    beta: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Surface:
    """z[j, i] = f(a[i]) · b[j]: rows follow b, columns follow a (the layout of an image with b upward)."""

    spec: SurfaceSpec
    activation: str
    a: FloatArray
    b: FloatArray
    z: FloatArray

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.spec.to_dict(),
            "activation": self.activation,
            "a": self.a,
            "b": self.b,
            "z": self.z,
            "z_min": float(self.z.min()),
            "z_max": float(self.z.max()),
        }


def compute_surface(spec: SurfaceSpec) -> Surface:
    """The gate on a points × points grid, computed in float64 by its torch implementation."""
    entry = get(spec.gate, family="gate")
    a = torch.from_numpy(grid(spec.amin, spec.amax, spec.points))
    b = torch.from_numpy(grid(spec.bmin, spec.bmax, spec.points))
    with torch.no_grad():
        z = entry.gate(a.unsqueeze(0), b.unsqueeze(1), spec.beta)
    return Surface(spec, entry.gate_activation or "", frozen(a.numpy()), frozen(b.numpy()), frozen(z.numpy()))
