"""Greetings and thanks around a question: read past them, so "hi, quick question: did swiglu get 74.56?"
is the yes/no question it ends with and "how far apart thanks!" the follow-up it starts with.

Every rule of the planner reads the question from its first word ("did …" is a claim to check, "and …" a
follow-up) or up to its last ("… source?"), so politeness at either end used to hide what was asked. Only
words that carry no content are dropped, and a message that is nothing but a greeting or thanks is kept whole
(the help answer reads it).
"""

from __future__ import annotations

import re

_GREETING = (r"(?:hi|hello|hey|hiya|heya|howdy|yo|greetings|good (?:morning|afternoon|evening|day))"
             r"(?:\s+(?:there|all|everyone|folks|team|guys|people|friend|bot))?")
_ASKING = (r"(?:(?:a|one|another|one more|small|quick|short|simple|random|dumb|stupid|silly|noob|newbie|basic|"
           r"honest|serious|general|technical)\s+)+(?:question|q)(?:\s+(?:for you|here))?|"
           r"(?:question|q)(?=\s*[:\-–—])")
_SORRY = (r"sorry (?:if this is (?:a )?(?:dumb|stupid|basic|obvious|silly|noob)(?: question)?|to bother you|"
          r"for the (?:dumb|basic|noob|silly) question)(?:\s*,?\s*but)?")
#: Words that open a sentence and say nothing ("so did swiglu …", "ok, gelu(1)?"); "so" alone stays a question.
_FILLER = r"(?:so|ok|okay|kk?|well|um+|uh+|hmm+|alright|please|pls|plz)"
#: An acknowledgement of the answer just given, closed by a stop: "makes sense. does relu do worse?"
_ACK = (r"(?:(?:that |it )?makes sense|got it|gotcha|i see|cool|nice|great|interesting|ah+|oh+|fair enough|perfect|"
        r"understood|right|wow|neat)(?=\s*[.!,;:\-–—])")
_LEAD = re.compile(rf"^\s*(?:(?:{_GREETING}|{_ASKING}|{_SORRY}|{_ACK}|{_FILLER})\b\s*[,:;.!\-–—]*\s*)+", re.IGNORECASE)

#: A question asked through a request ("can you tell me …", "do you know …"): the question is what follows.
_REQUEST = re.compile(
    r"^\s*(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+|pls\s+)?(?:tell|show|give|remind)\s+me|"
    r"(?:do|does)\s+(?:you|u|anyone|anybody)\s+know|i(?:'d|’d| would) like to know|i (?:want|need) to know|"
    r"i(?:'m|’m| am) (?:curious|wondering)|i was wondering|any idea)\b(?!\s*[,:]?\s*about\b)\s*[,:]?\s*",
    re.IGNORECASE)
#: "… if swiglu beats geglu": a yes/no question asked indirectly; "whether A or B" is a choice, kept as written.
_INDIRECT_YES_NO = re.compile(r"^(?:if|whether)\s+(?!.*\bor\b)", re.IGNORECASE)

_THANKS = (r"(?:thanks|thank you|thx|thnx|tysm|ty|tia|cheers|much appreciated|appreciate it)"
           r"(?:\s+(?:a lot|a ton|so much|very much|in advance|again|for (?:the|your) help))*")
# "many thanks" only after a stop: "out of how many thanks!" asks "out of how many".
_TAIL = re.compile(rf"(?:(?<=[?.!,;:])\s*many\s+|(?<=[\w?.!)\]])[\s,;.!\-–—]*\b){_THANKS}\b[\s!.:;)(]*$",
                   re.IGNORECASE)
#: "true pls?", "why please": the plea goes, the question mark stays.
_PLEA = re.compile(r"(?<=[\w)\]])[\s,]+(?:pls|please|plz)\s*(?=[?!.]*\s*$)", re.IGNORECASE)


def without_courtesy(question: str) -> str:
    """The question without a greeting, filler or request before it and thanks or a plea after it; unchanged
    when nothing else is left."""
    text = _LEAD.sub("", question, count=1)
    asked = _REQUEST.sub("", text, count=1)
    if asked != text:
        text = _INDIRECT_YES_NO.sub("is it true that ", asked, count=1)
    text = _PLEA.sub("", _TAIL.sub("", text, count=1), count=1).strip()
    return text if re.search(r"[A-Za-z0-9]", text) else question
