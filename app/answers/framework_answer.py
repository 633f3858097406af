"""The answer to a question about a framework's or config's activation name (see app.answers.framework_names)."""

from __future__ import annotations

import re

from app.answers import framework_names, framing
from app.answers.builder import Builder, activation_label
from app.answers.computations import ERROR_GRID, format_sig
from app.answers.explanations import activation_citation


def compose(b: Builder, names: list[str], question: str) -> None:
    """Each name's function first, as verified; a yes/no question about exactness gets its verdict."""
    shown = [e for e in (framework_names.by_name(n) for n in names) if e is not None]
    if not shown:
        b.add("None of those names is in the stored list of framework activation names.")
        return
    lines = []
    for e in shown:
        b.cite(framework_names.citation(e))
        b.cite(activation_citation(e["activation"]))
        lines.append(f"`{e['name']}` ({e['framework']}): {e['meaning']} — "
                     f"{activation_label(e['activation'])}, [`{e['activation']}`](/activations/{e['activation']}) "
                     f"(verified in {e['source']}).")
    lowered = question.lower()
    functions = {e["activation"] for e in shown}
    if len(shown) >= 2 and re.search(r"\bsame\b|\bidentical\b|\bequal\b|\bdiffer", lowered):
        # "are they the same?" gets a yes or no; "what's the difference?" only what each computes
        said = "they compute the same function." if len(functions) == 1 else "they compute different functions."
        if re.search(r"\bdifference\b", lowered):
            lines.insert(0, said[0].upper() + said[1:])
        else:
            lines.insert(0, f"{'Yes' if len(functions) == 1 else 'No'}: {said}")
    elif (framework_names.YES_NO.search(lowered) or framing.is_claim(question)) and len(shown) == 1 and re.search(
            r"\bexact\b|\berf\b", lowered):
        exact = shown[0]["activation"] == "gelu"
        lines.insert(0, "Yes, it is the exact (erf) GELU." if exact else "No, it is not the exact GELU.")
    compared = (_compare_accuracy(b, [e["activation"] for e in shown], question)
                if framing.ACCURACY.search(lowered) else "")
    if compared:
        b.add(compared)
    b.add(" ".join(lines))


def _compare_accuracy(b: Builder, named: list[str], question: str) -> str:
    """The computed largest error of each GELU approximation asked about, the closer one named first; a claim
    that the first-named one is the more (or less) accurate gets its yes or no."""
    forms = list(dict.fromkeys([*framing.approximations_named(question),
                                *(a for a in named if a in dict(framing.FORM_WORDS))]))
    if len(forms) < 2:
        return ""
    errors = {}
    for fn in forms[:2]:
        b.cite(activation_citation(fn))
        params = {"fn": fn, "reference": "gelu", **ERROR_GRID}
        errors[fn] = b.computed("approx_error", params, f"max |{fn} − gelu| on [−10, 10]")
    closer, coarser = sorted(errors, key=lambda fn: float(errors[fn]["max_abs_error"]))
    verdict = framing.closer_verdict(question, {fn: float(out["max_abs_error"]) for fn, out in errors.items()})
    return (f"{verdict}`{closer}` is the closer approximation of exact GELU: its largest error is "
            f"**{format_sig(float(errors[closer]['max_abs_error']), 5)}** (at |x| ≈ "
            f"{format_sig(float(errors[closer]['x']), 5)}), against **"
            f"{format_sig(float(errors[coarser]['max_abs_error']), 5)}** for `{coarser}` (at |x| ≈ "
            f"{format_sig(float(errors[coarser]['x']), 5)}), computed by this service on "
            f"{ERROR_GRID['points']:,} points of [{ERROR_GRID['xmin']:g}, {ERROR_GRID['xmax']:g}].")
