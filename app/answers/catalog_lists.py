"""Lists of catalog models: which models use an activation, or were released by whom, when, with which FFN
kind or width, and the end of a catalog column ("the widest FFN", "the oldest model").

Why its own module: these answers read the catalog as a table to filter and sort, while the other model
answers look up the rows of the models a question names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from app.answers.builder import Builder, activation_label
from app.answers.entities import Entities
from app.answers.ffn_widths import MOE_SOURCE
from app.answers.intents import BESIDES, Intent
from app.answers.phrases import ORGANIZATION_ALIASES
from app.vocabulary import catalog_labels_for, catalog_labels_for_variant


def _catalog_activation_text(activation_id: str) -> str:
    gated = {"geglu_tanh": "GeGLU with the tanh-approximated GELU (a gated FFN)",
             "geglu": "GeGLU with exact GELU (a gated FFN)", "swiglu": "SwiGLU (a SiLU-gated FFN)",
             "reglu": "ReGLU (a ReLU-gated FFN)",
             "clamped_swiglu_a1.702": "a clamped SwiGLU, g·σ(1.702·g)·(u + 1) with g = min(a, 7) and u = b clipped to "
             "[−7, 7] (a gated FFN)"}
    if activation_id in gated:
        return gated[activation_id]
    if activation_id == "gelu":  # said outright, since the tanh form is the other common reading of "gelu"
        return "exact GELU, the erf form (a dense FFN)"
    return f"{activation_label(activation_id)} (a dense FFN)"


#: The FFN kind a list of models is restricted to ("which catalog models are dense with gelu_tanh").
FFN_KIND = {"dense": re.compile(r"\bdense\b|\bungated\b|\bnon-gated\b|\bnon gated\b|\bnot gated\b"),
            "gated": re.compile(r"(?<!non-)(?<!non )(?<!not )\bgated\b")}
MOE_WORD = re.compile(r"\bmoe\b|\bmixture[- ]of[- ]experts\b")
YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def catalog_filters(question: str) -> dict[str, Any]:
    """Who released the models, when, and which FFN kind a list of catalog models is restricted to."""
    text = question.lower()
    orgs = [word for alias, word in sorted(ORGANIZATION_ALIASES.items(), key=lambda p: -len(p[0]))
            if re.search(rf"(?<![\w.-]){re.escape(alias)}(?:'s)?(?![\w-])", text)]
    if "deepmind" in orgs and "google" in orgs:
        orgs.remove("google")  # "google deepmind" names one organization
    kinds = [k for k, pattern in FFN_KIND.items() if pattern.search(text)]
    width = WIDTH_GIVEN.search(text) or WIDTH_BEFORE.search(text)
    field = None if width is None else ("d_model_text" if re.match(r"d_model|hidden", width.group("field"))
                                        else "d_ff_text")
    return {"orgs": list(dict.fromkeys(orgs)), "kind": kinds[0] if len(kinds) == 1 else None,
            "years": YEAR.findall(text[:width.start()] + " " + text[width.end():]) if width else YEAR.findall(text),
            "moe": bool(MOE_WORD.search(text)),
            "width": None if width is None else (field, int(width.group("number")), _bound(width)),
            "extreme": _extreme(text),
            "count": bool(re.search(r"\bhow many\b", text))}


_ABOVE = (r"at least|no less than|minimum(?: of)?|>=|≥|more than|over|above|greater than|bigger than|larger than|"
          r"wider than|>")
_BELOW = r"at most|no more than|up to|maximum(?: of)?|<=|≤|less than|under|below|smaller than|narrower than|<"
#: "models with d_ff 14336", "d_model = 4096", "d_model of 4096 or more", "d_ff above 20000": a width the
#: listed rows must have, or a bound on it.
WIDTH_GIVEN = re.compile(r"\b(?P<field>d_ff|d_model|intermediate[_ ]size|hidden[_ ]size|ffn (?:width|size|dim))\s*"
                         rf"(?:of|=|:|is)?\s*(?P<before>(?:{_ABOVE}|{_BELOW})\s*)?(?P<number>\d{{3,}})\b"
                         r"(?P<after>\s*(?:\+|or (?:more|higher|greater|larger|bigger|above|wider|over)|"
                         r"and (?:up|above|over)|or (?:less|lower|smaller|fewer|below|narrower|under)|"
                         r"and (?:below|under)))?")
#: "more than 4096 d_model", "at least 20000 d_ff": the bound written before the width it bounds.
WIDTH_BEFORE = re.compile(rf"(?P<before>(?:{_ABOVE}|{_BELOW})\s*)(?P<number>\d{{3,}})\s*(?P<field>d_ff|d_model|"
                          r"intermediate[_ ]size|hidden[_ ]size)\b(?P<after>)")
_STRICT = re.compile(r"more than|over|above|greater than|bigger than|larger than|wider than|>$|less than|under|below|"
                     r"smaller than|narrower than|<$")


def _bound(width: re.Match[str]) -> str:
    """How a width given in the words bounds the rows: '=' (that width), '>=', '>', '<=' or '<'."""
    before, after = (width.group("before") or "").strip(), (width.group("after") or "").strip()
    if not before and not after:
        return "="
    upper = bool(re.match(_BELOW, before)) if before else bool(re.search(r"less|lower|smaller|fewer|below|narrower|"
                                                                           r"under", after))
    strict = bool(before) and bool(_STRICT.match(before))
    return ("<" if upper else ">") + ("" if strict else "=")


_WITHIN = {"=": lambda v, n: v == n, ">=": lambda v, n: v >= n, ">": lambda v, n: v > n,
           "<=": lambda v, n: v <= n, "<": lambda v, n: v < n}
_BOUND_WORDS = {"=": "", ">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< "}
EXTREME_WORDS = {"widest": ("d_ff_text", max), "largest": (None, max), "biggest": (None, max),
                 "narrowest": ("d_ff_text", min), "smallest": (None, min), "oldest": ("year", min),
                 "earliest": ("year", min), "newest": ("year", max), "latest": ("year", max),
                 "most recent": ("year", max)}


def _extreme(text: str) -> tuple[str, Any] | None:
    """Which catalog column a superlative picks the end of ('widest ffn': d_ff; 'smallest d_model'; 'oldest')."""
    found = re.search(r"\b(" + "|".join(EXTREME_WORDS) + r")\b", text)
    if found is None:
        return None
    field, pick = EXTREME_WORDS[found.group(1)]
    if field is None:
        field = ("d_model_text" if re.search(r"\bd_model\b|\bhidden[_ ]size\b|\bmodel dim", text) else
                 "d_ff_text" if re.search(r"\bffn\b|\bd_ff\b|\bmlp\b|\bintermediate\b|\bfeed[- ]?forward\b", text)
                 else None)
    return None if field is None else (field, pick)


#: "gemma models with d_ff above 10000", "list the llama models", "which qwen models …": a family's rows
#: asked for as a list.
FAMILY_LIST = re.compile(r"\bmodels\b(?=.*?\b(?:with|whose|that|having|where)\b)|"
                         r"\b(?:list|which|what|all|show|every|name)\b.{0,30}\bmodels\b", re.IGNORECASE)


def asks_family_rows(text: str) -> bool:
    """Whether the words ask for a list of a family's catalog rows, or the end of a column among them."""
    return (_extreme(text.lower()) is not None or bool(FAMILY_LIST.search(text))) and not BESIDES.search(text)


