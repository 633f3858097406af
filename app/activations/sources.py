"""Where each registry entry comes from: the paper (or code) that introduced it, as plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a function was introduced: enough to find the paper, and its arXiv id when it has one."""

    title: str
    authors: str
    year: int
    arxiv: str | None = None
    venue: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


GELU_PAPER = Source("Gaussian Error Linear Units (GELUs)", "Dan Hendrycks, Kevin Gimpel", 2016, arxiv="1606.08415")
GLU_VARIANTS_PAPER = Source("GLU Variants Improve Transformer", "Noam Shazeer", 2020, arxiv="2002.05202")
RELU_PAPER = Source(
    "Rectified Linear Units Improve Restricted Boltzmann Machines",
    "Vinod Nair, Geoffrey E. Hinton",
    2010,
    venue="ICML 2010",
)
SWISH_PAPER = Source(
    "Searching for Activation Functions",
    "Prajit Ramachandran, Barret Zoph, Quoc V. Le",
    2017,
    arxiv="1710.05941",
    note="x·σ(x) also appears as SiLU in Elfwing, Uchibe & Doya (arXiv:1702.03118).",
)
SOFTPLUS_PAPER = Source(
    "Incorporating Second-Order Functional Knowledge for Better Option Pricing",
    "Charles Dugas, Yoshua Bengio, François Bélisle, Claude Nadeau, René Garcia",
    2000,
    venue="NIPS 2000",
)
MISH_PAPER = Source("Mish: A Self Regularized Non-Monotonic Activation Function", "Diganta Misra", 2019, "1908.08681")
ELU_PAPER = Source(
    "Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
    "Djork-Arné Clevert, Thomas Unterthiner, Sepp Hochreiter",
    2015,
    arxiv="1511.07289",
)
SELU_PAPER = Source(
    "Self-Normalizing Neural Networks",
    "Günter Klambauer, Thomas Unterthiner, Andreas Mayr, Sepp Hochreiter",
    2017,
    arxiv="1706.02515",
)
PRIMER_PAPER = Source(
    "Primer: Searching for Efficient Transformers for Language Modeling",
    "David R. So, Wojciech Mańke, Hanxiao Liu, Zihang Dai, Noam Shazeer, Quoc V. Le",
    2021,
    arxiv="2109.08668",
)
GLU_PAPER = Source(
    "Language Modeling with Gated Convolutional Networks",
    "Yann N. Dauphin, Angela Fan, Michael Auli, David Grangier",
    2016,
    arxiv="1612.08083",
)
GEMMA_PAPER = Source(
    "Gemma: Open Models Based on Gemini Research and Technology",
    "Gemma Team, Google DeepMind",
    2024,
    arxiv="2403.08295",
    note="'the approximated version of the GeGLU activation function'; the gate itself is Shazeer's (2020).",
)
GPT_OSS_CODE = Source(
    "gpt-oss reference implementation, gpt_oss/torch/model.py: swiglu(alpha=1.702, limit=7.0)",
    "OpenAI",
    2025,
    venue="github.com/openai/gpt-oss (model code)",
    note="The experts' activation in code; the transformers gpt_oss configuration carries swiglu_alpha 1.702 and "
    "swiglu_limit 7.0.",
)
