"""The registry: every scalar activation and gate the service knows, with its paper, aliases and the
points where its derivatives are undefined, and the lookup by id or alias."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any, Literal

import torch

from app.activations.errors import UnknownActivationError
from app.activations.functions import (
    DTYPES,
    SELU_ALPHA,
    SELU_LAMBDA,
    ScalarFn,
    _elu,
    _elu_ref,
    _gelu,
    _gelu_ref,
    _gelu_sigmoid,
    _gelu_sigmoid_ref,
    _gelu_tanh,
    _gelu_tanh_ref,
    _identity,
    _mish,
    _mish_ref,
    _relu,
    _selu,
    _selu_ref,
    _sigmoid,
    _sigmoid_ref,
    _silu,
    _silu_ref,
    _softplus,
    _softplus_ref,
    _squared_relu,
    _tanh,
    _tanh_ref,
)
from app.activations.sources import (
    ELU_PAPER,
    GELU_PAPER,
    GEMMA_PAPER,
    GLU_PAPER,
    GLU_VARIANTS_PAPER,
    GPT_OSS_CODE,
    MISH_PAPER,
    PRIMER_PAPER,
    RELU_PAPER,
    SELU_PAPER,
    SOFTPLUS_PAPER,
    SWISH_PAPER,
    Source,
)

Family = Literal["scalar", "gate"]


@dataclass(frozen=True)
class Activation:
    """One registry entry: a scalar activation f(x) or a gate f(a)·b built on a scalar activation.

    ``torch_fn`` is the framework op (used for low-precision dtypes and for the convention at
    non-differentiable points); ``reference_fn``, when present, is the float64 form used for float64.
    """

    id: str
    name: str
    formula: str
    family: Family
    introduced_by: Source | None
    torch_fn: ScalarFn | None = None
    reference_fn: ScalarFn | None = None
    gate_activation: str | None = None
    aliases: tuple[str, ...] = ()
    nondifferentiable_points: tuple[float, ...] = ()
    second_derivative_undefined_at: tuple[float, ...] = ()
    parameters: tuple[tuple[str, float], ...] = ()
    origin_note: str = ""
    #: A clamped gate (gpt-oss) clips a above and b on both sides at this limit before gating.
    clamp_limit: float | None = None
    #: Added to the linear branch after clamping: gpt-oss multiplies by (b + 1), not b.
    up_offset: float = 0.0

    def by_convention_points(self, derivative: int) -> tuple[float, ...]:
        """Points where the requested derivative is undefined and the service reports autograd's value."""
        if derivative == 1:
            return self.nondifferentiable_points
        if derivative == 2:
            return tuple(sorted(set(self.nondifferentiable_points) | set(self.second_derivative_undefined_at)))
        return ()

    def scalar(self) -> Activation:
        """The scalar activation: the entry itself, or the one a gate applies to its first input."""
        return self if self.family == "scalar" else REGISTRY[self.gate_activation or ""]

    def implementation(self, dtype: str = "float64") -> ScalarFn:
        """The scalar function used for a dtype: the float64 reference, else the framework op."""
        entry = self.scalar()
        fn = entry.reference_fn if dtype == "float64" and entry.reference_fn is not None else entry.torch_fn
        assert fn is not None
        return fn

    def gate(self, a: torch.Tensor, b: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
        """f(a)·(b + offset) for a gate, in a's dtype (float64 uses the reference form); a clamped gate first
        takes min(a, limit) and clips b to [−limit, limit], as the model code it copies does."""
        dtype = next(k for k, v in DTYPES.items() if v == a.dtype)
        if self.clamp_limit is not None:
            a = a.clamp(max=self.clamp_limit)
            b = b.clamp(min=-self.clamp_limit, max=self.clamp_limit)
        return self.implementation(dtype)(a, beta) * (b + self.up_offset)

    @property
    def torch_source(self) -> str:
        """Source of the framework op (of the gate's activation for a gate)."""
        fn = self.scalar().torch_fn
        return inspect.getsource(fn) if fn is not None else ""

    @property
    def reference_source(self) -> str | None:
        """Source of the float64 reference form, when it differs from the framework op."""
        fn = self.scalar().reference_fn
        return inspect.getsource(fn) if fn is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready description (no computed properties: see :func:`properties`)."""
        return {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "formula_latex": self.formula,
            "introduced_by": self.introduced_by.to_dict() if self.introduced_by else None,
            "origin_note": self.origin_note,
            "aliases": list(self.aliases),
            "gate_activation": self.gate_activation,
            "parameters": dict(self.parameters),
            "nondifferentiable_points": list(self.nondifferentiable_points),
            "second_derivative_undefined_at": list(self.second_derivative_undefined_at),
            "torch_source": self.torch_source,
            "float64_reference_source": self.reference_source,
        }


_SCALARS: tuple[Activation, ...] = (
    Activation(
        "relu",
        "ReLU",
        r"\max(0, x)",
        "scalar",
        RELU_PAPER,
        _relu,
        nondifferentiable_points=(0.0,),
        second_derivative_undefined_at=(0.0,),
    ),
    Activation(
        "gelu",
        "GELU (exact, erf)",
        r"x\,\Phi(x) = \frac{1}{2}\,x\left(1 + \mathrm{erf}\left(\frac{x}{\sqrt{2}}\right)\right)",
        "scalar",
        GELU_PAPER,
        _gelu,
        _gelu_ref,
        aliases=("gelu_erf", "exact gelu", "gelu_python"),
    ),
    Activation(
        "gelu_tanh",
        "GELU, tanh approximation",
        r"\frac{1}{2}\,x\left(1 + \tanh\left(\sqrt{\frac{2}{\pi}}\left(x + 0.044715\,x^{3}\right)\right)\right)",
        "scalar",
        GELU_PAPER,
        _gelu_tanh,
        _gelu_tanh_ref,
        aliases=("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "approximate gelu"),
        origin_note="GPT-2's gelu_new and the approximated GELU of Gemma's GeGLU.",
    ),
    Activation(
        "gelu_sigmoid",
        "GELU, sigmoid approximation",
        r"x\,\sigma(1.702\,x)",
        "scalar",
        GELU_PAPER,
        _gelu_sigmoid,
        _gelu_sigmoid_ref,
        aliases=("quick_gelu",),
    ),
    Activation(
        "silu",
        "SiLU / Swish",
        r"x\,\sigma(\beta x) = \frac{x}{1 + e^{-\beta x}}",
        "scalar",
        SWISH_PAPER,
        _silu,
        _silu_ref,
        aliases=("swish",),
        parameters=(("beta", 1.0),),
    ),
    Activation(
        "sigmoid",
        "Logistic sigmoid",
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        "scalar",
        None,
        _sigmoid,
        _sigmoid_ref,
        origin_note="The logistic function; classical, not introduced by a machine-learning paper.",
    ),
    Activation(
        "tanh",
        "Hyperbolic tangent",
        r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        "scalar",
        None,
        _tanh,
        _tanh_ref,
        origin_note="Classical; not introduced by a machine-learning paper.",
    ),
    Activation(
        "softplus",
        "Softplus",
        r"\ln\left(1 + e^{x}\right)",
        "scalar",
        SOFTPLUS_PAPER,
        _softplus,
        _softplus_ref,
    ),
    Activation(
        "mish",
        "Mish",
        r"x\,\tanh\left(\ln\left(1 + e^{x}\right)\right)",
        "scalar",
        MISH_PAPER,
        _mish,
        _mish_ref,
    ),
    Activation(
        "elu",
        "ELU (α = 1)",
        r"\begin{cases} x & x > 0 \\ e^{x} - 1 & x \le 0 \end{cases}",
        "scalar",
        ELU_PAPER,
        _elu,
        _elu_ref,
        second_derivative_undefined_at=(0.0,),
        parameters=(("alpha", 1.0),),
    ),
    Activation(
        "selu",
        "SELU",
        r"\lambda \begin{cases} x & x > 0 \\ \alpha\left(e^{x} - 1\right) & x \le 0 \end{cases}",
        "scalar",
        SELU_PAPER,
        _selu,
        _selu_ref,
        nondifferentiable_points=(0.0,),
        second_derivative_undefined_at=(0.0,),
        parameters=(("lambda", SELU_LAMBDA), ("alpha", SELU_ALPHA)),
    ),
    Activation(
        "squared_relu",
        "Squared ReLU",
        r"\max(0, x)^{2}",
        "scalar",
        PRIMER_PAPER,
        _squared_relu,
        aliases=("relu2", "relu_squared"),
        second_derivative_undefined_at=(0.0,),
    ),
    Activation(
        "identity",
        "Identity",
        r"x",
        "scalar",
        None,
        _identity,
        aliases=("linear",),
        origin_note="No activation; the gate built on it is the bilinear layer.",
    ),
)

_GATES: tuple[Activation, ...] = (
    Activation(
        "glu",
        "GLU",
        r"\sigma(a)\,b",
        "gate",
        GLU_PAPER,
        gate_activation="sigmoid",
    ),
    Activation(
        "bilinear",
        "Bilinear",
        r"a\,b",
        "gate",
        GLU_VARIANTS_PAPER,
        gate_activation="identity",
        origin_note="The GLU without its sigmoid; compared as an FFN variant by Shazeer (2020).",
    ),
    Activation("reglu", "ReGLU", r"\max(0, a)\,b", "gate", GLU_VARIANTS_PAPER, gate_activation="relu"),
    Activation("geglu", "GEGLU", r"\mathrm{GELU}(a)\,b", "gate", GLU_VARIANTS_PAPER, gate_activation="gelu"),
    Activation(
        "geglu_tanh",
        "GEGLU, tanh-approximated GELU",
        r"\mathrm{GELU}_{\tanh}(a)\,b",
        "gate",
        GEMMA_PAPER,
        gate_activation="gelu_tanh",
        aliases=("approximate geglu",),
    ),
    Activation(
        "swiglu",
        "SwiGLU",
        r"\mathrm{Swish}_{\beta}(a)\,b = a\,\sigma(\beta a)\,b",
        "gate",
        GLU_VARIANTS_PAPER,
        gate_activation="silu",
        parameters=(("beta", 1.0),),
    ),
    Activation(
        "clamped_swiglu_a1.702",
        "Clamped SwiGLU, α = 1.702 (gpt-oss)",
        r"\min(a, 7)\,\sigma\left(1.702\,\min(a, 7)\right)\left(\max\left(-7, \min(b, 7)\right) + 1\right)",
        "gate",
        GPT_OSS_CODE,
        gate_activation="gelu_sigmoid",
        aliases=("clamped swiglu",),
        parameters=(("alpha", 1.702), ("limit", 7.0)),
        origin_note="The gpt-oss experts' gate: x·σ(1.702·x) of the clamped gate branch times (clamped up + 1); "
        "the config's hidden_act says silu, which is not what the experts compute.",
        clamp_limit=7.0,
        up_offset=1.0,
    ),
)

REGISTRY: dict[str, Activation] = {a.id: a for a in (*_SCALARS, *_GATES)}
SCALAR_IDS: tuple[str, ...] = tuple(a.id for a in _SCALARS)
GATE_IDS: tuple[str, ...] = tuple(a.id for a in _GATES)


def _normalize(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


_LOOKUP: dict[str, str] = {}
for _entry in REGISTRY.values():
    for _name in (_entry.id, *_entry.aliases):
        _key = _normalize(_name)
        assert _key not in _LOOKUP, f"duplicate activation name {_name!r}"
        _LOOKUP[_key] = _entry.id
    if _entry.family == "gate":
        assert _entry.gate_activation in SCALAR_IDS, _entry.id


def scalar_names() -> list[str]:
    """Every id and alias a scalar activation answers to (as written in the registry)."""
    return [name for a in REGISTRY.values() if a.family == "scalar" for name in (a.id, *a.aliases)]


def all_activations(family: Family | None = None) -> list[Activation]:
    """Registry entries in their canonical order, optionally of one family."""
    return [a for a in REGISTRY.values() if family is None or a.family == family]


def get(name: str, *, field: str = "id", family: Family | None = None) -> Activation:
    """The entry for an id or alias (case, spaces and hyphens ignored); raises UnknownActivationError."""
    entry_id = _LOOKUP.get(_normalize(name))
    if entry_id is None or (family is not None and REGISTRY[entry_id].family != family):
        valid = [a.id for a in all_activations(family)]
        kind = {"scalar": "scalar activation", "gate": "gate", None: "activation"}[family]
        raise UnknownActivationError(name, valid, field=field, kind=kind)
    return REGISTRY[entry_id]
