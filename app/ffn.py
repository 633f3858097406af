"""Feed-forward (FFN) variants from Shazeer (2020), "GLU Variants Improve Transformer", as small modules.

Read top to bottom:

1. the two families — ``DenseFFN`` (two matrices: ``act(x W1) W2``) and ``GatedFFN`` (three matrices:
   ``(act(x W) * x V) W2``);
2. one class per variant of ``app.vocabulary``, taking its activation from :data:`ACT2FN` by the
   entry's activation id, as transformers' LlamaMLP takes ``ACT2FN[config.hidden_act]``;
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

from collections.abc import Callable
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from app import vocabulary

#: Default rounding multiple for the gated hidden size. 8 keeps matmul shapes friendly to vector units
#: and tensor cores while moving the parameter count by at most 4 / (2/3 · d_ff) (0.2% at d_ff 3072).
DEFAULT_MULTIPLE_OF = 8

#: Forward + backward costs about three forward passes in matmul FLOPs: the backward pass computes
#: one gradient for the input and one for the weight of every matmul.
FWD_BWD_FLOPS_FACTOR = 3


#: Activation id (``app.vocabulary``) -> the torch function, as transformers' ``ACT2FN`` maps
#: ``config.hidden_act``. Exact GELU is the erf form; the tanh form is Gemma's ``gelu_pytorch_tanh``.
ACT2FN: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": F.relu,
    "gelu": F.gelu,
    "gelu_tanh": partial(F.gelu, approximate="tanh"),
    "silu": F.silu,
    "sigmoid": torch.sigmoid,
    "identity": lambda z: z,
    "squared_relu": lambda z: torch.square(F.relu(z)),
}


class FFN(nn.Module):
    """Common interface: ``d_model -> d_ff -> d_model`` position-wise, no biases."""

    #: Canonical variant name, e.g. ``"GEGLU"``; the class is registered under it.
    name: str = ""
    #: True for the three-matrix GLU family.
    gated: bool = False
    #: One line saying what the variant computes, for listings and pages.
    formula: str = ""
    #: The activation id (the gate's, for the gated family), looked up in :data:`ACT2FN`.
    activation: str = ""

    def __init__(self, d_model: int, d_ff: int) -> None:
        super().__init__()
        self.d_model = d_model
        self.d_ff = d_ff

    def act(self, z: torch.Tensor) -> torch.Tensor:
        """The element-wise activation (the gate's, for the gated family)."""
        return ACT2FN[self.activation](z)


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


# --- registry ----------------------------------------------------------------------------------


def _variant_class(entry: vocabulary.FFNVariant) -> type[FFN]:
    """One class per vocabulary entry (``FFN_GEGLU``), so a variant is a type that pickles by name."""
    base = GatedFFN if entry.gated else DenseFFN
    name = f"FFN_{entry.name}"
    namespace = {
        "name": entry.name,
        "formula": entry.formula,
        "activation": entry.activation,
        "__doc__": entry.note,
        "__module__": __name__,
        "__qualname__": name,
    }
    return type(name, (base,), namespace)


#: Every variant by canonical name, in a stable order: the paper's eight (Table 1 order), then extras.
VARIANTS: dict[str, type[FFN]] = {entry.name: _variant_class(entry) for entry in vocabulary.FFN_VARIANTS}

FFN_ReLU = VARIANTS["ReLU"]
FFN_GELU = VARIANTS["GELU"]
FFN_Swish = VARIANTS["Swish"]
FFN_GLU = VARIANTS["GLU"]
FFN_Bilinear = VARIANTS["Bilinear"]
FFN_GEGLU = VARIANTS["GEGLU"]
FFN_SwiGLU = VARIANTS["SwiGLU"]
FFN_ReGLU = VARIANTS["ReGLU"]
FFN_GEGLU_tanh = VARIANTS["GEGLU_tanh"]
FFN_SquaredReLU = VARIANTS["SquaredReLU"]

#: The eight variants of the paper's Table 1, in its order.
PAPER_VARIANTS: tuple[str, ...] = vocabulary.PAPER_VARIANTS
accepted_names = vocabulary.accepted_names
canonical_name = vocabulary.canonical_name


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
