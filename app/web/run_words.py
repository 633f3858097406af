"""The verdict of a finished quality comparison in words, for the top of its page.

Built only from what the result stores (``pairs`` with their Holm-adjusted verdicts, ``spread``,
``rerun``, the corpus's ``reference`` losses, the variants' final losses), so the words never say more
than the statistics do: a pair that is not significant "cannot be told apart with N seeds at this size",
never "is equal"; a difference is named with its Holm-adjusted p. The distance to the corpus's entropy
(the loss no model can beat) says whether longer training could still separate the variants.
"""

from __future__ import annotations

from typing import Any

#: At most this many differences or undecided groups are named; the rest are counted.
MAX_NAMED = 4
#: Further from the corpus's entropy than this (nats/token), the models are still learning what can be
#: learned: longer training may separate them.
ROOM_TO_LEARN_NATS = 0.05
#: A between-variant spread under this many seed-to-seed spreads is noted as "about the seed noise".
NOISE_RATIO = 2.0


def p_words(p: float) -> str:
    """"p = 0.004", "p < 0.001", "p = 0.31" (two significant digits, never an exponent)."""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {float(f'{p:.2g}')}"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _groups(pairs: list[dict[str, Any]], order: list[str]) -> list[list[str]]:
    """Variants linked by undecided pairs, each group in the variants' order (connected components)."""
    parent = {v: v for v in order}

    def root(v: str) -> str:
        while parent[v] != v:
            v = parent[v]
        return v

    for p in pairs:
        parent[root(p["a"])] = root(p["b"])
    groups: dict[str, list[str]] = {}
    for v in order:
        if any(v in (p["a"], p["b"]) for p in pairs):
            groups.setdefault(root(v), []).append(v)
    return list(groups.values())


def _undecided_sentence(undecided: list[dict[str, Any]], order: list[str], seeds: int, total: int) -> str:
    where = f"with {seeds} seed{'s' if seeds != 1 else ''} at this size"
    if len(undecided) == total and len(order) > 2:
        return f"None of the {len(order)} variants can be told apart {where}"
    groups = _groups(undecided, order)
    parts = []
    for group in groups[:MAX_NAMED]:
        linked = {(p["a"], p["b"]) for p in undecided} | {(p["b"], p["a"]) for p in undecided}
        complete = all((a, b) in linked for i, a in enumerate(group) for b in group[i + 1 :])
        if complete:
            parts.append(_names(group))
        else:  # a chain: name its pairs
            parts.append(", ".join(f"{p['a']} and {p['b']}" for p in undecided if p["a"] in group))
    more = len(groups) - MAX_NAMED
    tail = f" (and {more} more group{'s' if more != 1 else ''})" if more > 0 else ""
    return f"{'; '.join(parts)}{tail} cannot be told apart {where}"


def _difference_sentence(decided: list[dict[str, Any]]) -> str:
    named = sorted(decided, key=lambda p: p["p_holm"])[:MAX_NAMED]
    parts = []
    for p in named:
        better = p["better"]
        worse = p["b"] if better == p["a"] else p["a"]
        parts.append(
            f"{worse} is worse than {better} by {abs(p['mean_diff']):.3f} nats/token "
            f"(Holm-adjusted {p_words(p['p_holm'])})"
        )
    more = len(decided) - len(named)
    if more > 0:
        parts.append(f"{more} more pair{'s differ' if more != 1 else ' differs'} (see the table)")
    return "; ".join(parts)


def _entropy_sentence(results: dict[str, Any], any_undecided: bool) -> str | None:
    reference = results.get("corpus", {}).get("reference", {})
    optimal = reference.get("optimal_loss")
    finals = [v["final_val_loss"]["mean"] for v in results["variants"]]
    if optimal is None or not finals:
        return None
    gap = min(finals) - optimal
    if gap > ROOM_TO_LEARN_NATS:
        text = f"the best model ends {gap:.2f} nats/token above the corpus's entropy"
        return text + (" — train longer for a clearer verdict" if any_undecided else "")
    return (
        f"the models end within {max(gap, 0.0):.2f} nats/token of the corpus's entropy, where variants have "
        "little room left to differ"
    )


def verdict_sentences(results: dict[str, Any]) -> list[str]:
    """The verdict as a few sentences (each ending with a full stop), most important first."""
    pairs = results.get("pairs", [])
    order = [v["variant"] for v in results["variants"]]
    tested = [p for p in pairs if p.get("p_holm") is not None]
    out: list[str] = []
    if pairs and not tested:
        out.append(f"No pair could be tested: {pairs[0]['verdict'].removeprefix('not tested: ')}")
    decided = [p for p in tested if p.get("significant")]
    undecided = [p for p in tested if not p.get("significant")]
    seeds = int(results.get("verdict_rule", {}).get("seeds") or min((p["seeds"] for p in pairs), default=0))
    first = []
    if undecided:
        first.append(_undecided_sentence(undecided, order, seeds, len(tested)))
    if decided:
        first.append(_difference_sentence(decided))
    if first:
        out.append("; ".join(first))
    if decided and not undecided and len(order) > 1:
        out.append(f"Every pair differs; from lowest to highest loss: {', '.join(results.get('ranking', order))}")
    entropy = _entropy_sentence(results, bool(undecided) or not tested)
    if entropy:
        out.append(entropy[0].upper() + entropy[1:])
    spread = results.get("spread", {})
    ratio = spread.get("ratio")
    if undecided and ratio is not None and ratio < NOISE_RATIO:
        out.append(
            f"The variants' mean losses differ by about {ratio:.1f}× the seed-to-seed spread "
            f"({spread['between_variants_std']:.4f} vs {spread['mean_seed_std']:.4f} nats/token)"
        )
    rerun = results.get("rerun") or {}
    if rerun.get("seeds"):
        settled, waiting = rerun.get("settled_within_cap", 0), rerun.get("undecided_pairs", 0)
        which = (("the undecided pair" if waiting == 1 else f"all {waiting} undecided pairs") if settled == waiting
                 else f"{settled} of the {waiting} undecided pairs")
        out.append(
            f"{rerun['seeds']} seeds per variant would settle {which} with "
            f"{round(100 * rerun.get('power', 0.8))}% power, if the differences seen here are real"
        )
    elif rerun.get("beyond_cap"):
        out.append(
            f"{rerun['beyond_cap']} undecided pair{'s' if rerun['beyond_cap'] != 1 else ''} would need more "
            f"than {rerun.get('seed_cap', 20)} seeds per variant: at this size they may not differ at all"
        )
    return [s if s.endswith(".") else s + "." for s in out]
