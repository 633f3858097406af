"""The example questions the home page offers as one-click chips.

Each one is a question the service answers from the stored evidence (a curated explanation, a paper cell,
the catalog or a computed error), so a first visitor sees what the ask box is for; none of them queues a
comparison. The chips post the ask form itself, so they work without JavaScript.
"""

from __future__ import annotations

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Why does Gemma 2 use GeGLU?",
    "Is GEGLU better than SwiGLU?",
    "Why do LLaMA and PaLM use SwiGLU?",
    "What is SwiGLU's perplexity after full training?",
    "Which models use GeGLU?",
    "How accurate is the approximate GELU?",
)
