"""What a question asks for, from cue words and the entities found, with follow-ups resolved.

Why rules: each intent maps to one way of composing an answer from stored data, the rules are few and
readable, and the rule that fired is shown in "how this was answered". Follow-ups ("and after full
training?", "what about SwiGLU?") take the previous answer's slots from the thread and replace or extend
them with what the new question names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.answers import pasted_config
from app.answers.entities import Entities
from app.answers.followup_cues import APPLIED, CORRECTION, DANGLING_POSSESSIVE, ON_THAT, RANKS
from app.answers.framing import STATED_CHECK, is_beat_claim, is_claim
from app.answers.lexicon import Lexicon
from app.answers.phrases import ORGANIZATION_ALIASES
from app.answers.slots import ARCH_KEYWORDS, RECIPE_KEYS, SETUP_KEYWORDS, Slots, _keys_in, _merge, slots_from

INTENTS = (
    "fact", "best", "compare", "why_model", "model_activation", "models_using", "math", "run_comparison",
    "explain", "paper_setup", "architecture", "verify", "help", "out_of_scope",
)

RUN = re.compile(
    r"\b(run|start|launch|kick off|queue|train|do|execute)\b.{0,60}\b(comparison|compare|experiment|job|"
    r"race|training run|tiny models?|small models?|benchmark)\b|\b(run|start)\b.{0,30}\b(vs|versus|against)\b"
)
WHY = re.compile(r"\bwhy\b|\bwhys\b|\bwhy's\b|\breasons?\b|\bmotivat|\bjustif|\brationale\b|\bhow come\b|\bchose\b|"
                 r"\bchoose\b|"
                 r"\bchoice\b|\bpicked?\b|\bprefer|\bthe point of\b|\bpurpose of\b|\bwhat for\b|\bidea behind\b|"
                 r"\breasoning\b|\bintuition\b|\bgo(?:es)? with\b|\bend(?:ed)? up with\b|\bwhat'?s the deal\b|"
                 r"\bwhat is the deal\b|\bwhat'?s up with\b|\bmechanis\w*\b|\bwhat makes\b.{0,40}\b(?:work|better|beat|"
                 r"win|outperform|help)\w*")
USES = re.compile(
    r"\b(which|what|wich)\b.{0,40}\b(activation|non-?linearity|ffn|mlp|feed[- ]?forward|gate|gating|glu|"
    r"function|act|act[ _]fn|nonlin)\b|\b(does|do|did)\b.{0,40}\buse\b|\buses\b|\busing\b|\bhidden_act|"
    r"\bactivation of\b"
)
MODELS_USING = re.compile(
    r"\b(which|what|wich)\s+(other\s+)?(?:catalog\s+)?(models?|llms?|networks?|architectures?|entries|checkpoints)\b|"
    r"\bwho uses\b|\bmodels? (that )?"
    r"(?:uses?|using)\b|\bused (by|in)\b|\bmodels (?:with|whose)\b|\blist (of )?models\b|\blist\b.{0,40}\bmodels\b|"
    r"\bmodels in the catalog\b|\b(which|what|wich|any|list|name|show)\b(?:\s+[\w-]+){0,4}?\s+models?\b|"
    # "anything in the catalog using squared relu?", "does anyone ship reglu": the catalog asked by use
    r"\b(?<!would )(?<!should )(?<!could )(?:anything|anyone|anybody|something|everything|who|whom)\b.{0,30}"
    r"\b(?:us(?:e|es|ing)|ships?|adopt\w*|run(?:s|ning)?)\b|"
    r"\b(?:in|from) the catalog\b.{0,20}\b(?:us(?:e|es|ing)|run(?:s|ning)?)\b"
)
#: "who else uses geglu besides gemma": the catalog's other models with that activation.
BESIDES = re.compile(r"\b(?:besides|other than|apart from|except|excluding|aside from)\b|\b(?:who|what|which) else\b|"
                     r"\bany others?\b|\bother (?:models|llms)\b")
#: "does mistral 7b use the same activation as llama 2 7b", "is phi-2's activation the same as gpt-2's".
SAME_AS = re.compile(r"\bsame\b|\bidentical\b|\bdiffer(?:ent|s)?\b|\bmatch(?:es)?\b", re.IGNORECASE)
#: A bound on a width ("d_model of 4096 or more" is the width itself; "at least 4096", "over 20000").
_BOUND = (r"at least|at most|no less than|no more than|more than|less than|greater than|bigger than|smaller than|"
          r"larger than|over|under|above|below|up to|>=|<=|≥|≤|>|<")
#: What a list of catalog models may be filtered by besides its activation: who released it, when, its FFN kind.
CATALOG_FILTER = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ORGANIZATION_ALIASES) + r")(?:'s)?\b|"
                            r"\b(?:dense|gated|ungated|moe|mixture[- ]of[- ]experts)\b|\b(?:19|20)\d\d\b|"
                            r"\b(?:d_ff|d_model|intermediate[_ ]size|hidden[_ ]size|ffn (?:width|size|dim))\s*"
                            rf"(?:of|=|:|is)?\s*(?:(?:{_BOUND})\s*)?\d{{3,}}|"
                            rf"\b(?:{_BOUND})\s*\d{{3,}}\s*(?:d_ff|d_model|intermediate[_ ]size|hidden[_ ]size)\b")
#: "alibaba models + their widths", "what did deepseek release", "models released in 2023 with swiglu".
ORG_MODELS = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ORGANIZATION_ALIASES) + r")(?:'s)?\s+(?:\w+\s+)?"
                        r"models?\b|\bwhat (?:did|has|have) (?:" + "|".join(re.escape(a) for a in ORGANIZATION_ALIASES)
                        + r") (?:release|ship|put out|publish|train|make|build)|^\s*(?:all\s+|the\s+)?"
                        # "dense models from 2023": the FFN kind in front of the rows asked for
                        r"(?:(?:dense|gated|ungated|non-gated|moe)\s+)?(?:models?|llms?)\s+"
                        r"(?:released|from|by|with|that|in|of)\b")
#: "the widest ffn in the catalog", "oldest model in the catalog": one end of a catalog column.
CATALOG_EXTREME = re.compile(r"\b(?:widest|narrowest|largest|biggest|smallest|oldest|newest|earliest|latest|"
                             r"most recent)\b.{0,40}\b(?:catalog|models?)\b|\b(?:catalog|models?)\b.{0,40}\b(?:widest|"
                             r"narrowest|largest|biggest|smallest|oldest|newest|earliest|latest)\b")
COMPARE = re.compile(
    r"\bvs\.?\b|\bversus\b|\bcompar|\bbetter\b|\bworse\b|\bdifference\b|\bdiffer\b|\bbeats?\b|\boutperform|"
    r"\bagainst\b|\bthan\b|\bbetween\b|\bor\b|\bgap\b|\bhow (much|far)\b"
)
#: "who's last on boolq", "ranks last on cola": the bottom of a column asked without "worst".
LAST = r"\bwho(?:'s| is| was)\s+last\b|\b(?:ranks?|ranked|placed?|sits?|is|was)\s+last\b|\blast on\b|\bin last\b"
BEST = re.compile(r"\bbest\b|\blowest\b|\bhighest\b|\bwinners?\b|\bwins?\b|\btop\b|\btops\b|\btopped\b|"
                  r"\bstrongest\b|\bleader\b|\b(?:ends?|ended|came|comes|finish(?:es|ed)?) (?:up )?(?:in )?last\b|"
                  r"\bworst\b|\bweakest\b|\blast place\b|\bwhich (variant|one|ffn)\b|" + LAST)
WORST = re.compile(r"\bworst\b|\bweakest\b|\blast place\b|\bbottom\b|\b(?:ends?|ended|came|comes|finish(?:es|ed)?)"
                   r" (?:up )?(?:in )?last\b|\bdead last\b|" + LAST)
LOWEST = re.compile(r"\blowest\b|\bsmallest\b|\bminimum\b")
HIGHEST = re.compile(r"\bhighest\b|\blargest\b|\bmaximum\b|\bbiggest\b")


def rank_order(question: str) -> str:
    """Which end of a column the question asks for: the best or worst variant (by the metric's direction),
    or literally the lowest or highest value ("lowest GLUE score" is the worst; "lowest perplexity" the best)."""
    text = question.lower()
    if WORST.search(text):
        return "worst"
    if LOWEST.search(text):
        return "lowest"
    if HIGHEST.search(text):
        return "highest"
    return "best"
MATH = re.compile(
    r"\bformula\b|\bequation\b|\bdefin|\bmath|\berrors?\b|\baccurate\b|\baccuracy of the\b|\bprecise\b|"
    r"\bapproximat|\bderivative\b|\bgradient\b|\bslope\b|\bplot\b|\bcurve\b|\bgraph\b|\bcompute\b|\bcalculate\b|"
    r"\bvalue (at|of)\b|\bminimum\b|\bmin\b|\bshape\b|\bwhat (is|are|does)\b|\bhow (is|does)\b.{0,20}\b(defined|"
    r"computed|look)\b|\bdiffer"
)
EXPLAIN = re.compile(
    r"\bexplain|\bwhat does .{0,40}\bmean\b|\bmeaning\b|\bis it true\b|\blimitations?\b|\bnot show|\bcaveats?\b|"
    r"\brule\b|\bmisread|(?<!i'm )(?<!im )(?<!i am )\bwrong\b|\bmistake|\bdivine\b|\bbenevolence\b|\btheory\b|"
    r"\bablation\b|\btwice\b|"
    r"\bintermediate[_ ]size\b|\bparameter count\b|\bsignificant\b|\bnoise\b|\bpopular\b"
)
YES_NO = re.compile(r"^\s*(is|was|are|were|does|did|do|has|have|can)\b|\btrue\b|\bcorrect\b|\bright\b")
FOLLOW_UP = re.compile(
    r"^\s*(and|what about|how about|what of|and for|same for|now for|also|but|then|ok(ay)?|and what about|"
    r"and at|and on|and after|what if)\b"
)
#: "how does gpt-oss's activation differ from normal swiglu": a model's activation set against a named one.
#: "walk me through how llama 2 70b gets 28672", "how does X end up with 14336": how a stated width is derived.
DERIVATION = re.compile(r"\bhow (?:does|did|do|is|was|come) .{0,50}\b(?:get|gets|got|arrive[sd]?|end(?:s|ed)? up|"
                        r"come[s]? (?:up with|to|out)|reach(?:es|ed)?|land(?:s|ed)?|derived?|computed?|calculated?)\b|"
                        r"\bwalk (?:me |us )?(?:thr(?:ough|u|ough how))\b|\bwhere does .{0,40}\bcome from\b|"
                        r"\bstep[- ]by[- ]step\b|\bshow (?:me )?the (?:math|arithmetic|derivation)\b")
#: "what's the difference between the 65k and 524k columns", "what do the numbers in parentheses mean".
COLUMN_MEANING = re.compile(r"\b(?:difference between|what (?:is|are|do|does)|whats|what's)\b.{0,50}\b(?:columns?|"
                            r"parenthes[ie]s|brackets)\b|\b(?:columns?|parenthes[ie]s|brackets)\b.{0,30}\bmean\b")
#: The FFN's matrices by the paper's letters or the Hugging Face names ("which one is W, V, W2", "what's up_proj").
NOTATION = re.compile(r"\bnotation\b|\bgate_proj\b|\bup_proj\b|\bdown_proj\b|\bw ?, ?v\b|\bw_?2\b|w₂")
DIFFERS = re.compile(r"\bdiffer|\bdifference\b|\bcompared? (?:to|with)\b|\bvs\.?\b|\bversus\b|\bunlike\b")
ACTIVATION_WORD = re.compile(r"\bactivation|\bnon-?linearity|\bgat(e|ed|ing)\b|\bglu\b|"
                             # a config's activation field named as such ("intermediate_size and hidden_act")
                             r"\bhidden_act|\bactivation_function\b|\bfeed_forward_proj\b|\bact_fn\b|\bmlp_activations\b")
#: A yes/no question about the function itself (its slope, its value at a point), not about a table value.
ABOUT_FUNCTION = re.compile(r"derivative|\bslope\b|\bgradient\b|\bmonoton|\bat x\b|\bx\s*=|\bd\s*/\s*dx\b|\bapprox|"
                            r"\bat\s+[-−]?\d+(?:\.\d+)?(?![\d.,]|\s*(?:k\b|steps?\b|%|[mb]\b))|"
                            r"\berrors?\b|\boff by\b|\bminim|\bmaxim|\bdips?\b|\blowest point\b|"
                            r"\b[a-z_]+\s*(?:'{1,2}|′|″)?\s*\(\s*[-−]?\d")
#: A function written as called on a number ("silu(3)", "gelu′(-1)", "tanh( 0.5 )").
CALLED_AT = re.compile(r"\b[a-z_]+\s*['′]*\s*\(\s*[-−]?\d")
#: A point named for a function ("at x=-1", "at -0.5", "for x = 2").
AT_POINT = re.compile(r"\b(?:at|for|@)\s+(?:x\s*=\s*)?[-−]?\d+(?:\.\d+)?(?![\d.,]|\s*(?:k\b|steps?\b|%|[mb]\b))|"
                      r"\bx\s*=\s*[-−]?\d")
#: "why is relu's derivative undefined at 0", "why is it not differentiable at x=0": a slope at a point.
SLOPE_AT = re.compile(r"\bderivative|\bgradient|\bslope|\bdifferentiab")
WHERE_ELSE = re.compile(r"\bwhere\b|\bpeaks?\b|\bat what x\b")
#: A bare question about noise ("spread?", "std?", "how noisy?"): about the previous answer's cells.
NOISE = re.compile(r"\bspread\b|\bstd\b|\bstd ?dev|\bstddev\b|\bnois[ey]\b|\bvariance\b|\bvariability\b|"
                   r"\berror bars?\b|±|\+-|\bsignifican|\bmeaningful\b|"
                   r"\b(?:vary|varies|varied|variation|fluctuat\w*)\b.{0,30}\b(?:runs?|seeds?|trials?)\b")
HELP = re.compile(r"^\s*(hi|hello|hey|help|thanks|thank you)\b|\bwhat can you (do|answer)\b|\bhow do i use\b")


@dataclass
class Intent:
    name: str
    slots: Slots
    rule: str
    follow_up_of: int | None = None
    question: str = ""
    retrieval_query: str = ""
    #: A named operation that answers this question's shape (app.answers.routing); "" for the intent's own.
    operation: str = ""
    #: The parts of a multi-part question, answered in this order (operation "multi_part").
    parts: list[str] = field(default_factory=list)


WH_START = re.compile(r"^\s*(what|which|wich|why|how|who|is|are|does|do|did|can|could|tell|show|explain|list|give)\b")


def _own_frame(text: str, entities: Entities) -> bool:
    """Whether a question carries its own intent, so that it is not read as a follow-up."""
    if WHY.search(text) or RUN.search(text) or BEST.search(text) or MODELS_USING.search(text) or RANKS.search(text):
        return True
    if USES.search(text) and entities.models:
        return True
    if COMPARE.search(text) and len(entities.variant_like()) >= 2:
        return True
    if entities.activations and APPLIED.search(text):
        return True
    words = re.findall(r"[a-z0-9.]+", text)
    return bool(WH_START.search(text)) and len(words) >= 3 and not entities.is_empty()


#: A bare point after a computation ("at -1", "x=2?", "3 then?", "for 0.5 pls"): the same function, elsewhere.
BARE_POINT = re.compile(r"^\s*(?:now|ok|okay|then|so)?\s*(?:at|for|@)?\s*(?:x\s*=\s*)?[-−]?\d+(?:\.\d+)?\s*"
                        r"(?:then|too|instead|pls|please)?\s*[?!.]*\s*$")


#: "ok unrelated: reglu cola?", "different question -": the asker says the thread's subject is left.
TOPIC_SWITCH = re.compile(r"\bunrelated\b|\b(?:different|new|another|separate|other) (?:question|topic|thing)\b|"
                          r"\bswitching (?:topics?|gears)\b|\bchange of (?:topic|subject)\b|\bon another note\b")


def is_follow_up(text: str, entities: Entities, has_context: bool) -> bool:
    """A question that leans on the thread: 'and after full training?', 'what about SwiGLU?', 'why?'."""
    if not has_context or HELP.search(text) or TOPIC_SWITCH.search(text):
        return False
    if FOLLOW_UP.search(text) or (entities.is_empty() and BARE_POINT.match(text)) or DANGLING_POSSESSIVE.search(text):
        return True
    if CORRECTION.match(text):
        return True  # "correction, i meant both of them at x=+1": the last question again, corrected
    if ON_THAT.search(text) and not (entities.benchmarks or entities.metrics or entities.steps or entities.models):
        return True  # "which variant is best on that one": the column is the thread's, however long the question
    if re.search(r"\bthere\s*[?!.]*\s*$", text) and not (entities.benchmarks or entities.models):
        return True  # "who tops em there": the metric named, on the thread's benchmark
    words = re.findall(r"[a-z0-9.]+", text)
    if len(words) > 6:
        return False
    if entities.is_empty():
        return bool(WHY.search(text) or COMPARE.search(text) or BEST.search(text) or EXPLAIN.search(text)
                    or MATH.search(text) or WHERE_ELSE.search(text) or NOISE.search(text))
    return not _own_frame(text, entities)


def _follow_up_intent(text: str, entities: Entities, merged: Slots, previous_intent: str) -> str:
    """A follow-up keeps the previous intent unless it names a new one ('why?', 'which is better?')."""
    variants = list(merged.variants)
    if RUN.search(text):
        return "run_comparison"
    if WHY.search(text) and previous_intent == "math" and merged.numbers and entities.is_empty():
        return "math"  # "relu's slope at 0" … "why?": the value computed there, with what makes it so
    if WHY.search(text):
        return "why_model" if merged.models else "explain"
    if merged.models and _keys_in(text, ARCH_KEYWORDS):
        return "architecture"
    if previous_intent == "architecture" and merged.models and ACTIVATION_WORD.search(text):
        merged.arch_keys = []  # "mistral 7b intermediate size" … "and its activation?"
        return "model_activation"
    if EXPLAIN.search(text):
        return "explain"
    if BEST.search(text) and not entities.variants:
        return "best" if len(variants) < 2 else "compare"
    if previous_intent == "best" and (entities.variants or entities.activations or entities.gates) and (
            len(variants) < 2 and not COMPARE.search(text)):
        return "fact"  # "best squad em variant" … "and for swiglu?": SwiGLU's cell of that column
    if COMPARE.search(text) and len(variants) + len(merged.activations) >= 2 and previous_intent != "math":
        return "compare"
    if previous_intent == "run_comparison":
        return "compare"
    if previous_intent in ("out_of_scope", "help", ""):
        return _base_intent(text, entities, merged)
    if previous_intent == "models_using" and entities.models:
        return "model_activation"
    if previous_intent == "model_activation" and not entities.models and (entities.variants or entities.gates) and (
            not (entities.benchmarks or entities.metrics or entities.steps)):
        return "models_using"
    if previous_intent == "math" and variants and not merged.numbers and (
            entities.benchmarks or entities.metrics or entities.steps):
        return "fact"  # "what's geglu?" … "and its superglue avg?": a table cell, not the formula again
    return previous_intent


def classify(
    question: str, text: str, entities: Entities, lexicon: Lexicon,
    previous: dict[str, Any] | None = None, previous_post_id: int | None = None,
) -> Intent:
    """The intent of ``text`` (the lower-cased, typo-corrected question)."""
    slots = slots_from(entities, text)
    if previous is not None and is_follow_up(text, entities, True):
        prev_intent = str(previous.get("intent", ""))
        prev_slots = Slots.from_dict(previous.get("slots"))
        merged = _merge(prev_slots, slots, prev_intent)
        if prev_intent == "model_activation" and entities.models and SAME_AS.search(text):
            # "mistral 7b activation" … "same as mixtral?": the earlier model set beside the one named now
            merged.models = list(dict.fromkeys([*prev_slots.models, *merged.models]))
        name = _follow_up_intent(text, entities, merged, prev_intent)
        prev_question = str(previous.get("question", ""))
        return Intent(name, merged, f"follow-up of a {prev_intent or 'previous'} answer", previous_post_id,
                      question, f"{prev_question} {question}")
    name, rule = _base_intent_with_rule(text, entities, slots)
    return Intent(name, slots, rule, None, question, question)


#: "what beta …", "which optimizer was …": the setup word is the thing asked for, whatever variants follow.
_ASKED_HEAD = re.compile(r"^\s*(?:what|which)(?:'s| is| was| were| are)?\s+(?:the\s+|a\s+)?(?P<head>[^?]{1,40})")
_SETUP_HEADS = tuple(sorted({p for phrases in SETUP_KEYWORDS.values() for p in phrases if " " not in p
                             and p not in ("setup", "speed", "spread", "depth", "layers", "heads", "d_ff", "d_model",
                                           "tpu", "how long")} | {"learning rate", "sequence length", "context length"},
                            key=len, reverse=True))


#: "weights in one ffn of 512/2048, no biases": a weight count of widths written out, where "no biases" says
#: what is counted, not which setting of the paper's recipe is asked.
_WEIGHTS_OF_SIZES = re.compile(r"\b(?:weights|params?|parameters|parameter count)\b(?=.*\b\d{3,}\b)")


def _asks_for_setup(text: str) -> bool:
    head = _ASKED_HEAD.match(text)
    return head is not None and head.group("head").startswith(_SETUP_HEADS)


def _base_intent(text: str, entities: Entities, slots: Slots) -> str:
    return _base_intent_with_rule(text, entities, slots)[0]


def _paper_reading(text: str, entities: Entities, slots: Slots) -> tuple[str, str] | None:
    """A question about how the paper is set up or written rather than about a result: a setting of its recipe
    ("swiglu's beta", "geglu dropout"), its notation ("which one is W, V, W2") or its columns ("what do the
    numbers in parentheses mean")."""
    if set(slots.setup_keys) & RECIPE_KEYS and not (entities.benchmarks or entities.metrics or entities.steps
                                                    or entities.models or WHY.search(text)
                                                    or CALLED_AT.search(text) or AT_POINT.search(text)
                                                    or _WEIGHTS_OF_SIZES.search(text)):
        return "paper_setup", "a variant and a setting of the paper's recipe (β, biases, dropout …)"
    if (COLUMN_MEANING.search(text) and not (entities.variants or entities.models)) or (
            NOTATION.search(text) and not (entities.benchmarks or entities.metrics or entities.steps)):
        return "explain", "asks about the FFN's matrices or the paper's notation: retrieval over the explanations"
    return None


_EXPERTS = re.compile(r"\bexperts?\b|\bmoe\b|\bmixture[- ]of[- ]experts\b")


def _base_intent_with_rule(text: str, entities: Entities, slots: Slots) -> tuple[str, str]:
    variants = entities.variant_like()
    has_models = bool(entities.models)
    act_or_gate = bool(entities.activations or entities.gates)
    if RUN.search(text):
        return "run_comparison", "asks to run a comparison"
    if HELP.search(text) and entities.is_empty():
        return "help", "greeting or a question about the service"
    stated = bool(YES_NO.search(text) or STATED_CHECK.search(text) or is_claim(text))
    if stated and entities.numbers and (variants or entities.benchmarks or entities.steps) and not (
            ABOUT_FUNCTION.search(text) or (slots.setup_keys and not entities.benchmarks)):
        return "verify", "a yes/no question about a number"
    # "mixtral has 8 experts so why does the catalog just say d_ff 14336": the row's expert layout answers
    moe_width = has_models and bool(slots.arch_keys and _EXPERTS.search(text)) and not entities.benchmarks
    if WHY.search(text) and has_models and not moe_width:
        return "why_model", "'why' and a model name"
    if slots.setup_keys and not (has_models or entities.benchmarks) and _asks_for_setup(text):
        return "paper_setup", "asks for a setup value by name ('what beta …', 'which optimizer …')"
    # a pasted config's activation field is the file's, not a function asked about beside the width
    pasted_act = act_or_gate and bool(pasted_config.BLOCK.search(text)) and not variants
    if has_models and stated and any(n >= 100 for n in entities.numbers) and not (
            (act_or_gate and not pasted_act) or variants or entities.benchmarks or entities.metrics or entities.steps
            or WHY.search(text) or DERIVATION.search(text)):
        return "architecture", "a model and a stated width to check"
    if has_models and DERIVATION.search(text) and (entities.numbers or slots.arch_keys):
        return "explain", "how a model's width is arrived at: retrieval over the explanations and misreadings"
    if has_models and slots.arch_keys and (moe_width or not WHY.search(text)) and not ACTIVATION_WORD.search(text):
        return "architecture", "a model and an architecture parameter"
    # "who else uses geglu besides gemma": not the named model's activation, the catalog's other models
    others = BESIDES.search(text) and (variants or act_or_gate) and not (entities.benchmarks or entities.metrics)
    if has_models and not others and (USES.search(text) or not (variants or act_or_gate) or (
            ACTIVATION_WORD.search(text) and DIFFERS.search(text) and not entities.benchmarks)):
        return "model_activation", "a model and 'which activation/uses'"
    if (MODELS_USING.search(text) or ORG_MODELS.search(text)) and (variants or act_or_gate):
        return "models_using", "'which models' and an activation"
    if (((MODELS_USING.search(text) or ORG_MODELS.search(text)) and CATALOG_FILTER.search(text))
            or CATALOG_EXTREME.search(text)) and not (
            has_models or entities.benchmarks or entities.metrics or entities.steps):
        return "models_using", "'which models' and who released them, when, or their FFN kind"
    if has_models and (act_or_gate or entities.variants) and not (
            entities.benchmarks or entities.metrics or entities.steps or entities.numbers or WHY.search(text)
            or ABOUT_FUNCTION.search(text)):
        return "model_activation", "a model and an activation named: what that model's FFN computes"
    reading = _paper_reading(text, entities, slots)
    if reading is not None:
        return reading
    if len(entities.variants) >= 2 and is_beat_claim(text) and not WHY.search(text):
        return "compare", "a claim that one variant beats another: checked on their cells"
    # … and "why is relu's derivative undefined at 0": a slope at a point, computed with what makes it so
    if act_or_gate and (CALLED_AT.search(text) or AT_POINT.search(text)) and not (
            entities.benchmarks or entities.metrics or entities.steps or has_models or (
                WHY.search(text) and not SLOPE_AT.search(text))):
        return "math", "functions evaluated at a point ('silu(3) vs gelu(3)', 'how wrong is it at x=-1'): computed"
    if WHY.search(text) or EXPLAIN.search(text):
        if len(variants) >= 2 and COMPARE.search(text) and not EXPLAIN.search(text) and not WHY.search(text):
            return "compare", "two variants and a comparison word"
        return "explain", "'why'/'explain' without a model: retrieval over the explanations"
    if len(variants) >= 2 and (COMPARE.search(text) or len(entities.variants) >= 2):
        if act_or_gate and not entities.variants and MATH.search(text) and not (
            entities.benchmarks or entities.steps or entities.metrics
        ):
            return "math", "activations and a math word"
        return "compare", "two or more variants"
    if BEST.search(text) and (entities.benchmarks or entities.metrics or entities.steps or entities.paper
                              or "variant" in text or "ffn" in text):
        return "best", "'best/lowest/highest' and a benchmark"
    if slots.setup_keys and (entities.paper or not (variants or act_or_gate)) and not entities.benchmarks:
        return "paper_setup", "a setup word (batch, optimizer, steps …)"
    if act_or_gate and not (entities.benchmarks or entities.metrics or entities.steps):
        if entities.variants and not entities.activations and not MATH.search(text):
            return "fact", "a variant without a benchmark: its headline results"
        return "math", "an activation without a benchmark"
    if variants:
        return "fact", "a variant and a benchmark, metric or length"
    if entities.benchmarks or entities.metrics or entities.steps:
        return "best", "a benchmark without a variant: who is best"
    if entities.paper:
        return "explain", "about the paper: retrieval over the explanations"
    return "out_of_scope", "no known entity"