def family_extreme(text: str, entities: Entities, catalog: list[str]) -> list[str] | None:
    """'smallest d_ff among gemma models', 'which llama has the widest ffn', 'gemma models with d_ff above
    10000': the catalog rows the named family (or families) cover, as their catalog model names, for a list
    or the end of a column among them; None when the words ask neither or the names cover fewer than two
    rows. A family name asked across its models covers every row named after it ("gemma": Gemma 7B,
    Gemma 2 …, Gemma 3 …), not only the one release the bare name stands for elsewhere."""
    if not entities.models or not asks_family_rows(text):
        return None
    members = [m for group in entities.models for m in (*group.members, *_named_after(group.name, catalog))]
    members = list(dict.fromkeys(members))
    return members if len(members) >= 2 else None


def _named_after(family: str, catalog: list[str]) -> list[str]:
    """The catalog rows whose name starts with a family's name, followed by a size, version or hyphen."""
    name = family.lower()
    return [m for m in catalog if m.lower().startswith(name) and m[len(name):len(name) + 1] in ("", " ", "-", "(")]


def _kept(row: dict[str, Any], filters: dict[str, Any]) -> bool:
    if filters.get("members") and row["model"] not in filters["members"]:
        return False
    if filters["orgs"] and not any(o in str(row["organization"]).lower() for o in filters["orgs"]):
        return False
    if filters["kind"] and row["ffn_type"] != filters["kind"]:
        return False
    if filters["years"] and str(row["year"]) not in filters["years"]:
        return False
    if filters.get("width"):
        field, number, bound = filters["width"]
        value = _number(row[field])
        if value is None or not _WITHIN[bound](value, number):
            return False
    return not filters["moe"] or bool(MOE_SOURCE.match(str(row.get("source", ""))))


