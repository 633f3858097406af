"""Whether a configuration class's defaults are a given model's sizes ("Gemma3TextConfig() defaults =
gemma-3-4b's sizes?").

Why a module of its own: the catalog's sources say which checkpoint each transformers configuration file's
defaults describe (and note where a file's defaults are another model's sizes under its label), so the
claim is decided by reading those source notes, not by the sizes alone.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Facts

#: "Gemma3TextConfig()", "LlamaConfig", "MistralConfig defaults": a transformers configuration class.
CONFIG_CLASS = re.compile(r"\b([a-z][a-z0-9]*?)(text)?config\b(?:\s*\(\s*\))?")
DEFAULTS = re.compile(r"\bdefaults?\b|\(\s*\)")
#: A source's note that a file's defaults are another model's sizes ("… but are Gemma 2 2B sizes").
OTHER_SIZES = re.compile(r"\bare (?P<model>[A-Z][\w.\- ]*?) sizes\b")


#: A source's note that a file's defaults do not describe the row they are labelled with.
NOT_MATCHING = re.compile(r"\b(?:do(?:es)? not|don't|doesn't|never) match\b|\bnot labelled as\b", re.IGNORECASE)
_FILE_DEFAULTS = re.compile(r"configuration_([a-z0-9_]+)\.py defaults", re.IGNORECASE)


def _mentions(source: str, key: str, label: str) -> re.Match[str] | None:
    """Where a catalog source names the defaults of this configuration class or its file ("GPTNeoXConfig" is
    configuration_gpt_neox.py)."""
    for found in _FILE_DEFAULTS.finditer(source):
        if found.group(1).replace("_", "").lower() == key.replace("_", ""):
            return found
    return re.search(rf"{re.escape(label)} defaults", source, re.IGNORECASE)


def detect(text: str, question: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """One configuration class against one model (:func:`detect_class`), else a question about trusting
    class defaults in general (:func:`detect_general`), or None."""
    return detect_class(text, question, entities, facts) or detect_general(text, entities, facts)


def detect_class(text: str, question: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The configuration class and the catalog model its defaults are claimed to match, or None."""
    found = CONFIG_CLASS.search(text)
    if found is None or not DEFAULTS.search(text) or len(entities.models) > 1:
        return None
    key = found.group(1)
    named = (next((m for m in entities.models[0].members if m in facts.catalog), None) if entities.models
             else _sized_member(text, key, facts))
    written = re.search(re.escape(found.group(0).split("(")[0].strip()), question, re.IGNORECASE)
    label = written.group(0) if written else found.group(0)
    sources = [r for r in facts.catalog.values() if _mentions(str(r["source"]), key, label)]
    if named is None or not sources:
        return None
    return {"what": "config_defaults", "label": label, "key": key, "model": named,
            "rows": [r["model"] for r in sources]}


#: "… right for the 8b": a size named without its family, which the configuration class names.
_SIZE = re.compile(r"\b(\d+(?:\.\d+)?)\s?b\b")


def _sized_member(text: str, key: str, facts: Facts) -> str | None:
    """The one catalog model of the configuration class's family with the size the question names ("are the
    Qwen3Config() defaults right for the 8b" is Qwen3-8B), or None."""
    size = _SIZE.search(text)
    if size is None:
        return None
    family = key.replace("_", "")
    members = [m for m in facts.catalog if re.sub(r"[\s_.-]", "", m.lower()).startswith(family)
               and re.search(rf"(?<![\d.]){re.escape(size.group(1))}b\b", m.lower())]
    return members[0] if len(members) == 1 else None


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """Yes when the catalog's sources give the named model's checkpoint as the defaults' own, no with the
    model they do describe and the named model's sizes otherwise."""
    if inputs.get("general"):
        compose_general(b, inputs)
        return
    label, named = inputs["label"], inputs["model"]
    described: list[str] = []
    notes = []
    for name in inputs["rows"]:
        row = b.facts.catalog[name]
        b.cite(row)
        source = str(row["source"])
        mentioned = _mentions(source, inputs["key"], label)
        start = mentioned.start() if mentioned is not None else 0
        clause = source[start:].split(";")[0]
        other = OTHER_SIZES.search(source, start)
        if NOT_MATCHING.search(clause):
            notes.append(f"the catalog's source for {name} notes: “{clause.strip()}”")
        elif other is not None:
            described.append(other.group("model").strip())
            note = source[source.rfind(";", 0, other.start()) + 1:other.end()].strip()
            notes.append(f"the catalog's source for {name} notes: “{note.split('NOTE:')[-1].strip()}”")
        else:
            described.append(name)
            notes.append(f"{name} has d_model {row['d_model_text']} and d_ff {row['d_ff_text']}")
    row = b.facts.catalog[named]
    b.cite(row)
    sizes = f"{named} itself has d_model {row['d_model_text']} and d_ff {row['d_ff_text']} (model catalog)"
    if named in described:
        b.add(f"Yes: the catalog's sources give `{label}`'s defaults as {named}'s configuration; "
              f"{sizes.replace(' itself', '')}.")
        return
    given = (f" The catalog's sources give them as {', '.join(dict.fromkeys(described))}'s" if described else "")
    joined = "; ".join(notes)
    noted = (f"; {joined}" if described else f" {joined[:1].upper()}{joined[1:]}") if notes else ""
    b.add(f"No: `{label}()`'s defaults are not {named}'s sizes.{given}{noted}. {sizes}: "
          "set hidden_size and intermediate_size (and the layer count) explicitly rather than relying on the defaults.")


