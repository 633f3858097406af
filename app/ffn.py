"""Feed-forward (FFN) variants from Shazeer (2020), "GLU Variants Improve Transformer", as small modules.

Read top to bottom:

1. the two families — ``DenseFFN`` (two matrices: ``act(x W1) W2``) and ``GatedFFN`` (three matrices:
   ``(act(x W) * x V) W2``);
2. one small class per variant, each naming only its activation;
3. the registry (canonical names, case-insensitive lookup, ``FFN_`` prefix optional);
4. hidden-size matching, parameter counts and matmul FLOPs — in code, because the usual mistake
   (labml, x-transformers examples) is to give gated variants the dense ``d_ff`` and so 1.5x the
   parameters. The paper shrinks ``d_ff`` by 2/3 for the gated family (3072 -> 2048 at d_model 768):
   3 · 768 · 2048 = 2 · 768 · 3072 = 4,718,592 weights per FFN layer.

No biases anywhere, as in the paper (it follows the T5 code base). Weight names follow the paper's
notation: ``w1``/``w2`` for the dense family, ``w`` (gate), ``v`` (up) and ``w2`` (down) for the
gated family (Hugging Face: ``gate_proj``, ``up_proj``, ``down_proj``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

#: Default rounding multiple for the gated hidden size. 8 keeps matmul shapes friendly to vector units
#: and tensor cores while moving the parameter count by at most 4 / (2/3 · d_ff) (0.2% at d_ff 3072).
DEFAULT_MULTIPLE_OF = 8

#: Forward + backward costs about three forward passes in matmul FLOPs: the backward pass computes
#: one gradient for the input and one for the weight of every matmul.
FWD_BWD_FLOPS_FACTOR = 3


class FFN(nn.Module):
    """Common interface: ``d_model -> d_ff -> d_model`` position-wise, no biases."""

    #: Canonical variant name, e.g. ``"GEGLU"``; the class is registered under it.
    name: str = ""
    #: True for the three-matrix GLU family.
    gated: bool = False
    #: One line saying what the variant computes, for listings and pages.
    formula: str = ""

    def __init__(self, d_model: int, d_ff: int) -> None:
        super().__init__()
        self.d_model = d_model
        self.d_ff = d_ff

    def act(self, z: torch.Tensor) -> torch.Tensor:
        """The element-wise activation (the gate's, for the gated family)."""
        raise NotImplementedError(f"{type(self).__name__} must define act()")


class DenseFFN(FFN):
    """Two matrices: ``act(x W1) W2``."""

    def __init__(self, d_model: int, d_ff: int) -> None:
        super().__init__(d_model, d_ff)
        self.w1 = nn.Linear(d_model, d_ff, bias=False)
        self.w2 = nn.Linear(d_ff, d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(self.act(self.w1(x)))


class GatedFFN(FFN):
    """Three matrices: ``(act(x W) ⊙ x V) W2`` — the GLU family."""

    gated = True

    def __init__(self, d_model: int, d_ff: int) -> None:
        super().__init__(d_model, d_ff)
        self.w = nn.Linear(d_model, d_ff, bias=False)
        self.v = nn.Linear(d_model, d_ff, bias=False)
        self.w2 = nn.Linear(d_ff, d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(self.act(self.w(x)) * self.v(x))


# --- the two-matrix variants -------------------------------------------------------------------


class FFN_ReLU(DenseFFN):
    """The Transformer / T5 baseline."""

    name = "ReLU"
    formula = "max(0, xW1) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return F.relu(z)


class FFN_GELU(DenseFFN):
    """Exact GELU, z·Φ(z) (the paper defines GELU only this way)."""

    name = "GELU"
    formula = "GELU(xW1) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return F.gelu(z)


class FFN_Swish(DenseFFN):
    """Swish with β = 1 (= SiLU), as in the paper."""

    name = "Swish"
    formula = "Swish1(xW1) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return F.silu(z)


class FFN_SquaredReLU(DenseFFN):
    """Squared ReLU (Primer, So et al. 2021): not in the GLU paper, a dense alternative to gating."""

    name = "SquaredReLU"
    formula = "max(0, xW1)^2 W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return torch.square(F.relu(z))


# --- the three-matrix (GLU family) variants ----------------------------------------------------


class FFN_GLU(GatedFFN):
    """Dauphin et al.'s GLU: a sigmoid gate."""

    name = "GLU"
    formula = "(σ(xW) ⊙ xV) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(z)


class FFN_Bilinear(GatedFFN):
    """No non-linearity at all: the product of two projections."""

    name = "Bilinear"
    formula = "(xW ⊙ xV) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return z


class FFN_ReGLU(GatedFFN):
    name = "ReGLU"
    formula = "(max(0, xW) ⊙ xV) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return F.relu(z)


class FFN_GEGLU(GatedFFN):
    """Exact (erf) GELU gate."""

    name = "GEGLU"
    formula = "(GELU(xW) ⊙ xV) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return F.gelu(z)


class FFN_SwiGLU(GatedFFN):
    """Swish₁ gate (LLaMA, PaLM)."""

    name = "SwiGLU"
    formula = "(Swish1(xW) ⊙ xV) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return F.silu(z)


class FFN_GEGLU_tanh(GatedFFN):
    """Gemma's "approximated GeGLU": the tanh approximation of GELU (``gelu_pytorch_tanh``)."""

    name = "GEGLU_tanh"
    formula = "(GELU_tanh(xW) ⊙ xV) W2"

    def act(self, z: torch.Tensor) -> torch.Tensor:
        return F.gelu(z, approximate="tanh")


# --- registry ----------------------------------------------------------------------------------

#: Every variant by canonical name, in a stable order: the paper's eight (Table 1 order), then extras.
VARIANTS: dict[str, type[FFN]] = {
    cls.name: cls
    for cls in (
        FFN_ReLU,
        FFN_GELU,
        FFN_Swish,
        FFN_GLU,
        FFN_Bilinear,
        FFN_GEGLU,
        FFN_SwiGLU,
        FFN_ReGLU,
        FFN_GEGLU_tanh,
        FFN_SquaredReLU,
    )
}

#: The eight variants of the paper's Table 1, in its order.
PAPER_VARIANTS: tuple[str, ...] = ("ReLU", "GELU", "Swish", "GLU", "Bilinear", "GEGLU", "SwiGLU", "ReGLU")

_BY_LOWER = {name.lower(): name for name in VARIANTS}


def accepted_names() -> list[str]:
    """The names the API documents for each variant: canonical, and with the paper's FFN_ prefix."""
    return [*VARIANTS, *(f"FFN_{name}" for name in VARIANTS)]


def canonical_name(name: str) -> str:
    """``"geglu"``, ``"FFN_GEGLU"`` and ``"GEGLU"`` all give ``"GEGLU"``; unknown names raise KeyError
    listing the known ones (the API turns that into a 422 naming the field)."""
    key = name.strip().lower()
    if key.startswith("ffn_"):
        key = key[4:]
    try:
        return _BY_LOWER[key]
    except KeyError:
        raise KeyError(f"unknown FFN variant {name!r}; known: {', '.join(VARIANTS)}") from None


def get_variant(name: str) -> type[FFN]:
    """The class for a variant name (case-insensitive, ``FFN_`` prefix optional)."""
    return VARIANTS[canonical_name(name)]


# --- sizing: matched hidden sizes, parameters, FLOPs ------------------------------------------


def hidden_size(
    variant: str,
    d_model: int,
    d_ff_dense: int,
    matched: bool = True,
    multiple_of: int = DEFAULT_MULTIPLE_OF,
) -> int:
    """The FFN hidden size ``d_ff`` a variant gets in a comparison whose dense variants use ``d_ff_dense``.

    Dense variants always get ``d_ff_dense``. Gated variants get ``2/3 · d_ff_dense`` rounded to the
    nearest multiple of ``multiple_of`` (never below one multiple) when ``matched`` — equal parameters
    and matmul FLOPs, the paper's setup — and the full ``d_ff_dense`` when not, which reproduces the
    common 1.5x-parameter comparison on purpose. ``d_model`` does not change the rule; it is taken so
    every sizing function has the same signature and the arguments are validated together.
    """
    if d_model < 1 or d_ff_dense < 1 or multiple_of < 1:
        raise ValueError("d_model, d_ff_dense and multiple_of must be positive")
    if not get_variant(variant).gated or not matched:
        return d_ff_dense
    units = (4 * d_ff_dense + 3 * multiple_of) // (6 * multiple_of)  # floor(2d/3m + 1/2), in integers
    return max(1, units) * multiple_of


def n_matrices(variant: str) -> int:
    """Weight matrices in the FFN: 2 for the dense family, 3 for the gated family."""
    return 3 if get_variant(variant).gated else 2


def param_count(
    variant: str,
    d_model: int,
    d_ff_dense: int,
    matched: bool = True,
    multiple_of: int = DEFAULT_MULTIPLE_OF,
) -> int:
    """Weights in one FFN layer: ``n_matrices · d_model · d_ff`` (no biases)."""
    return n_matrices(variant) * d_model * hidden_size(variant, d_model, d_ff_dense, matched, multiple_of)


def flops_per_token(
    variant: str,
    d_model: int,
    d_ff_dense: int,
    matched: bool = True,
    multiple_of: int = DEFAULT_MULTIPLE_OF,
) -> int:
    """Forward matmul FLOPs per token in one FFN layer: 2 per multiply-add, so ``2 · weights``.

    Element-wise work (activation, gate product) is left out: it is O(d_ff) against the matmuls'
    O(d_model · d_ff). Forward + backward is about ``FWD_BWD_FLOPS_FACTOR`` (3) times this.
    """
    return 2 * param_count(variant, d_model, d_ff_dense, matched, multiple_of)


def make_ffn(
    variant: str,
    d_model: int,
    d_ff_dense: int,
    matched: bool = True,
    multiple_of: int = DEFAULT_MULTIPLE_OF,
) -> FFN:
    """Build a variant sized by :func:`hidden_size` — the one way comparisons construct FFNs."""
    return get_variant(variant)(d_model, hidden_size(variant, d_model, d_ff_dense, matched, multiple_of))


def describe(
    variant: str,
    d_model: int,
    d_ff_dense: int,
    matched: bool = True,
    multiple_of: int = DEFAULT_MULTIPLE_OF,
) -> dict[str, object]:
    """Sizing facts for one variant, as reported next to every comparison result."""
    cls = get_variant(variant)
    return {
        "variant": cls.name,
        "gated": cls.gated,
        "formula": cls.formula,
        "d_ff": hidden_size(variant, d_model, d_ff_dense, matched, multiple_of),
        "params": param_count(variant, d_model, d_ff_dense, matched, multiple_of),
        "flops_per_token": flops_per_token(variant, d_model, d_ff_dense, matched, multiple_of),
    }
