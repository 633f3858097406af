"""How a question is framed, apart from what it names: a claim to check, a request for a guess, a creative task.

Why a module of its own: the intents read a question by its entities and keywords, so "my friend says ReGLU
has the best GLUE average — agree?" was a ranking that never said yes, "I heard SwiGLU needs 3x the
parameters, true?" a comparison of cells, and "write me a poem about transformers" a catalog lookup of
"Transformer (base)". The framing words are the same whatever the subject, so they are recognised once,
here, and the planner and the composers consult them.
"""

from __future__ import annotations

import re

#: Hearsay and confirmation tags: the asker repeats a claim and wants it checked.
CLAIM = re.compile(
    r"\b(?:is it true|is that (?:true|right|correct|so)|isn'?t it|aren'?t they|doesn'?t it|don'?t they|"
    r"\b(?:is|was|were|are|does|do|did|has|have|had|can|could|would|will)n'?t (?:it|they|he|she|that|this|there)\b|"
    r"right\s*\?|true\s*\?|correct\s*\?|accurate\s*\?|agree\s*\?|yes\s*\?|no\s*\?|am i right|legit\s*\?|"
    r"\b(?:yep|yeah|yea|innit|too|or not|or what)\s*\?|\b(?:right|correct|true|yes|yep|yeah)\s*[.!]*\s*$|"
    r"true or false|yes or no|\bok\s*\?|\btypo\b|(?:doesn'?t|does not) (?:look|seem) right|"
    r"correct me if i'?m wrong|\bno way\b|\bpretty sure\b|\bi (?:think|believe|assume|thought)\b|\bfact[- ]check\b|"
    r"(?:read|saw|seen|heard) (?:it )?(?:on|in) (?:a|an|the|some) (?:blog|forum|paper|tweet|post|thread|article|video|"
    r"slide|discord|reddit)|saw a (?:tweet|post|thread|slide|comment|video)|"
    r"sanity[- ]check|double[- ]?check|(?:is|are) (?:this|that|these|those) (?:right|correct|accurate|legit)|"
    r"(?:those|these) are the\b|saw (?:on|in) (?:discord|reddit|twitter|x|a forum|hn|hacker news)|"
    r"(?:i|we) (?:read|heard|saw|was told)|^\s*(?:read|heard|saw|seen) (?:that|somewhere|online)\b|"
    r"(?:someone|somebody|people|a friend|my friend|my colleague|"
    r"a colleague|my (?:boss|teacher|professor|advisor|manager)|a (?:blog|tutorial|paper|post|model card|"
    r"slide|lecture|video|book|source))\b.{0,30}\b(?:says?|said|claims?|claimed|told|writes|wrote|states?|"
    r"lists?|argues?|mentions?|insists?|insisted|swears?|swore|reckons?|thinks?|believes?)|"
    r"(?:claims?|claimed|supposedly|allegedly|apparently)\b|can you confirm|confirm\b|"
    r"(?:since|as|because|given that) (?:the |its |their |a )?(?:config|configuration|config\.json|model card|"
    r"docs?|documentation|code|readme)\b.{0,30}\b(?:says?|lists?|has|shows?|sets?)\b|"
    r"so (?:it|they|that) (?:is|are|uses?|computes?|means?)\b|"
    r"(?:and|but) (?:get|gets) identical|identical outputs?|the same formula)",
    re.IGNORECASE,
)
#: A request to predict, guess or invent a value the evidence does not hold.
GUESS = re.compile(
    r"\bwhat would\b.{0,80}\b(?:be|get|score|reach)\b|\bif (?:we|you|i|they|one) (?:trained|train|scaled|scale|"
    r"used|doubled)\b|\bwith \d+x\b|\b\d+x (?:more|larger|bigger)\b|\b(?:best |rough |educated |wild )?guess\b|"
    r"\bextrapolat|\bpredict|\bmake (?:one |a number |something )?up\b|\bplausible\b|\bballpark\b",
    re.IGNORECASE,
)
#: Creative or personal tasks, which no stored fact answers whatever they name.
CREATIVE = re.compile(
    r"^\s*(?:please\s+)?(?:write|compose|draft|create|generate|make|tell|sing)\s+(?:me\s+|us\s+)?(?:a|an|some)\s+"
    r"(?:\w+\s+){0,2}(?:poem|haiku|song|story|limerick|joke|essay|email|letter|tweet|rap|sonnet|cover letter)\b",
    re.IGNORECASE,
)


