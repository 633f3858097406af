"""Corpora for the quality comparison: a synthetic Markov corpus generated from a seed, or user text.

Why this synthetic corpus. A comparison only means something if the model can learn structure beyond
unigram statistics within a few hundred steps *and* the variants differ in how fast they learn it. A
pure order-2 Markov corpus left every tiny model on a bigram plateau for hundreds of steps, so the
ranking was seed noise. This corpus mixes the two kinds of structure:

* tokens of the *bigram* set are followed by a token that depends on them alone (peaked distributions:
  learned in the first few dozen steps, so training gets off the unigram plateau at once);
* tokens of the *order-2* set are followed by a token that depends on the pair (previous, current):
  a table of ``vocab_size × |order-2 set|`` peaked distributions the model must memorise through
  attention to the previous position and the FFN — where the variants differ.

Because the process is a Markov chain on token pairs, its entropy rate (the best achievable loss, in
nats per token) and its unigram and bigram entropies are computed exactly from the transition tensor
and its stationary distribution; they are reported as reference lines. Streams start from the
stationary distribution, so those numbers hold for the generated text from the first token.

User text is character-level: the vocabulary is the sorted set of characters in the text, the first
``1 - val_fraction`` of the text trains and the rest validates (a contiguous split, so the validation
text is unseen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from app.experiments.config import SyntheticSpec, TextCorpus


@dataclass
class Corpus:
    """Token ids as a 2-D array ``[streams, length]`` per split (user text is one stream)."""

    name: str
    vocab_size: int
    train: torch.Tensor
    val: torch.Tensor
    #: Reference lines in nats/token: ``optimal_loss`` (entropy rate; synthetic only),
    #: ``bigram_loss`` (synthetic only) and ``unigram_loss``.
    reference: dict[str, float] = field(default_factory=dict)
    #: What the corpus is, for the result page (never the user's text itself).
    info: dict[str, Any] = field(default_factory=dict)
    #: For user text: the characters, id -> char.
    chars: str | None = None

    @property
    def train_tokens(self) -> int:
        return int(self.train.numel())

    @property
    def val_tokens(self) -> int:
        return int(self.val.numel())


# --- synthetic -----------------------------------------------------------------------------------


def transition_tensor(spec: SyntheticSpec) -> np.ndarray:
    """``P[a, b, c]`` = probability that ``c`` follows the pair ``(a, b)``; float64, rows sum to 1.

    For ``b`` in the bigram set the row does not depend on ``a``.
    """
    if not 2 <= spec.vocab_size <= 256:
        raise ValueError("vocab_size must be between 2 and 256")
    if not 0.0 <= spec.bigram_fraction <= 1.0:
        raise ValueError("bigram_fraction must be in [0, 1]")
    if spec.concentration <= 0:
        raise ValueError("concentration must be positive")
    rng = np.random.default_rng(spec.seed)
    v = spec.vocab_size
    alpha = np.full(v, spec.concentration)
    n_bigram = round(spec.bigram_fraction * v)
    bigram_set = rng.permutation(v)[:n_bigram]
    p = rng.dirichlet(alpha, size=(v, v))  # order-2 rows for every pair
    bigram_rows = rng.dirichlet(alpha, size=v)
    p[:, bigram_set, :] = bigram_rows[bigram_set][None, :, :]
    # Dirichlet draws with a small concentration can underflow to exact zeros; a floor keeps the chain
    # ergodic (every entropy finite, every stream able to reach every pair) at a negligible cost.
    p = np.maximum(p, 1e-9)
    return p / p.sum(axis=-1, keepdims=True)


def _entropy(p: np.ndarray) -> np.ndarray:
    """Shannon entropy in nats along the last axis."""
    return -(p * np.log(np.where(p > 0, p, 1.0))).sum(axis=-1)


#: Power iterations before the stationary distribution is given up on. Chains that mix this slowly
#: (a near-zero concentration) took up to 100,000 iterations, half an hour at a vocabulary of 256; the
#: cost estimate (:mod:`app.experiments.cost`) counts this many, so a corpus build is bounded and priced.
STATIONARY_MAX_ITER = 5_000


def stationary_pairs(p: np.ndarray, tol: float = 1e-13, max_iter: int = STATIONARY_MAX_ITER) -> np.ndarray:
    """Stationary distribution ``pi[a, b]`` of the pair chain ``(a, b) -> (b, c)``, by power iteration."""
    v = p.shape[0]
    pi = np.full((v, v), 1.0 / (v * v))
    for _ in range(max_iter):
        nxt = np.einsum("ab,abc->bc", pi, p)
        if np.abs(nxt - pi).sum() < tol:
            return nxt
        pi = nxt
    raise RuntimeError(
        f"the synthetic corpus's chain did not mix within {max_iter} power iterations "
        f"(vocab_size {v}); use a larger corpus concentration or a smaller vocabulary"
    )


def reference_losses(p: np.ndarray, pi: np.ndarray | None = None) -> dict[str, float]:
    """Exact entropy rate, bigram and unigram cross-entropies (nats/token) of the stationary process
    (``pi``: its stationary pair distribution, when already computed)."""
    pi = stationary_pairs(p) if pi is None else pi
    unigram = pi.sum(axis=0)
    optimal = float((pi * _entropy(p)).sum())
    p_next_given_b = np.einsum("ab,abc->bc", pi, p) / unigram[:, None]
    bigram = float((unigram * _entropy(p_next_given_b)).sum())
    return {"optimal_loss": optimal, "bigram_loss": bigram, "unigram_loss": float(_entropy(unigram))}


def _sample_streams(p: np.ndarray, pi: np.ndarray, n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` independent stationary streams of ``length`` tokens, vectorised over streams."""
    v = p.shape[0]
    cum = np.cumsum(p, axis=-1)
    out = np.empty((n, length), dtype=np.int64)
    first = rng.choice(v * v, size=n, p=pi.reshape(-1) / pi.sum())
    out[:, 0], out[:, 1] = first // v, first % v
    u = rng.random((n, length))
    for t in range(2, length):
        rows = cum[out[:, t - 2], out[:, t - 1]]
        out[:, t] = np.minimum((rows < u[:, t, None]).sum(axis=1), v - 1)
    return out


