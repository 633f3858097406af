"""Several tiny LMs trained as one computation: every weight stacked along a leading *run* axis.

Why: a default comparison is 24 tiny models (8 variants x 3 seeds) whose matmuls are far too small to keep
a core (let alone a GPU) busy one model at a time; per-op dispatch, element-wise passes and the optimizer
then cost as much as the matmuls. Stacked, every matmul of the R runs is one ``bmm``, every element-wise
pass one kernel over all runs, and the optimizer one pass over a few large tensors.

Each run's math is :class:`app.experiments.tiny_lm.TinyLM`'s, unchanged: the stacked weights are copied
from per-run ``TinyLM`` instances (so the initial weights are theirs, seeded by ``(seed, name)``), each
run's loss is its own mean cross-entropy and the summed loss gives each run exactly its own gradient, the
gradient clip is computed per run (:func:`clip_grad_norm_per_run`), and AdamW is element-wise, so one AdamW
over the stacked tensors is R independent AdamWs. What changes is floating-point rounding (a ``bmm`` sums
in another order than separate ``mm`` calls; the gate and up projections of a gated FFN are one matmul).

Runs of different variants (and FFN shapes: dense, and 2/3-sized gated) share every non-FFN weight
tensor; their FFNs form one group per variant, each group one ``bmm`` per matrix and one activation pass.
(One group per shape with the activation applied per variant slice would need a copy of the hidden
activations forward and backward to put the slices together again: measured slower.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from app import ffn as ffn_lib
from app.experiments.tiny_lm import Block, TinyLM


@dataclass(frozen=True)
class FFNGroup:
    """Runs ``start:stop`` of the batch share one variant (so one FFN shape and activation)."""

    start: int
    stop: int
    gated: bool
    activation: str


def _module_weight(ffn: nn.Module, name: str) -> torch.Tensor:
    layer = getattr(ffn, name)
    assert isinstance(layer, nn.Linear)
    return layer.weight


def _stack_t(weights: Sequence[torch.Tensor]) -> torch.Tensor:
    """Stack ``nn.Linear`` weights (``out x in``) as ``R x in x out``, so ``bmm(x, W)`` is ``x W^T`` per run."""
    return torch.stack([w.detach().t() for w in weights]).contiguous()


class BatchedLM(nn.Module):
    """R :class:`TinyLM` runs as one module; ``forward`` takes ``R x B x T`` tokens and returns R losses.

    ``models`` must be ordered so that runs of one FFN shape, and within it one variant, are contiguous
    (:func:`batch_order` gives that order)."""

    def __init__(self, models: Sequence[TinyLM]) -> None:
        super().__init__()
        first = models[0].cfg
        self.runs = len(models)
        self.n_layers, self.n_heads, self.vocab_size = first.n_layers, first.n_heads, first.vocab_size
        self.d_model = first.d_model
        blocks = [[b for b in m.blocks if isinstance(b, Block)] for m in models]

        def stack(tensors: Sequence[torch.Tensor]) -> nn.Parameter:
            return nn.Parameter(torch.stack([t.detach() for t in tensors]).contiguous())

        self.tok = stack([m.tok.weight for m in models])  # tied with the output head, as in TinyLM
        self.pos = stack([m.pos.weight for m in models])
        self.ln_f = stack([m.ln_f.weight for m in models])
        self.groups = _groups(models)
        self.ln1, self.ln2, self.qkv, self.proj = (nn.ParameterList() for _ in range(4))
        self.ffn = nn.ParameterList()  # per layer, per group, its matrices: dense w1, w2; gated w, v, w2
        #: per layer, per group: the indices of its matrices in ``self.ffn``
        self._ffn_slots: list[list[list[int]]] = []
        for layer in range(self.n_layers):
            mine = [bs[layer] for bs in blocks]
            self.ln1.append(stack([b.ln1.weight for b in mine]))
            self.ln2.append(stack([b.ln2.weight for b in mine]))
            self.qkv.append(nn.Parameter(_stack_t([b.attn.qkv.weight for b in mine])))
            self.proj.append(nn.Parameter(_stack_t([b.attn.proj.weight for b in mine])))
            self._ffn_slots.append([])
            for g in self.groups:
                ffns = [b.ffn for b in mine[g.start : g.stop]]
                names = ("w", "v", "w2") if g.gated else ("w1", "w2")
                self._ffn_slots[layer].append(list(range(len(self.ffn), len(self.ffn) + len(names))))
                for name in names:
                    self.ffn.append(nn.Parameter(_stack_t([_module_weight(f, name) for f in ffns])))
        # 0 where a position may attend, -inf above the diagonal: added to the scores, it is the causal mask
        causal = torch.full((first.seq_len, first.seq_len), float("-inf")).triu(1)
        self.causal_bias: torch.Tensor
        self.register_buffer("causal_bias", causal, persistent=False)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Per-run mean cross-entropy (a tensor of R) of ``targets`` given ``idx`` (both ``R x B x T``)."""
        r, b, t = idx.shape
        offsets = (torch.arange(r, device=idx.device) * self.vocab_size).view(r, 1, 1)
        x = F.embedding(idx + offsets, self.tok.view(r * self.vocab_size, self.d_model))
        x = (x + self.pos[:, None, :t, :]).view(r, b * t, self.d_model)
        for layer in range(self.n_layers):
            x = x + self._attention(self._norm(x), layer, b, t)
            x = x + self._ffn(self._norm(x), layer)
        # each norm's weight scales the rows of the matrix after it: (x̂ ⊙ w) W = x̂ (diag(w) W), a weight-sized
        # multiply instead of an activation-sized one (forward and backward)
        logits = torch.bmm(self._norm(x), (self.tok * self.ln_f[:, None, :]).transpose(1, 2))
        losses = F.cross_entropy(
            logits.float().reshape(r * b * t, self.vocab_size), targets.reshape(-1), reduction="none"
        )
        return losses.view(r, b * t).mean(dim=1)

    def _norm(self, x: torch.Tensor) -> torch.Tensor:
        """LayerNorm without its weight, which the next matmul applies (see ``forward``)."""
        return F.layer_norm(x, (self.d_model,))

    def _attention(self, x: torch.Tensor, layer: int, b: int, t: int) -> torch.Tensor:
        r, d, h = self.runs, self.d_model, self.n_heads
        hd = d // h
        qkv = torch.bmm(x, self.ln1[layer][:, :, None] * self.qkv[layer])  # the norm's weight: see forward
        qkv = qkv.view(r * b, t, 3, h, hd).permute(2, 0, 3, 1, 4)
        if x.is_cuda:
            q, k, v = qkv.unbind(0)  # each (R·B) x heads x T x head_dim
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # at these sequence lengths two batched matmuls and a softmax beat the flash kernel on a CPU
            q, k, v = qkv.reshape(3, r * b * h, t, hd).unbind(0)  # one copy into the layout bmm wants
            mask = self.causal_bias[:t, :t].expand(r * b * h, t, t)
            scores = torch.baddbmm(mask, q, k.transpose(1, 2), alpha=1.0 / math.sqrt(hd))  # scale and mask in one
            y = torch.bmm(torch.softmax(scores, dim=-1), v).view(r * b, h, t, hd)
        return torch.bmm(y.transpose(1, 2).reshape(r, b * t, d), self.proj[layer])

    def _ffn(self, x: torch.Tensor, layer: int) -> torch.Tensor:
        # split (not slicing): its backward concatenates the pieces' gradients instead of zero-filling a
        # full-size gradient per piece
        sizes = [g.stop - g.start for g in self.groups]
        inputs = x.split(sizes) if len(self.groups) > 1 else (x,)
        norms = self.ln2[layer].split(sizes) if len(self.groups) > 1 else (self.ln2[layer],)
        outs = []
        for g, xg, ln, weights in zip(self.groups, inputs, norms, self._ffn_weights(layer), strict=True):
            act = ffn_lib.ACT2FN[g.activation]
            scale = ln[:, :, None]  # the norm's weight on the rows of the matrices after it
            if g.gated:
                w, v, w2 = weights
                hidden = act(torch.bmm(xg, scale * w)) * torch.bmm(xg, scale * v)
            else:
                w1, w2 = weights
                hidden = act(torch.bmm(xg, scale * w1))
            outs.append(torch.bmm(hidden, w2))
        return outs[0] if len(outs) == 1 else torch.cat(outs)

    def _ffn_weights(self, layer: int) -> list[list[torch.Tensor]]:
        """Each group's FFN matrices in ``layer``."""
        return [[self.ffn[i] for i in slots] for slots in self._ffn_slots[layer]]

    def run_parameters(self) -> list[tuple[torch.Tensor, int]]:
        """Every parameter with the batch index its first axis starts at (FFN groups start mid-batch)."""
        shared = [self.tok, self.pos, self.ln_f, *self.ln1, *self.ln2, *self.qkv, *self.proj]
        out: list[tuple[torch.Tensor, int]] = [(p, 0) for p in shared]
        for layer in range(self.n_layers):
            for g, weights in zip(self.groups, self._ffn_weights(layer), strict=True):
                out += [(w, g.start) for w in weights]
        return out


