"""Numbers for people, as the activation pages print them (the ``fmt`` of the templates, and the ``sig``
filter for values that arrive as text)."""

from __future__ import annotations

import math

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(value: float | None, digits: int = 5) -> str:
    """A number for people: ``digits`` significant digits, × 10ⁿ below 10⁻³ and from 10⁶ on."""
    if value is None:
        return "—"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < 6:
        text = f"{value:.{max(digits - 1 - exponent, 0)}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace("-", "−")
    mantissa = f"{value / 10**exponent:.{digits - 1}f}"
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return mantissa.replace("-", "−") + " × 10" + str(exponent).translate(SUPERSCRIPT)


def significant(value: object, digits: int = 5) -> str:
    """A computation's output as "how this was answered" prints it: a number (a float, or the text of one,
    as answers store their outputs) at ``digits`` significant digits, so float noise such as
    2.6989414000000003 reads 2.6989; anything else (a name, a verdict, an integer count) unchanged."""
    if isinstance(value, (bool, int)):
        return str(value)
    if isinstance(value, float):
        return fmt(value, digits)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return value
        try:
            number = float(text)
        except ValueError:
            return value
        return fmt(number, digits) if math.isfinite(number) else value
    return str(value)


#: The paper's two training lengths, named wherever a step count is shown: a reader comparing 1.633 with
#: 1.942 must see that one is a full pre-training run and the other an eight-times shorter one.
STEP_LABELS = {524_288: "full pre-training", 65_536: "short run"}


def steps_label(steps: object) -> str | None:
    """The name of a training length ("full pre-training", "short run"), None for any other count."""
    return STEP_LABELS.get(steps) if isinstance(steps, int) and not isinstance(steps, bool) else None


def steps(value: object) -> str:
    """A step count for people: thousands separated and, for the paper's two lengths, their name
    ("524,288 steps (full pre-training)"); "—" when there is none."""
    if value is None:
        return "—"
    if not isinstance(value, int) or isinstance(value, bool):
        return str(value)
    label = steps_label(value)
    return f"{value:,} steps" + (f" ({label})" if label else "")
