"""Words that decide whether a question sharing words with the service's subject is still about it: a how-to
about using a model, a shopping question, and the context words a bare setup word ("how long", "speed")
needs before it is read as a question about the papers' training setup.

Why a module of its own: these are word tables about the asker's purpose, not about any stored name, and
the planner consults them after the intent is read to turn it out of scope; they change with the kinds of
off-topic questions people ask, independently of how any answer is planned.
"""

from __future__ import annotations

import re

from app.answers.entities import Entities

#: "how do i fine-tune llama 3 on my own data": a how-to about using a model, which no stored table answers.
HOW_TO = re.compile(r"^\s*(?:how (?:do|can|should|would) (?:i|we|you|one)|how to|can you help me|help me|"
                    r"what'?s the (?:best|easiest) way to)\s+(?:fine-?tune|finetune|train|install|deploy|run|host|"
                    r"serve|quantize|set up|setup|debug|fix|speed up|download|load|prompt|build|code|implement|"
                    r"distill)\b",
                    re.IGNORECASE)
#: "what's the best gpu for training transformers": a shopping question, whatever domain words it has.
RECOMMEND = re.compile(r"\b(?:best|good|recommend\w*|should i (?:buy|get|use)|cheapest|which \w+ (?:to|should i) "
                       r"(?:buy|get))\b.{0,30}\b(?:gpus?|laptops?|computers?|cards?|hardware|cloud|providers?|books?|"
                       r"courses?|tutorials?|cpus?|macbooks?)\b", re.IGNORECASE)


def _off_topic(read: str, entities: Entities) -> str:
    """Why a question that shares words with the service's subject is still outside it ('' when it is not)."""
    functions = entities.activations or entities.gates or entities.variants
    if HOW_TO.search(read) and not functions:
        return "a how-to about using a model, not a question about its FFN or the papers"
    if RECOMMEND.search(read) and not functions and not entities.models:
        return "a request for a product or reading recommendation"
    return ""


#: Words that place a setup question in the papers' experiments whatever else it says …
STRONG_CONTEXT = re.compile(
    r"\b(?:paper|train\w*|pre-?train\w*|fine-?tun\w*|steps?|models?|glu\w*|ffns?|mlps?|t5|shazeer|narang|"
    r"transformers?|experiments?|runs|variability|c4|perplexity|d_ff|d_model|authors?|they|their)\b", re.IGNORECASE)
#: … and the asker's own things, which a setup word alone does not make a question about the papers ("the
#: best optimizer for my sourdough starter").
PERSONAL = re.compile(r"\b(?:my|mine|i|i'm|im|me|our|we)\b", re.IGNORECASE)
#: Words that put a bare setup word ("how long", "speed") in the papers' training setup; without one and
#: without any known name, the question is about something else ("how long do i boil an egg").
SETUP_CONTEXT = re.compile(
    r"\b(?:paper|train\w*|pre-?train\w*|fine-?tun\w*|steps?|models?|glu\w*|ffns?|mlps?|t5|shazeer|narang|"
    r"transformers?|experiments?|runs|variability|optimi[sz]er|adafactor|dropout|learning rate|lr|warmup|"
    r"batch|sequences?|tokens?|d_ff|d_model|attention|c4|bias(?:es)?|beta|β|objective|"
    r"perplexity|tpu|seeds?|authors?)\b", re.IGNORECASE)
