"""Benchmarks users ask about that neither stored paper reports, recognised so the answer declines by name.

Kept apart from the derived-question detectors: this is a list of names, and the decline needs only
the label, not the rest of the detection machinery.
"""

from __future__ import annotations

import re

#: Benchmarks users ask about that neither stored paper reports (name as the user may write it -> label).
OTHER_BENCHMARKS = {
    r"wiki\s?text[- ]?103": "WikiText-103", r"wiki\s?text[- ]?2": "WikiText-2", r"wiki\s?text": "WikiText",
    r"\bptb\b|penn tree\s?bank": "Penn Treebank", r"\blambada\b": "LAMBADA", r"\bmmlu\b": "MMLU",
    r"hellaswag": "HellaSwag", r"imagenet": "ImageNet", r"\bthe pile\b": "The Pile",
    r"openwebtext": "OpenWebText", r"winogrande": "WinoGrande", r"\bgsm8k\b": "GSM8K",
    r"human\s?eval": "HumanEval", r"trivia\s?qa": "TriviaQA", r"squad ?(?:v?2(?:\.0)?)\b": "SQuAD 2.0",
    r"\barc(?:[- ](?:challenge|easy|c|e))?\b": "ARC", r"\bpiqa\b": "PIQA", r"\bsiqa\b|social ?iqa": "SIQA",
    r"\benwik8\b": "enwik8", r"\btext8\b": "text8", r"\bbbh\b|big[- ]?bench": "BIG-Bench",
    r"\bdrop\b(?= benchmark| score| f1| results)": "DROP", r"openbook ?qa": "OpenBookQA",
    r"commonsense ?qa": "CommonsenseQA", r"natural ?questions|\bnq\b": "Natural Questions",
    r"truthful ?qa": "TruthfulQA", r"\bmt[- ]bench\b": "MT-Bench", r"alpaca ?eval": "AlpacaEval",
    r"\bcifar": "CIFAR", r"\bcoco\b": "COCO", r"\bc[- ]eval\b": "C-Eval", r"\bmbpp\b": "MBPP",
    r"\bmath benchmark\b|\bmath dataset\b": "MATH",
    r"\bcnn ?/ ?(?:dm|daily ?mail)\b|\bcnn[- ]daily ?mail\b": "CNN/DailyMail",
    r"\brouge[- ]?(?:l|lsum)\b": "ROUGE-L", r"\brouge[- ]?1\b": "ROUGE-1", r"\bbert ?score\b": "BERTScore",
    r"\bchrf\b": "chrF", r"\bmeteor\b": "METEOR", r"\bgpqa\b": "GPQA", r"\bmmlu[- ]?pro\b": "MMLU-Pro",
    r"\bifeval\b": "IFEval", r"\bagi ?eval\b": "AGIEval", r"\bboolq\b(?=.*\bnarang\b)": "BoolQ",
    r"\b(?:google(?:'s)?\s+)?(?:one\s+)?billion[- ]words?\b|\blm1b\b|\b1b words\b": "One Billion Word",
    r"\bpg-?19\b": "PG-19",
    r"\ben[- ]?fr\b|\benglish[- ]to[- ]french\b|\benglish[- –]french\b": "WMT En-Fr",
    r"\ben[- ]?ro\b|\benglish[- ]to[- ]romanian\b|\benglish[- –]romanian\b": "WMT En-Ro",
    r"\bwnli\b": "WNLI",  # the GLUE task the GLU-variants paper leaves out of its Table 2
}


def other_benchmark(text: str, question: str = "") -> str:
    """The label of a benchmark the question names that neither stored paper reports, or ''. A label with
    digits ("SQuAD 2.0") is given as the asker wrote it, so its digits are recognisably theirs, not a value."""
    for pattern, label in OTHER_BENCHMARKS.items():
        found = re.search(pattern, text)
        if found:
            written = re.search(re.escape(found.group(0)), question, re.IGNORECASE) if question else None
            return written.group(0) if written and re.search(r"\d", label) else label
    return ""


#: "dauphin et al's gated cnn": a paper by authors other than the two stored papers' (and Raffel et al.'s noise).
OTHER_AUTHORS = re.compile(r"\b(?!(?:narang|shazeer|raffel)\b)([a-z]{3,})\s+et\s+al\b", re.IGNORECASE)
