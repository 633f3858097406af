"""FFN variants: sizing against hand-computed numbers, outputs against independent numpy/scipy formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import special

from app import ffn

DENSE = ("ReLU", "GELU", "Swish", "SquaredReLU")
GATED = ("GLU", "Bilinear", "ReGLU", "GEGLU", "SwiGLU", "GEGLU_tanh")


def test_registry_has_the_ten_variants_and_the_paper_eight_in_table_order() -> None:
    assert set(ffn.VARIANTS) == set(DENSE) | set(GATED)
    assert ffn.PAPER_VARIANTS == ("ReLU", "GELU", "Swish", "GLU", "Bilinear", "GEGLU", "SwiGLU", "ReGLU")
    assert {n for n, cls in ffn.VARIANTS.items() if cls.gated} == set(GATED)


@pytest.mark.parametrize("spelling", ["GEGLU", "geglu", "FFN_GEGLU", "ffn_geglu", " GeGLU "])
def test_lookup_is_case_insensitive_with_optional_prefix(spelling: str) -> None:
    assert ffn.canonical_name(spelling) == "GEGLU"
    assert ffn.get_variant(spelling) is ffn.FFN_GEGLU


def test_unknown_variant_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="SwiGLU"):
        ffn.get_variant("LeakyGLU")


def test_paper_sizes_3072_to_2048_and_4718592_weights() -> None:
    # Shazeer 2020 §3.1: d_model 768, dense d_ff 3072, gated d_ff 2048; 3·768·2048 = 2·768·3072 = 4,718,592.
    for multiple in (1, 8, 64, 256):
        assert ffn.hidden_size("GEGLU", 768, 3072, multiple_of=multiple) == 2048
    assert ffn.hidden_size("ReLU", 768, 3072) == 3072
    for name in ffn.PAPER_VARIANTS:
        assert ffn.param_count(name, 768, 3072) == 4_718_592
        assert ffn.flops_per_token(name, 768, 3072) == 2 * 4_718_592
    module_sizes = {
        name: sum(p.numel() for p in ffn.make_ffn(name, 768, 3072).parameters()) for name in ("ReLU", "SwiGLU")
    }
    assert module_sizes == {"ReLU": 4_718_592, "SwiGLU": 4_718_592}


@pytest.mark.parametrize(
    ("d_model", "d_ff", "multiple"), [(64, 256, 1), (128, 512, 1), (512, 2048, 8), (1024, 4096, 64), (4096, 11008, 8)]
)
def test_matched_sizes_agree_within_one_percent_and_unmatched_differ_by_half(
    d_model: int, d_ff: int, multiple: int
) -> None:
    dense = 2 * d_model * d_ff  # hand formula: two d_model x d_ff matrices
    for name in DENSE:
        assert ffn.param_count(name, d_model, d_ff, multiple_of=multiple) == dense
    for name in GATED:
        matched = ffn.param_count(name, d_model, d_ff, matched=True, multiple_of=multiple)
        unmatched = ffn.param_count(name, d_model, d_ff, matched=False, multiple_of=multiple)
        assert abs(matched / dense - 1) < 0.01
        assert unmatched == 3 * d_model * d_ff
        assert unmatched / dense == pytest.approx(1.5)


def test_module_parameters_follow_the_formula_and_have_no_biases() -> None:
    for name in ffn.VARIANTS:
        module = ffn.make_ffn(name, 64, 256, multiple_of=1)
        d_ff = 171 if module.gated else 256  # round(2/3 · 256) = round(170.67) = 171
        assert all("bias" not in pname for pname, _ in module.named_parameters())
        assert sum(p.numel() for p in module.parameters()) == (3 if module.gated else 2) * 64 * d_ff


def test_hidden_size_rounds_to_the_nearest_multiple() -> None:
    assert ffn.hidden_size("SwiGLU", 64, 256, multiple_of=8) == 168  # 170.67 -> 21.33 · 8 -> 21 · 8
    assert ffn.hidden_size("SwiGLU", 64, 256, multiple_of=64) == 192  # 2.67 · 64 -> 3 · 64
    assert ffn.hidden_size("SwiGLU", 8, 9, multiple_of=4) == 8  # 6 / 4 = 1.5 exactly -> rounds up to 2 · 4
    assert ffn.hidden_size("SwiGLU", 8, 3, multiple_of=64) == 64  # never below one multiple
    with pytest.raises(ValueError):
        ffn.hidden_size("SwiGLU", 0, 256)


# --- outputs against independent formulas ------------------------------------------------------


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _gelu(z: np.ndarray) -> np.ndarray:
    return z * 0.5 * (1.0 + special.erf(z / math.sqrt(2.0)))  # z·Φ(z)


def _gelu_tanh(z: np.ndarray) -> np.ndarray:
    return 0.5 * z * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z**3)))


def _swish(z: np.ndarray) -> np.ndarray:
    return z * special.expit(z)


REFERENCE = {
    "ReLU": lambda x, w1, w2: _relu(x @ w1) @ w2,
    "GELU": lambda x, w1, w2: _gelu(x @ w1) @ w2,
    "Swish": lambda x, w1, w2: _swish(x @ w1) @ w2,
    "SquaredReLU": lambda x, w1, w2: _relu(x @ w1) ** 2 @ w2,
    "GLU": lambda x, w, v, w2: (special.expit(x @ w) * (x @ v)) @ w2,
    "Bilinear": lambda x, w, v, w2: ((x @ w) * (x @ v)) @ w2,
    "ReGLU": lambda x, w, v, w2: (_relu(x @ w) * (x @ v)) @ w2,
    "GEGLU": lambda x, w, v, w2: (_gelu(x @ w) * (x @ v)) @ w2,
    "SwiGLU": lambda x, w, v, w2: (_swish(x @ w) * (x @ v)) @ w2,
    "GEGLU_tanh": lambda x, w, v, w2: (_gelu_tanh(x @ w) * (x @ v)) @ w2,
}


@pytest.mark.parametrize("name", list(ffn.VARIANTS))
def test_output_matches_the_numpy_formula_on_the_same_weights(name: str) -> None:
    rng = np.random.default_rng(7)
    d_model, d_ff = 12, 20
    module = ffn.get_variant(name)(d_model, d_ff).double()
    # Weights stored the paper's way (x @ W with W: d_model x d_ff); nn.Linear keeps the transpose.
    mats = {n: rng.normal(0, 0.5, size=tuple(p.shape)) for n, p in module.named_parameters()}
    with torch.no_grad():
        for pname, p in module.named_parameters():
            p.copy_(torch.from_numpy(mats[pname]))
    x = rng.normal(0, 1.5, size=(9, d_model))
    expected = REFERENCE[name](x, *(m.T for m in mats.values()))
    got = module(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_gemma_tanh_gelu_error_matches_the_reference_maximum() -> None:
    # tests/reference/gelu_math.md §2: max |tanh-form − exact GELU| = 4.732355206860e-4 at x = ±2.69894.
    z = torch.linspace(-10, 10, 200_001, dtype=torch.float64)
    err = (ffn.FFN_GEGLU_tanh(1, 1).act(z) - ffn.FFN_GEGLU(1, 1).act(z)).abs()
    assert err.max().item() == pytest.approx(4.732355206860e-4, rel=1e-6)
    assert abs(z[err.argmax()].item()) == pytest.approx(2.69894, abs=1e-4)
