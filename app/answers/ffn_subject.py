"""Whether a question's subject is outside the feed-forward layer (attention layout, windows, vocabulary,
training recipe), so that answers about FFN widths or activations do not stand in for it.
"""

from __future__ import annotations

import re

#: A why about a model's choice outside the FFN (attention layout, windows, training recipe, vocabulary).
BEYOND_FFN = re.compile(r"\battention\b|\bkv heads?\b|\bmulti-?query\b|\bgrouped-?query\b|\bgqa\b|\bmqa\b|"
                        r"\bsliding[_ ]window\b|\blocal layers?\b|\bdistill\w*|\bvocab\w*|\btokeni[sz]\w*|"
                        r"\bcontext (?:length|window)\b|\brope\b|\bsoft-?cap\w*|\bfrom scratch\b|\bhead_?dim\b")
#: Words that put the FFN back in the question's subject.
FFN_SUBJECT = re.compile(r"\bffns?\b|\bmlps?\b|feed[- ]?forward|activation|\bglu\b|geglu|swiglu|\bgelu|\brelu|"
                         r"\bsilu\b|d_ff|intermediate|hidden_act|non-?linearit")


def beyond_ffn(question: str) -> bool:
    """'why 1 kv head', 'sliding_window 512 vs 1024': a part of the model other than the FFN is the subject."""
    text = question.lower()
    return bool(BEYOND_FFN.search(text) and not FFN_SUBJECT.search(text))