#: A later part that only frames the claim before it: a confirmation tag, doubt or an aside ("sanity check pls",
#: "thats gotta be a typo", "doesn't look right to me", "its the newer trick"), not a question of its own.
ASIDE = re.compile(
    r"^\s*(?:(?:pls|please|plz|thx|thanks|lol|hmm+|ok(?:ay)?|so|or)\b[\s,!.]*)*(?:sanity[- ]check|double[- ]?check|"
    r"(?:that|this|it)(?:'?s| is| has)? (?:got(?:ta| to) be |must be |looks like |seems like )?(?:a )?"
    r"(?:typo|mistake|wrong|off|weird|odd|tiny|huge|small|big|suspicious)|"
    r"(?:doesn'?t|does not|don'?t|do not) (?:look|seem|sound) right|"
    r"(?:looks?|seems?|sounds?) (?:wrong|off|odd|weird|fishy|suspicious|too \w+)|"
    r"i (?:doubt|don'?t (?:trust|buy|believe))|"
    r"not sure|which (?:one )?(?:is|'s) (?:it|right|correct|true)|(?:true|right|correct|yes|yep|yeah|legit|real) or "
    r"(?:false|wrong|not|no)|(?:it'?s|its) the newer\b|"
    r"(?:true|right|correct|yes|yep|yeah|legit|confirm)\b)"
    r"[^?]{0,40}\??\s*$",
    re.IGNORECASE,
)


def is_aside(part: str) -> bool:
    """Whether a later part of a question only frames the claim of the part before it (see :data:`ASIDE`)."""
    return bool(ASIDE.search(part))


def is_claim(text: str) -> bool:
    """Whether the question repeats a claim for checking ("I read that …, true?")."""
    return bool(CLAIM.search(text))


def asks_for_guess(text: str) -> bool:
    """Whether the question asks for a prediction or an invented number rather than a stored one."""
    return bool(GUESS.search(text))


def is_creative(text: str) -> bool:
    """Whether the question is a creative-writing task (out of scope, whatever it names)."""
    return bool(CREATIVE.search(text))


#: A yes/no question in the asker's own words ("does ReGLU have the best GLUE average?").
YES_NO_START = re.compile(r"^\s*(?:is|was|are|were|does|did|do|has|have|had)(?:n'?t)?\b", re.IGNORECASE)


def verdict(question: str, claimed: list[str], winners: list[str]) -> str:
    """'Yes. ' or 'No. ' before a ranking that checks a claim naming one row as the winner, else ''."""
    if len(claimed) != 1 or not (is_claim(question) or YES_NO_START.search(question)):
        return ""
    return "Yes. " if claimed[0] in winners else "No. "


#: "llama 3 8b intermediate_size is 14336?": a value stated for checking at the end of the question.
STATED_VALUE = re.compile(r"\b(?:is|are|was|were|equals?|of)\s+~?\d[\d.,]*\s*\??\s*$|=\s*\d[\d.,]*\s*\?\s*$")
#: A table value stated for checking ("swiglu superglue avg was 76.00?", "narang swiglu final loss 1.792?"), not a
#: function's argument ("gelu of 3").
STATED_CHECK = re.compile(r"\b(?:is|are|was|were|equals?)\s+~?\d[\d.,]*\s*\?\s*$|=\s*\d[\d.,]*\s*\?\s*$|"
                          r"\b(?:loss|ppl|perplexity|avg|average|score|acc(?:uracy)?|f1|em|bleu|rouge-?2?|xsum|webq)"
                          r"\s*(?:=|:|is|was)?\s*~?\d+\.\d+\s*\?+\s*$", re.IGNORECASE)
#: A value worth checking: three or more digits or a decimal (not the digits of "Llama 3 8B").
_VALUE = re.compile(r"(?<![\w.])\d[\d,]{2,}(?:\.\d+)?(?![\w])|(?<![\w.])\d+\.\d+(?![\w])")