def _extreme_label(extreme: tuple[str, Any]) -> str:
    field, pick = extreme
    if field == "year":
        return "the newest" if pick is max else "the oldest"
    return f"{'largest' if pick is max else 'smallest'} {field.removesuffix('_text')}"


def _number(text: object) -> int | None:
    digits = str(text).replace(",", "")
    return int(digits) if digits.isdigit() else None


def _compose_filtered(b: Builder, filters: dict[str, Any], wanted: list[str]) -> None:
    """The catalog rows matching who released them, when and their FFN kind (and the activation, if named)."""
    rows = [m for m in sorted(b.facts.catalog.values(), key=lambda r: (r["year"], r["model"]))
            if _kept(m, filters) and (not wanted or m["activation"] in wanted)]
    extreme = filters.get("extreme")
    if extreme and rows:
        field, pick = extreme
        valued = [(v, m) for m in rows if (v := _number(m[field])) is not None]
        end = pick(v for v, _ in valued) if valued else None
        rows = [m for v, m in valued if v == end]
    released = sorted({str(m["organization"]) for m in rows}) if filters["orgs"] else []
    said = [*(f"from {o}" for o in (released or filters["orgs"])),
            *([f"{filters['kind']} FFN"] if filters["kind"] else []),
            *(f"released in {y}" for y in filters["years"]), *(["mixture-of-experts"] if filters["moe"] else []),
            *([f"with {', '.join(f'`{w}`' for w in wanted)}"] if wanted else []),
            *([f"{filters['width'][0].removesuffix('_text')} {_BOUND_WORDS[filters['width'][2]]}{filters['width'][1]}"]
              if filters.get("width") else []),
            *([_extreme_label(extreme)] if extreme else []),
            *(["among the models named"] if filters.get("members") else [])]
    if not rows:
        b.add(f"No model in the catalog is {' and '.join(said)}; the catalog is a selection, not a census.")
        return
    for m in rows:
        b.cite(m)
    if filters.get("width") and filters["width"][2] != "=":
        _register_bound(b, filters["width"])
    counted = ""
    if filters.get("count"):  # the count shown is a registered sum, one per row listed
        total = b.computed("arith", {"op": "add", "operands": [{"number": 1} for _ in rows]}, "models listed")
        counted = f"**{int(total['result'])}** "
    b.add(f"{counted}{'models' if counted else 'Models'} in the catalog ({'; '.join(said)}):\n\n" + "\n".join(
        f"- {m['model']} ({m['organization']}, {m['year']}): {m['ffn_type']} FFN, `{m['activation']}`, d_model "
        f"{m['d_model_text']}, d_ff {m['d_ff_text']}" for m in rows))
    b.add("Each entry links its sources on the model's page; the catalog is a selection, not a census.")


#: Where the words set aside what the list must not hold ("… rather than the tanh one", "but not swiglu").
EXCLUDED = re.compile(r"\b(?:rather than|instead of|but not|and not|not|excluding|except(?: for)?|other than|"
                      r"as opposed to|without)\s+(?:the\s+|a\s+|any\s+)?(?P<what>[^,.;?]{1,40})", re.IGNORECASE)