def synthetic(spec: SyntheticSpec | None = None) -> Corpus:
    """Generate the corpus for ``spec`` — same spec, same tokens, on any machine (numpy PCG64)."""
    spec = spec or SyntheticSpec()
    if spec.train_streams < 1 or spec.val_streams < 1 or spec.stream_len < 3:
        raise ValueError("need at least one train and one val stream of 3 or more tokens")
    p = transition_tensor(spec)
    pi = stationary_pairs(p)
    rng = np.random.default_rng([spec.seed, 1])  # a stream separate from the table's
    train = _sample_streams(p, pi, spec.train_streams, spec.stream_len, rng)
    val = _sample_streams(p, pi, spec.val_streams, spec.stream_len, rng)
    return Corpus(
        name=f"synthetic(seed={spec.seed})",
        vocab_size=spec.vocab_size,
        train=torch.from_numpy(train),
        val=torch.from_numpy(val),
        reference=reference_losses(p, pi),
        info={"kind": "synthetic", **spec.__dict__},
    )


def build_corpus(spec: SyntheticSpec | TextCorpus, seq_len: int) -> Corpus:
    """The corpus a quality config names; user text must give every split a window of ``seq_len + 1``."""
    if isinstance(spec, TextCorpus):
        return from_text(spec.text, spec.val_fraction, min_tokens=seq_len + 1)
    return synthetic(spec)


# --- user text -----------------------------------------------------------------------------------


def from_text(text: str, val_fraction: float = 0.1, min_tokens: int = 2) -> Corpus:
    """Character-level corpus from user text. ``min_tokens`` is the fewest characters each split needs
    (a training window is ``seq_len + 1`` characters); a shorter text raises ValueError."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError("val_fraction must be in (0, 1)")
    chars = "".join(sorted(set(text)))
    if len(chars) < 2:
        raise ValueError("text needs at least two distinct characters")
    lookup = {c: i for i, c in enumerate(chars)}
    ids = np.fromiter((lookup[c] for c in text), dtype=np.int64, count=len(text))
    n_val = int(len(ids) * val_fraction)
    train, val = ids[: len(ids) - n_val], ids[len(ids) - n_val :]
    if len(train) < min_tokens or len(val) < min_tokens:
        raise ValueError(
            f"text too short: {len(ids)} characters give {len(train)} train and {len(val)} validation "
            f"characters; each split needs at least {min_tokens}"
        )
    # Unigram reference: the validation text scored by the training text's character frequencies
    # (add-one smoothed, so a character unseen in training does not give an infinite loss).
    counts = np.bincount(train, minlength=len(chars)) + 1.0
    unigram = float(-np.log(counts[val] / counts.sum()).mean())
    return Corpus(
        name="user text",
        vocab_size=len(chars),
        train=torch.from_numpy(train)[None, :],
        val=torch.from_numpy(val)[None, :],
        reference={"unigram_loss": unigram},
        info={"kind": "text", "characters": len(ids), "vocab_size": len(chars), "val_fraction": val_fraction},
        chars=chars,
    )


# --- windows -------------------------------------------------------------------------------------


def sample_batch(
    data: torch.Tensor, batch_size: int, seq_len: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random ``(x, y)`` windows (y = x shifted by one) drawn with ``generator``: the same generator
    state gives the same batch, which is how every variant sees the same data order for a seed."""
    streams, length = data.shape
    if length < seq_len + 1:
        raise ValueError(f"sequences of {length} tokens are shorter than seq_len + 1 = {seq_len + 1}")
    rows = torch.randint(streams, (batch_size,), generator=generator)
    starts = torch.randint(length - seq_len, (batch_size,), generator=generator)
    idx = starts[:, None] + torch.arange(seq_len + 1)[None, :]
    windows = data[rows[:, None], idx]
    return windows[:, :-1], windows[:, 1:]


def eval_windows(data: torch.Tensor, seq_len: int, max_windows: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed validation set: non-overlapping windows tiled from the start of each stream, at most
    ``max_windows`` of them. Fixed so every variant and seed is scored on the very same tokens."""
    streams, length = data.shape
    per_stream = length // (seq_len + 1)
    if per_stream < 1:
        raise ValueError(f"validation sequences of {length} tokens are shorter than seq_len + 1 = {seq_len + 1}")
    tiles = data[:, : per_stream * (seq_len + 1)].reshape(streams * per_stream, seq_len + 1)
    # Interleave streams so a cap keeps windows from every stream.
    tiles = tiles.reshape(streams, per_stream, seq_len + 1).transpose(0, 1).reshape(-1, seq_len + 1)
    tiles = tiles[:max_windows]
    return tiles[:, :-1].contiguous(), tiles[:, 1:].contiguous()