def _groups(models: Sequence[TinyLM]) -> tuple[FFNGroup, ...]:
    ffns = [next(b for b in m.blocks if isinstance(b, Block)).ffn for m in models]
    groups: list[FFNGroup] = []
    start = 0
    while start < len(models):
        stop = start
        while stop < len(models) and ffns[stop].name == ffns[start].name:
            stop += 1
        if ffns[start].name in [ffns[g.start].name for g in groups]:
            raise ValueError("runs of one variant must be contiguous (use batch_order)")
        groups.append(FFNGroup(start, stop, ffns[start].gated, ffns[start].activation))
        start = stop
    return tuple(groups)


def batch_order(runs: Sequence[tuple[str, int]], d_model: int, d_ff: int, matched: bool, multiple_of: int) -> list[int]:
    """Indices of ``runs`` (variant, seed) ordered so that FFN shapes, then variants, are contiguous."""

    def key(i: int) -> tuple[bool, int, str, int]:
        variant, seed = runs[i]
        cls = ffn_lib.get_variant(variant)
        return (cls.gated, ffn_lib.hidden_size(variant, d_model, d_ff, matched, multiple_of), cls.name, seed)

    return sorted(range(len(runs)), key=key)


@torch.no_grad()
def clip_grad_norm_per_run(model: BatchedLM, max_norm: float) -> torch.Tensor:
    """``torch.nn.utils.clip_grad_norm_`` for each run on its own: every run's gradient norm over all its
    parameters, and its gradients scaled by ``max_norm / (norm + 1e-6)`` where that is below 1. Returns the
    R norms."""
    params = [(p, start) for p, start in model.run_parameters() if p.grad is not None]
    squares = torch.zeros(model.runs, dtype=torch.float32, device=model.tok.device)
    for p, start in params:
        assert p.grad is not None
        per_run = torch.linalg.vector_norm(p.grad.reshape(p.grad.shape[0], -1), dim=1, dtype=torch.float32)
        squares[start : start + p.grad.shape[0]] += per_run.square()
    norms = squares.sqrt()
    coef = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for p, start in params:
        assert p.grad is not None
        scale = coef[start : start + p.grad.shape[0]].to(p.grad.dtype)
        p.grad.mul_(scale.view(-1, *([1] * (p.grad.dim() - 1))))
    return norms
