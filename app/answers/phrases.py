"""The hand-written surface forms of what the lexicon reads from the database: benchmarks, metrics,
training lengths and the paper, as people type them ("super glue", "fully trained", "shazeer").

These are names, not facts: the benchmark, metric and step values they point to come from the stored
tables. Variants, activations and gates have theirs in ``app.vocabulary``.
"""

from __future__ import annotations

# Benchmarks: short names people type -> substring of the stored benchmark name (case-sensitive forms last).
BENCHMARK_ALIASES: dict[str, tuple[str, ...]] = {
    "GLUE": ("glue",),
    "SuperGLUE": ("superglue", "super glue", "super-glue"),
    "SQuAD": ("squad", "squad v1.1", "squad 1.1"),
    "C4": ("c4", "perplexity", "log perplexity", "log-perplexity", "ppl", "pre-training loss", "pretraining loss",
           "held-out loss", "pre-training perplexity", "pretraining perplexity"),
    "GLUE/CoLA": ("cola",),
    "GLUE/SST-2": ("sst-2", "sst2", "sst"),
    "GLUE/MRPC": ("mrpc",),
    "GLUE/STSB": ("sts-b", "stsb", "sts"),
    "GLUE/QQP": ("qqp",),
    "GLUE/MNLI-m": ("mnli-m", "mnli matched", "mnli m"),
    "GLUE/MNLI-mm": ("mnli-mm", "mnli mismatched", "mnli mm", "mismatched"),
    "GLUE/QNLI": ("qnli",),
    "SuperGLUE/BoolQ": ("boolq",),
    "SuperGLUE/CB": ("cb", "commitmentbank"),
    "SuperGLUE/CoPA": ("copa",),
    "SuperGLUE/MultiRC": ("multirc",),
    "SuperGLUE/WiC": ("wic",),
    "SuperGLUE/WSC": ("wsc",),
}
# Ambiguous or common-word names matched only as written.
BENCHMARK_CASED: dict[str, tuple[str, ...]] = {"SuperGLUE/ReCoRD": ("ReCoRD", "RECORD")}
BENCHMARK_MULTI = {"rte": ("GLUE/RTE", "SuperGLUE/RTE"), "mnli": ("GLUE/MNLI-m", "GLUE/MNLI-mm")}

METRIC_ALIASES: dict[str, tuple[str, ...]] = {
    "EM": ("em", "exact match", "exact-match"),
    "F1": ("f1", "f1 score", "f-1"),
    "Acc": ("accuracy", "acc"),
    "MCC": ("mcc", "matthews", "matthews correlation"),
    "PCC": ("pcc", "pearson"),
    "SCC": ("scc", "spearman"),
    "Score Average": ("average", "score average", "avg", "overall score", "mean score"),
}
LONG_STEP_PHRASES = ("full training", "fully trained", "full pre-training", "full pretraining", "fully pre-trained",
                     "fully pretrained", "end of training", "end of pre-training", "long run", "longer run",
                     "longer training", "full length", "full-length", "after pre-training", "after pretraining",
                     "full run", "final perplexity", "final loss", "final log-perplexity", "full-training")
SHORT_STEP_PHRASES = ("short run", "shorter run", "short runs", "early in training", "shorter training",
                      "variability runs", "short training")
PAPER_PHRASES = ("glu variants improve transformer", "glu variants paper", "glu variants", "glu-variants",
                 "glu paper", "shazeer", "shazeer 2020", "the paper", "this paper", "that paper", "2002.05202")
# Families that are ordinary words and must be named in full.
GENERIC_FAMILIES = {"transformer"}

#: Words that mark a question as about this service's subject, so a near-miss spelling of one is corrected.
CUE_WORDS = (
    "activation", "activations", "function", "functions", "compare", "comparison", "difference", "different",
    "better", "worse", "which", "what", "why", "formula", "definition", "approximation", "approximated",
    "approximate", "error", "derivative", "perplexity", "trained", "training", "steps", "models", "model",
    "nonlinearity", "non-linearity", "feedforward", "feed-forward", "intermediate", "hidden", "dimension",
    "paper", "variants", "variant", "gated", "experiment", "between", "accuracy", "average", "explain",
    "versus", "against", "layers", "heads", "vocabulary", "parameters", "benchmark", "results", "winner",
    "lowest", "highest", "score", "scores", "curve", "plot", "maximum", "worst", "accurate", "ablation",
    "variance", "deviation", "variability", "noisy", "noisiest", "spread", "stdev",
    "width", "experts", "expert", "slope", "gradient", "weights",
    # words of their own, never slips of other words ("weights of one layer", "with 64 experts", "shared expert")
    "layer", "with", "shared", "routed",
)

#: Organizations as people name them -> the word their catalog ``organization`` contains (case-insensitive).
ORGANIZATION_ALIASES: dict[str, str] = {
    "google deepmind": "deepmind", "deepmind": "deepmind", "google": "google", "openai": "openai",
    "meta": "meta", "facebook": "meta", "mistral": "mistral", "tii": "tii", "bigscience": "bigscience",
    "microsoft": "microsoft", "alibaba": "alibaba", "deepseek": "deepseek", "allen ai": "allen", "allenai": "allen",
    "ai2": "allen", "allen institute": "allen", "nvidia": "nvidia", "eleutherai": "eleutherai",
    "eleuther": "eleutherai",
    "answer.ai": "answer.ai", "answerai": "answer.ai", "qwen": "qwen",
}
