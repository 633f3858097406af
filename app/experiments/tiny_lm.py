"""A tiny decoder-only language model whose only moving part between runs is the FFN variant.

nanoGPT-shaped: a config dataclass, one class per concept (attention, block, model), pre-norm
LayerNorm, causal self-attention, learned positions, tied input/output embeddings, no biases.

Identical across variants except the FFN — including the *initial weights*: every parameter is
initialised from its own generator seeded by ``(seed, parameter name)``, so for one seed the
embeddings, attention and norms start from the same values whichever FFN sits in the blocks, and only
the FFN weights (whose shapes differ) differ. Initialisation follows GPT-2/nanoGPT: N(0, 0.02), with the
projections that write into the residual stream (attention output, FFN ``w2``) scaled by
``1/sqrt(2 · n_layers)``.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from app import ffn as ffn_lib


@dataclass(frozen=True)
class LMConfig:
    vocab_size: int
    seq_len: int = 64
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    variant: str = "ReLU"
    #: Hidden size of the *dense* variants; gated ones get 2/3 of it when ``matched``.
    d_ff: int = 256
    matched: bool = True
    #: 1 by default here: at tiny sizes parameter matching matters more than shape alignment
    #: (2/3 · 256 -> 171 is +0.2% against the dense 256; a multiple of 8 would give 168, -1.6%).
    multiple_of: int = 1

    def __post_init__(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model ({self.d_model}) must be divisible by n_heads ({self.n_heads})")


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: LMConfig) -> None:
        super().__init__()
        self.n_heads = cfg.n_heads
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=False)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.n_heads, d // self.n_heads).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    """Pre-norm: ``x + attn(ln(x))``, then ``x + ffn(ln(x))``."""

    def __init__(self, cfg: LMConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model, bias=False)
        self.attn = CausalSelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model, bias=False)
        self.ffn = ffn_lib.make_ffn(cfg.variant, cfg.d_model, cfg.d_ff, cfg.matched, cfg.multiple_of)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.ffn(self.ln2(x))


class TinyLM(nn.Module):
    def __init__(self, cfg: LMConfig, seed: int = 0) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.seq_len, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln_f = nn.LayerNorm(cfg.d_model, bias=False)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.head.weight = self.tok.weight  # tied, as in GPT-2
        init_weights(self, seed)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t, device=idx.device))
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.ln_f(x))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss

    def ffn_params(self) -> int:
        total = 0
        for block in self.blocks:
            assert isinstance(block, Block)
            total += sum(p.numel() for p in block.ffn.parameters())
        return total

    def n_params(self) -> int:
        """Trainable parameters (the tied embedding counted once)."""
        return sum(p.numel() for p in self.parameters())


def init_weights(model: TinyLM, seed: int) -> None:
    """Initialise every parameter from a generator keyed by ``(seed, name)`` (see module docstring)."""
    residual_std = 0.02 / math.sqrt(2 * model.cfg.n_layers)
    with torch.no_grad():
        for name, p in model.named_parameters():
            g = torch.Generator().manual_seed(seed * 1_000_003 + zlib.crc32(name.encode()))
            if name.startswith("ln") or ".ln" in name:
                p.fill_(1.0)
            elif name.endswith("proj.weight") or name.endswith("ffn.w2.weight"):
                p.copy_(torch.randn(p.shape, generator=g) * residual_std)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)


def forward_flops_per_token(cfg: LMConfig) -> int:
    """Forward matmul FLOPs per token (2 per multiply-add): attention projections, attention scores
    and values over the full context (an upper bound for causal masking), FFN and output head."""
    d, t = cfg.d_model, cfg.seq_len
    attn = 2 * (3 * d * d + d * d) + 2 * 2 * t * d
    ffn = ffn_lib.flops_per_token(cfg.variant, d, cfg.d_ff, cfg.matched, cfg.multiple_of)
    return cfg.n_layers * (attn + ffn) + 2 * d * cfg.vocab_size