def confirmed(question: str, shown: str) -> str:
    """'Yes. ' before a lookup that checks a stated value ("… is 14336?") when every value the question
    states is among the values shown, else ''. A mismatch is left to the values shown and to the stored
    misreading the number may repeat: a value the lookup does not cover is not thereby wrong."""
    if not (is_claim(question) or YES_NO_START.search(question) or STATED_VALUE.search(question)):
        return ""
    stated = {v.replace(",", "") for v in _VALUE.findall(question)}
    # a verification note may quote a secondary source's wrong value ("the model card prints 14,436")
    values = {v.replace(",", "") for v in _VALUE.findall(HEDGE_TAIL.sub("", shown))}
    return "Yes. " if stated and stated <= values else ""


#: A catalog row's verification note at the end of a line shown.
HEDGE_TAIL = re.compile(r" — verification: .*$", re.MULTILINE)


#: "why is it called SwiGLU?", "where does the name LiGLU come from": a question about a name.
NAMING = re.compile(r"\bwhy (?:is it|do (?:they|people|you)|does \w+(?: et al\.?)?) (?:called|call it|name it)\b|"
                    r"\bwhy (?:is|are) [\w-]+ (?:called|named)\b|\bstands? for\b|"
                    r"\bwhy (?:is|are) (?:it|they) named\b|\bwhere does the name\b|\bwhat does the name\b|"
                    r"\bnamed after\b|\bwhy the name\b|\bwhat'?s in the name\b|\bcall(?:s|ed)? it\b")
#: A claim that one row beats or trails another ("ReLU beat GELU and Swish", "is Swish worse than ReLU").
BEATS = re.compile(r"\b(?:beat|beats|outperform(?:s|ed)?|outscor\w*|outdo(?:es|ne)?|outrank\w*|surpass\w*|"
                   r"better\b[^.?!]{0,40}\bthan|ahead of|won against|wins against|"
                   r"superior to|edges? out)\b", re.IGNORECASE)
TRAILS = re.compile(r"\b(?:worse\b[^.?!]{0,40}\bthan|behind|loses? to|lost to|trails?|inferior to|"
                    r"underperform(?:s|ed)?)\b",
                    re.IGNORECASE)


def is_beat_claim(question: str) -> bool:
    """Whether the question repeats a claim that one row beats or trails the others, for checking."""
    checked = is_claim(question) or bool(YES_NO_START.search(question))
    return checked and bool(BEATS.search(question) or TRAILS.search(question))


#: "is quick_gelu more accurate than the tanh one?": a claim about which GELU approximation is closer.
ACCURACY = re.compile(r"\baccura|\berrors?\b|\bcloser\b|\bprecise\b|\bbetter approximation\b|\boff by\b|"
                      r"\bworse approximation\b")
#: How a question names each approximation ("the tanh one", "quick_gelu", "gelu_new", "the sigmoid one").
FORM_WORDS = (("gelu_tanh", re.compile(r"\btanh\b|gelu_new|gelu_fast|gelu_pytorch_tanh|gelu_tanh", re.IGNORECASE)),
              ("gelu_sigmoid", re.compile(r"\bsigmoid\b|quick_?gelu|gelu_sigmoid|\b1\.702\b", re.IGNORECASE)))
LESS = re.compile(r"\bless accurate\b|\bworse\b|\bless precise\b|\bfurther\b|\bbigger error\b|"
                  r"\blarger error\b", re.IGNORECASE)


def approximations_named(question: str) -> list[str]:
    """The GELU approximations a question names, in the order it names them."""
    found = sorted((m.start(), fn) for fn, pattern in FORM_WORDS if (m := pattern.search(question)))
    return [fn for _, fn in found]


def closer_verdict(question: str, errors: dict[str, float]) -> str:
    """'Yes. ' or 'No. ' for a claim that the first-named approximation is the more (or, with "less accurate",
    the less) accurate of two, judged on their computed largest errors; '' when the question claims neither."""
    named = [fn for fn in approximations_named(question) if fn in errors]
    if len(errors) < 2 or not named or not ACCURACY.search(question) or not (
            is_claim(question) or YES_NO_START.search(question)):
        return ""
    closer = min(errors, key=lambda fn: errors[fn])
    return "Yes. " if (named[0] == closer) != bool(LESS.search(question)) else "No. "
