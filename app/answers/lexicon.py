"""The vocabulary the question answering recognizes, built from the database once per dataset revision.

Why from the database: a model added to the catalog or a benchmark added to a table becomes
recognizable (and groundable) without touching this code. The surface forms people use for variants,
activations and gates ("gated GELU", "gelu_pytorch_tanh") come from ``app.vocabulary``; the only
hand-written part, the same for benchmarks, metrics and steps ("fully trained"), is in phrases.py; those
are names, not facts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import activations
from app.answers.per_revision import PerRevision
from app.answers.phrases import (
    BENCHMARK_ALIASES,
    BENCHMARK_CASED,
    BENCHMARK_MULTI,
    CUE_WORDS,
    GENERIC_FAMILIES,
    LONG_STEP_PHRASES,
    METRIC_ALIASES,
    PAPER_PHRASES,
    SHORT_STEP_PHRASES,
)
from app.orm import ArchitectureFact, CatalogModel, Paper, PaperTable, Result, Variant
from app.vocabulary import ACTIVATION_ALIASES, GATE_ALIASES, GATE_VARIANT_OF, VARIANT_ALIASES


@dataclass(frozen=True)
class ModelGroup:
    """A model or a family as a person names it: the catalog rows it covers and its report table, if any."""

    name: str
    members: tuple[str, ...]
    arch_family: str | None = None
    arch_size: str | None = None


@dataclass(frozen=True)
class Ref:
    """What a phrase refers to: kind (variant, activation, gate, model, benchmark, metric, steps, paper)."""

    kind: str
    value: str


_SIZE_TOKEN = re.compile(r"^(\d+(\.\d+)?[bmk]|\d+x\d+b|base|small|large|mini|xl|\d+k)$", re.IGNORECASE)


def _family_of(name: str) -> str:
    """'Gemma 2 9B' -> 'Gemma 2', 'GPT-2 (124M)' -> 'GPT-2', 'Qwen2-7B' -> 'Qwen2'."""
    no_paren = re.sub(r"\s*\([^)]*\)", "", name).strip()
    parts = re.split(r"([\s-]+)", no_paren)
    tokens = parts[0::2]
    seps = parts[1::2]
    while len(tokens) > 1 and _SIZE_TOKEN.match(tokens[-1]):
        tokens.pop()
        seps = seps[: len(tokens) - 1]
    out = tokens[0]
    for sep, tok in zip(seps, tokens[1:], strict=False):
        out += sep + tok
    return out


def phrase_pattern(phrase: str) -> str:
    """A regex for a phrase: case-folded tokens with optional space/hyphen/underscore between them."""
    tokens = [t for t in re.split(r"[\s\-_]+", phrase.lower()) if t]
    body = r"[\s\-_]*".join(_VERSION_JOIN.sub(r"\1[\\s\\-_]?\2", re.escape(t)) for t in tokens)
    return rf"(?<![a-z0-9]){body}(?![a-z0-9])"


#: Inside one token, a family name and its version may be written apart ("qwen2.5" as "qwen 2.5", "gpt2" as
#: "gpt-2"); only after three letters, so that short names ("t5", "mt5") stay whole.
_VERSION_JOIN = re.compile(r"((?<![a-z])[a-z]{3,})(\d)")


def _first_letter(phrase: str) -> str:
    """The first character :func:`phrase_pattern` matches literally (separators before it are dropped)."""
    return next((t[0] for t in re.split(r"[\s\-_]+", phrase.lower()) if t), "")


def first_char_alternation(
    alternatives: list[tuple[str, str]], guard: str, flags: int = 0, empty: str = ""
) -> re.Pattern[str]:
    """One regex trying ``alternatives`` (first character, regex starting with ``guard``) in their order.

    Why not a plain ``a|b|c``: Python's engine tries every alternative at every position, which for a few
    hundred names costs milliseconds per question. Here the shared ``guard`` (a lookbehind) is checked once
    per position, and a lookahead on the first character skips every alternative that cannot start there.
    The result is the same: alternatives with different first characters never match at the same position,
    and those that share one keep their order. Under IGNORECASE that holds only for ASCII first characters,
    so any other first character (or none) falls back to the plain alternation.
    """
    if not alternatives:
        return re.compile(empty, flags)
    caseless = bool(flags & re.IGNORECASE)
    if not all(first and (first.isascii() or not caseless) for first, _ in alternatives):
        return re.compile("|".join(regex for _, regex in alternatives), flags)
    by_first: dict[str, list[str]] = {}
    for first, regex in alternatives:
        key = first.lower() if caseless else first
        by_first.setdefault(key, []).append(regex)
    branches = "|".join(f"(?={re.escape(first)})(?:{'|'.join(regexes)})" for first, regexes in by_first.items())
    return re.compile(f"{guard}(?:{branches})", flags)


def normalize_name(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass
class Lexicon:
    """Everything recognition and grounding need, for one dataset revision."""

    revision: int
    variants: list[str]
    variant_activation: dict[str, str]
    variant_gated: dict[str, bool]
    benchmarks: list[str]
    metrics: list[str]
    steps: list[int]
    groups: dict[str, ModelGroup]
    phrases: dict[str, list[Ref]]
    cased_phrases: dict[str, list[Ref]]
    name_strings: list[str]
    vocabulary: frozenset[str]
    #: Table number of the first paper -> the benchmark it reports ("table 4 swish row" is SQuAD's row).
    table_benchmarks: dict[int, str] = field(default_factory=dict)
    pattern: re.Pattern[str] = field(init=False)
    cased_pattern: re.Pattern[str] = field(init=False)
    name_mask: re.Pattern[str] = field(init=False)
    _by_group: dict[str, str] = field(init=False, default_factory=dict)
    #: Group name -> the catalog models and report family it stands for (the answered check reads it).
    group_members: dict[str, set[str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.group_members = {name: {*g.members, *([g.arch_family] if g.arch_family else [])}
                              for name, g in self.groups.items()}
        ordered = sorted(self.phrases, key=lambda p: (-len(p), p))
        self.pattern = first_char_alternation(
            [(_first_letter(p), f"(?P<p{i}>{phrase_pattern(p)})") for i, p in enumerate(ordered)], r"(?<![a-z0-9])"
        )
        self._ordered = ordered
        cased = sorted(self.cased_phrases, key=lambda p: (-len(p), p))
        self._cased_ordered = cased
        self.cased_pattern = re.compile(
            "|".join(f"(?P<c{i}>(?<![A-Za-z0-9]){re.escape(p)}(?![A-Za-z0-9]))" for i, p in enumerate(cased))
            or r"(?!x)x"
        )
        names = sorted({n for n in self.name_strings if re.search(r"\d", n)}, key=lambda n: (-len(n), n))
        self.name_mask = first_char_alternation(
            # not before a decimal's digits: "Table 2" is no name inside "Table 2.1", whose number is shown whole
            [(n[0], rf"(?<![A-Za-z0-9.]){re.escape(n)}(?![A-Za-z0-9]|\.\d)") for n in names], r"(?<![A-Za-z0-9.])",
            re.IGNORECASE, empty=r"(?!x)x",
        )

    def refs_for(self, match: re.Match[str]) -> list[Ref]:
        name = match.lastgroup or ""
        if name.startswith("c"):
            return self.cased_phrases[self._cased_ordered[int(name[1:])]]
        return self.phrases[self._ordered[int(name[1:])]]



def build_lexicon(session: Session, revision: int) -> Lexicon:
    """Read names from the database and attach the surface forms people use for them."""
    variant_rows = list(session.scalars(select(Variant).order_by(Variant.position)))
    variants = [v.name for v in variant_rows]
    # The answers speak about the first stored paper only; its cells are the ones they read.
    papers = list(session.scalars(select(Paper).order_by(Paper.position, Paper.id).limit(1)))
    scoped = select(Result).join(Result.table).where(PaperTable.paper_id.in_([p.id for p in papers]))
    benchmarks = list(dict.fromkeys(session.scalars(scoped.with_only_columns(Result.benchmark).order_by(Result.id))))
    metrics = list(dict.fromkeys(session.scalars(scoped.with_only_columns(Result.metric).order_by(Result.id))))
    steps = sorted({s for s in session.scalars(scoped.with_only_columns(Result.training_steps)) if s is not None})
    catalog = list(session.scalars(select(CatalogModel).order_by(CatalogModel.position)))
    arch = list(session.execute(select(ArchitectureFact.family, ArchitectureFact.size).distinct()))
    table_numbers = sorted(set(session.scalars(select(PaperTable.number))))
    table_benchmarks: dict[int, str] = {}
    for number, bench in session.execute(scoped.with_only_columns(PaperTable.number, Result.benchmark)
                                         .order_by(Result.id)):
        if "/" not in bench:
            table_benchmarks.setdefault(int(number), bench)

    phrases: dict[str, list[Ref]] = defaultdict(list)
    cased: dict[str, list[Ref]] = defaultdict(list)

    def add(phrase: str, ref: Ref) -> None:
        key = phrase.lower()
        if ref not in phrases[key]:
            phrases[key].append(ref)

    for name in variants:
        add(name, Ref("variant", name))
        add(name.removeprefix("FFN_"), Ref("variant", name))
        for alias in VARIANT_ALIASES.get(name, ()):
            add(alias, Ref("variant", name))

    for entry in activations.all_activations():
        kind = "activation" if entry.family == "scalar" else "gate"
        if entry.id == "identity":
            continue
        for alias in (entry.id, *entry.aliases):
            add(alias, Ref(kind, entry.id))
    for act_id, aliases in ACTIVATION_ALIASES.items():
        for alias in aliases:
            add(alias, Ref("activation", act_id))
    for gate_id, aliases in GATE_ALIASES.items():
        for alias in aliases:
            add(alias, Ref("gate", gate_id))
            add(alias, Ref("variant", GATE_VARIANT_OF[gate_id]))
    for gate_id, variant in GATE_VARIANT_OF.items():
        if gate_id in ("geglu", "swiglu", "reglu", "bilinear"):
            add(gate_id, Ref("gate", gate_id))
            add(gate_id, Ref("variant", variant))

    # Models: full names, names without the parenthesis, families; report tables by family and size.
    groups: dict[str, ModelGroup] = {}
    by_family: dict[str, list[str]] = defaultdict(list)
    name_strings: list[str] = []
    for m in catalog:
        family = _family_of(m.name)
        by_family[family].append(m.name)
        name_strings += [m.name, re.sub(r"\s*\([^)]*\)", "", m.name).strip(), family]
    arch_sizes: dict[str, list[str]] = defaultdict(list)
    for fam, size in arch:
        arch_sizes[fam].append(size)
        name_strings += [fam, f"{fam} {size}"]

    def arch_for(family: str) -> str | None:
        if family in arch_sizes:
            return family
        if f"{family} 1" in arch_sizes:  # the first generation is named without its number
            return f"{family} 1"
        return None

    for m in catalog:
        family = _family_of(m.name)
        fam_arch = arch_for(family)
        own_size = m.name[len(family):].strip(" -") if m.name.startswith(family) else None
        group = ModelGroup(
            m.name, (m.name,), fam_arch, own_size if fam_arch and own_size in arch_sizes[fam_arch] else None
        )
        groups[m.name] = group
        short = re.sub(r"\s*\([^)]*\)", "", m.name).strip()
        # "Transformer (base)" is not every "transformer" a question mentions: its bare family word is generic
        bare = re.sub(r"\s*\(([^)]*)\)", r" \1", m.name)  # "GPT-2 (124M)" also as "gpt2 124m", "phi-4 14b"
        forms = {m.name, short, bare} if short.lower() not in GENERIC_FAMILIES else {
            m.name, f"original {short}", f"{short} base", f"base {short}", f"{short}-base", f"original {short} base"}
        spaced = {f.replace("-", " ") for f in forms if "-" in f}
        for form in forms | spaced | _version_spellings(m.name):
            add(form, Ref("model", m.name))
    for family, members in by_family.items():
        if family.lower() in GENERIC_FAMILIES:
            continue
        if family in groups and len(members) == 1 and members[0] == family:
            continue
        groups[family] = ModelGroup(family, tuple(members), arch_for(family))
        add(family, Ref("model", family))
    for fam, sizes in arch_sizes.items():
        catalog_family = fam if fam in by_family else fam.removesuffix(" 1")
        family_members = tuple(by_family.get(catalog_family, ()))
        if fam not in groups:
            groups[fam] = ModelGroup(fam, family_members, fam)
            add(fam, Ref("model", fam))
        for size in sizes:
            key = f"{fam} {size}"
            catalog_name = next(
                (m for m in family_members if normalize_name(m).endswith(normalize_name(size))), None
            )
            groups[key] = ModelGroup(key, (catalog_name,) if catalog_name else (), fam, size)
            add(key, Ref("model", key))
            if fam.endswith(" 1") and not catalog_name:  # "gemma 2b", "gemma-2b": the first generation, unnumbered
                for form in (f"{fam.removesuffix(' 1')} {size}", f"{fam.removesuffix(' 1')}-{size}"):
                    add(form, Ref("model", key))
            if catalog_name and catalog_name in groups:
                groups[catalog_name] = ModelGroup(catalog_name, (catalog_name,), fam, size)

    for bench in benchmarks:
        add(bench, Ref("benchmark", bench))
        short = bench.split(" (", 1)[0]
        add(short, Ref("benchmark", bench))
        name_strings += [bench, short, bench.split("/", 1)[-1], short.split("/", 1)[-1]]
    for key, aliases in BENCHMARK_ALIASES.items():
        targets = [b for b in benchmarks if b == key or b.startswith(key + " ") or b.startswith(key + " (")]
        if key == "C4":
            targets = [b for b in benchmarks if b.startswith("C4")]
        if key == "SQuAD":
            targets = [b for b in benchmarks if b.startswith("SQuAD")]
        for target in targets:
            for alias in aliases:
                add(alias, Ref("benchmark", target))
    for key, aliases in BENCHMARK_CASED.items():
        if key in benchmarks:
            for alias in aliases:
                cased[alias].append(Ref("benchmark", key))
    for alias, multi in BENCHMARK_MULTI.items():
        for target in multi:
            if target in benchmarks:
                add(alias, Ref("benchmark", target))
    for superglue_alias in ("superglue rte", "super glue rte"):
        if "SuperGLUE/RTE" in benchmarks:
            add(superglue_alias, Ref("benchmark", "SuperGLUE/RTE"))
    for metric in metrics:
        add(metric, Ref("metric", metric))
    for metric, aliases in METRIC_ALIASES.items():
        if metric in metrics:
            for alias in aliases:
                add(alias, Ref("metric", metric))
    if "log-perplexity" in metrics:
        for alias in ("perplexity", "log perplexity", "ppl", "loss"):
            add(alias, Ref("metric", "log-perplexity"))

    for s in steps:
        for form in {str(s), f"{s:,}", f"{s // 1000}k", f"{s // 1024}k", f"{s:,} steps", f"{s} steps"}:
            add(form, Ref("steps", str(s)))
    if steps:
        for phrase in LONG_STEP_PHRASES:
            add(phrase, Ref("steps", str(max(steps))))
        for phrase in SHORT_STEP_PHRASES:
            add(phrase, Ref("steps", str(min(steps))))
    for phrase in PAPER_PHRASES:
        add(phrase, Ref("paper", papers[0].id if papers else ""))
    for p in papers:
        add(p.arxiv_id, Ref("paper", p.id))
        name_strings += [f"arXiv:{p.arxiv_id}{p.arxiv_version}", f"arXiv:{p.arxiv_id}", p.arxiv_id]
    name_strings += [f"Table {n}" for n in table_numbers]
    name_strings += [key for key in BENCHMARK_ALIASES if "/" not in key]
    # Number formats are names, not figures: "bfloat16" states no number.
    name_strings += [*activations.DTYPES, "bf16", "fp16", "fp32", "fp64"]
    # An activation's id may carry its constant ("clamped_swiglu_a1.702"): shown as an id, it is a name too.
    name_strings += [a.id for a in activations.all_activations()]

    # Phrases that differ only in separators ("ge glu", "geglu") match the same text: merge their refs
    # under the most flexible spelling, so that whichever the regex tries first yields all of them.
    merged: dict[str, tuple[str, list[Ref]]] = {}
    for phrase, refs in phrases.items():
        compact = re.sub(r"[\s\-_]+", "", phrase)
        if compact in merged:
            kept, kept_refs = merged[compact]
            union = kept_refs + [r for r in refs if r not in kept_refs]
            best = phrase if len(re.split(r"[\s\-_]+", phrase)) > len(re.split(r"[\s\-_]+", kept)) else kept
            merged[compact] = (best, union)
        else:
            merged[compact] = (phrase, list(refs))
    phrases = defaultdict(list, {phrase: refs for phrase, refs in merged.values()})

    vocabulary = set(CUE_WORDS)
    for phrase in phrases:
        for token in re.split(r"[^a-z0-9]+", phrase):
            if len(token) >= 4 and token.isalpha():
                vocabulary.add(token)

    return Lexicon(
        revision=revision,
        variants=variants,
        variant_activation={v.name: v.activation for v in variant_rows},
        variant_gated={v.name: v.gated for v in variant_rows},
        benchmarks=benchmarks,
        metrics=metrics,
        steps=steps,
        groups=groups,
        phrases=dict(phrases),
        cased_phrases=dict(cased),
        name_strings=name_strings,
        vocabulary=frozenset(vocabulary),
        table_benchmarks=table_benchmarks,
    )


_lexicons: PerRevision[Lexicon] = PerRevision(lambda session, revision: build_lexicon(session, revision))


def get_lexicon(session: Session) -> Lexicon:
    """The lexicon for the loaded dataset revision (built once per revision, database and process)."""
    return _lexicons.get(session)


def _version_spellings(name: str) -> set[str]:
    """Other ways a versioned name is written: "T5-base (v1.0)" as "T5 v1.0 base"; "T5 v1.1-XXL" as the Hub's
    "t5-v1_1-xxl" or "t5 1.1 xxl" (a version is otherwise read as the name of another row of the family)."""
    out: set[str] = set()
    moved = re.match(r"^(?P<family>[A-Za-z]+\d*)-(?P<size>\w+) \((?P<version>v\d+(?:\.\d+)+)\)$", name)
    if moved:
        family, size, version = moved.group("family"), moved.group("size"), moved.group("version")
        out |= {f"{family} {version} {size}", f"{family} {version}-{size}", f"{family}-{version}-{size}"}
    versioned = re.match(r"^(?P<family>[A-Za-z]+\d*) v(?P<major>\d+)\.(?P<minor>\d+)-(?P<size>\w+)$", name)
    if versioned:
        family, size = versioned.group("family"), versioned.group("size")
        major, minor = versioned.group("major"), versioned.group("minor")
        for version in (f"v{major}_{minor}", f"v{major}.{minor}", f"{major}.{minor}"):
            out |= {f"{family}-{version}-{size}", f"{family} {version} {size}", f"{family}{version} {size}"}
    return out