#: A question about configuration-class defaults in general ("why not trust the sizes in transformers'
#: configuration_*.py defaults?", "can I read sizes off the LlamaConfig defaults?"), not one class against one model.
GENERAL = re.compile(r"configuration_[\w*]*\.py|\bconfig(?:uration)? class(?:es)?\b|\bclass defaults\b|"
                     r"\bconfig defaults\b|\bdefault (?:config(?:uration)?s?|values?)\b|\b[a-z][a-z0-9]+config\b")
#: What the asker wants to know about the defaults: whether their sizes can be used.
ABOUT_SIZES = re.compile(r"\btrust|\brely\b|\breal\b|\bactual|\bright\b|\bcorrect|\btrue\b|\buse\b|\bread\b|\bwhy\b|"
                         r"\bsizes?\b|\bdims?\b|\bdimensions?\b|\bmatch|\bsafe\b|\baccurate\b|\bcheckpoints?\b")
#: The stored misreading that answers it: class defaults are not the docstring's checkpoint.
MISREADING_ID = "config-defaults-are-not-checkpoints"


def detect_general(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """A question about trusting configuration-class defaults as a checkpoint's sizes, or None. Asked after
    :func:`detect` found no single class and model to decide."""
    if not (GENERAL.search(text) and DEFAULTS.search(text) and ABOUT_SIZES.search(text)):
        return None
    if MISREADING_ID not in facts.misreadings:
        return None
    members = list(dict.fromkeys(m for g in entities.models for m in g.members if m in facts.catalog))
    return {"what": "config_defaults", "general": True, "model": members[0] if len(members) == 1 else None,
            "why": bool(re.match(r"\s*(?:but |so |and )?(?:why|how come)\b", text))}


def compose_general(b: Builder, inputs: dict[str, Any]) -> None:
    """The stored correction first (defaults differ from the docstring's checkpoint, read config.json), then
    the catalog's own source notes as instances, and the named model's sizes."""
    from app.answers.misread import citation

    m = b.facts.misreadings[MISREADING_ID]
    b.cite(citation(m))
    lead = ("Because" if inputs.get("why") else "No:") + " a configuration class's defaults are"
    b.add(f"{lead} not a checkpoint's sizes. {m['right']}")
    noted = [r for r in b.facts.catalog.values() if OTHER_SIZES.search(str(r["source"]))][:2]
    for row in noted:
        b.cite(row)
        source = str(row["source"])
        other = OTHER_SIZES.search(source)
        assert other is not None
        note = source[source.rfind(";", 0, other.start()) + 1:other.end()].split("NOTE:")[-1].strip()
        b.add(f"For example, the catalog's source for {row['model']} notes: “{note}”.")
    named = inputs.get("model")
    if named:
        row = b.facts.catalog[named]
        b.cite(row)
        b.add(f"{named}'s own sizes (model catalog): d_model {row['d_model_text']}, d_ff {row['d_ff_text']}.")
    b.add(f"More: [{m['title']}](/misreadings/{m['id']}).")
