"""Aspects the stored evidence does not report at all, declined by name instead of answered with the cells.

Why: "geglu inference latency", "swiglu at 1B parameters", "per-seed GLUE results", "swiglu on speech" or
"the learning rate of Gemma 2" name a stored subject, so the lookup answered with that subject's table rows —
a confident answer to another question. Each pattern below names one kind of evidence neither paper nor the
catalog holds, and the decline says what the store has instead.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.framing import GUESS

#: (what the question asks about, how to name it, what the store holds instead).
ASPECTS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\blatency\b|\binference (?:speed|time|cost)\b|\btokens? per second\b|\bwall[- ]clock\b"),
     "inference speed or latency",
     "the GLU-variants paper states one training step time for all variants; Narang et al.'s Table 1 has a "
     "training Step/s column"),
    (re.compile(r"\bmemory\b|\bvram\b|\bactivation memory\b|\bgpu ram\b"),
     "memory use",
     "the variants are matched in parameters and compute (the two-thirds rule), and no memory figures are stored"),
    (re.compile(r"\bat \d+(?:\.\d+)?\s*[bm]\b(?: param\w*| scale)?|\b\d+(?:\.\d+)?\s*[bm] (?:param\w*|scale|model)\b|"
                r"\blarger models?\b|\bbigger models?\b|\bat scale\b|\bscaling\b"),
     "results at other model sizes",
     "both papers train one model size each, a T5-base-sized encoder–decoder"),
    (re.compile(r"\bper[- ]seed\b|\beach seed\b|\bindividual runs?\b|\bevery run\b|\bsingle runs?\b(?= results)"),
     "per-run results",
     "the GLU-variants paper prints one value per cell, and a run-to-run stddev only for its short-run column"),
    (re.compile(r"\b\d+\s*layers?\s*(?:vs\.?|versus|and|or|compared (?:to|with))\s*\d+\s*layers?\b|"
                r"\bdeeper (?:models?|networks?)\b|\bmore layers\b|\bwider models?\b"),
     "results at other depths or widths",
     "both papers train one model size each, a T5-base-sized encoder–decoder, and compare activations only there"),
    (re.compile(r"\bspeech\b|\baudio\b|\basr\b|\bvision\b|\bimages?\b|\bvit\b|\bimage classification\b"),
     "results outside language tasks",
     "the stored results are C4 language modelling and GLUE, SuperGLUE and SQuAD fine-tuning (and Narang et "
     "al.'s XSum, WebQuestions and WMT)"),
    (re.compile(r"\b(?:code generation|code completion|coding|programming|reasoning|math|multilingual|"
                r"instruction[- ]following|long[- ]context|chat)\b(?:\s+\w+){0,2}?\s*(?:benchmarks?|tasks?|results?|"
                r"scores?|evals?|evaluations?|performance)\b|\bon (?:code|coding|reasoning|math)\b"),
     "results on tasks neither paper evaluates",
     "the stored results are C4 language modelling and GLUE, SuperGLUE and SQuAD fine-tuning (and Narang et "
     "al.'s XSum, WebQuestions and WMT)"),
    (re.compile(r"\bdecoder[- ]only\b|\bcausal (?:lm|language model)\b|\bgpt[- ]style\b"),
     "decoder-only results",
     "both papers train encoder–decoder models only"),
    (GUESS,
     "predictions, guesses or invented values",
     "it quotes the stored results as printed and does not extrapolate from them or make numbers up"),
    (re.compile(r"\b(?:loss|training|learning|validation) curves?\b|\bover training steps\b"),
     "training curves",
     "the papers print values after a short and a full training run only; this service can run a small "
     "comparison whose curves it records (\"run a comparison of GEGLU and SwiGLU\")"),
)
#: Experts asked of a paper's variants: neither paper trains a mixture-of-experts model.
MIXTURE = re.compile(r"\bexperts?\b|\bmoe\b|\bmixture[- ]of[- ]experts\b|\brouted\b")
MIXTURE_RESULT = re.compile(r"\bpaper\b|\bshazeer\b|\bnarang\b|\bwith \d+ experts\b|\bresults?\b|\bscores?\b|\bppl\b|"
                            r"\bperplexit|\bloss\b|\bglue\b|\bsquad\b")
LIST_WORDS = re.compile(r"\bmodels?\b|\bwhich\b|\blist\b|\bcatalog\b")
#: A model's training recipe: the catalog holds architectures only.
RECIPE = re.compile(r"\blearning rate\b|\blr\b|\boptimi[sz]er\b|\bbatch size\b|\bwarm-?up\b|\bweight decay\b|"
                    r"\bdropout\b|\btraining recipe\b|\bhyper-?parameters?\b|\b(?:gpu|tpu|accelerator)[- ]hours?\b|"
                    r"\btraining (?:cost|compute|budget|time|energy)\b|\bcost to train\b|\btake to train\b")


def detect(text: str, entities: Entities) -> dict[str, Any] | None:
    """The unreported aspect a question asks about, or None."""
    subject = bool(entities.variants or entities.activations or entities.gates or entities.paper)
    recipe = RECIPE.search(text)
    if entities.models and recipe and not entities.paper:
        asked = "" if recipe.group(0) == "training recipe" else f" ({recipe.group(0)})"  # the setting asked, named
        return {"what": "unreported", "name": f"{entities.models[0].name}'s training recipe{asked}",
                "instead": "the catalog holds each model's architecture (activation, d_model, FFN width) and its "
                           "sources, not how it was trained"}
    if not (subject or entities.models):
        return None
    if subject and not entities.models and MIXTURE.search(text) and MIXTURE_RESULT.search(text) and not (
            LIST_WORDS.search(text)):  # "glu paper swiglu with 4 experts", not "which models use moe with swiglu"
        return {"what": "unreported", "name": "mixture-of-experts results",
                "instead": "both papers train dense encoder–decoder models; the catalog lists the expert layout of "
                           "released MoE models, not results"}
    for pattern, name, instead in ASPECTS:
        if pattern.search(text):
            return {"what": "unreported", "name": name, "instead": instead}
    return None


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    b.add(f"The stored evidence does not report {inputs['name']}: it is not in the stored evidence, so this "
          f"service does not answer it with other numbers; {inputs['instead']}.")