#: The exact GELU, and its tanh approximation, as a question qualifies a GELU-based label.
EXACT_FORM = re.compile(r"\bexact\b|\berf\b|\bnon-?approximated\b|\bunapproximated\b", re.IGNORECASE)
TANH_FORM = re.compile(r"\btanh\b|\bapprox", re.IGNORECASE)


def _spelled(label: str, text: str) -> bool:
    """Whether a catalog label is written in the words (as itself, or with a space or hyphen for the '_')."""
    pattern = "[ _-]".join(re.escape(p) for p in label.split("_"))
    return bool(re.search(rf"(?<![\w-]){pattern}(?![\w-])", text, re.IGNORECASE))


def narrowed(wanted: list[str], question: str) -> list[str]:
    """The catalog labels a list asks for once the words qualify them: a label written out in full
    ('geglu_tanh models') is that label alone, 'exact (erf) gelu' leaves out the tanh forms, and what the
    words set aside ('rather than the tanh one', 'but not geglu') is left out."""
    excluded = EXCLUDED.search(question)
    kept_words = question[:excluded.start()] if excluded else question
    set_aside = excluded.group("what") if excluded else ""
    written = [w for w in wanted if "_" in w and _spelled(w, kept_words)]
    labels = written or wanted
    if EXACT_FORM.search(kept_words) or TANH_FORM.search(set_aside):
        labels = [w for w in labels if not w.endswith("_tanh")]
    elif EXACT_FORM.search(set_aside):
        labels = [w for w in labels if not w.startswith(("gelu", "geglu")) or w.endswith("_tanh")]
    labels = [w for w in labels if not any(_spelled(f, set_aside) and not _spelled(f, kept_words)
                                           for f in (w, w.split("_")[0]))]
    return labels or wanted


def _register_bound(b: Builder, width: tuple[str, int, str]) -> None:
    """The bound a list was filtered by, registered as the stated number it is (the asker's, restated in the
    list's heading), so that the heading shows no number that is neither stored nor computed."""
    field, number, _ = width
    b.computed("arith", {"op": "add", "operands": [{"number": number}]},
               f"the {field.removesuffix('_text')} bound the list is filtered by, as the question gives it")


def compose_models_using(b: Builder, intent: Intent) -> None:
    facts, slots = b.facts, intent.slots
    wanted: list[str] = []
    for v in slots.variants:
        wanted += catalog_labels_for_variant(v)
    for a in [*slots.gates, *slots.activations]:
        wanted += catalog_labels_for(a)
    wanted = narrowed(list(dict.fromkeys(wanted)), intent.question)
    filters = catalog_filters(intent.question)
    if slots.models and asks_family_rows(intent.question):  # a list of, or the end of a column among, a family
        names = list(facts.catalog)
        filters["members"] = list(dict.fromkeys(
            m for name in slots.models for m in ([name] if name in facts.catalog else _named_after(name, names))))
    if filters.get("members") or filters["orgs"] or filters["kind"] or filters["years"] or filters["moe"] or (
            filters["width"] or filters["extreme"]) or (filters["count"] and wanted):
        _compose_filtered(b, filters, wanted)
        return
    # "who else uses geglu besides gemma": the named models are set aside
    aside = [n.lower() for n in slots.models] if BESIDES.search(intent.question) else []
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in sorted(facts.catalog.values(), key=lambda r: (r["year"], r["model"])):
        if m["activation"] in wanted and not any(str(m["model"]).lower().startswith(n) for n in aside):
            groups[m["activation"]].append(m)
            b.cite(m)
    if not groups:
        asked = " or ".join(dict.fromkeys(activation_label(a) for a in wanted)) or "that activation"
        b.add(f"No model in the catalog uses {asked}. The catalog's activations are: "
              + ", ".join(sorted({m["activation"] for m in facts.catalog.values()})) + ".")
        return
    lines = []
    for act in wanted:
        rows = groups.get(act)
        if not rows:
            continue
        lines.append(f"- `{act}` — {_catalog_activation_text(act)}: "
                     + ", ".join(f"{r['model']} ({r['organization']}, {r['year']})" for r in rows))
    b.add("Models in the catalog with this FFN activation:\n\n" + "\n".join(lines))
    b.add("Each entry links its sources on the model's page; the catalog is a selection, not a census.")
