"""Names and titles people can see: visible characters only, and no look-alike of the service's own name.

A title or display name made only of zero-width, bidi or other format characters shows as nothing; one
that adds them to (or swaps letters of) "Activation Lab" shows as the service. So a line of user text is

* normalized with **NFKC** (full-width, ligature and other compatibility forms become their plain letters);
* stripped of **format characters** (Unicode category Cf: zero-width spaces and joiners, bidi embeddings,
  overrides and isolates, the soft hyphen, the BOM, tag characters) and of the Hangul and Braille
  fillers that render blank but are letters or symbols;

and the service's name is compared by a **confusable skeleton**: NFKC, casefold, accents removed, only
letters and digits kept, and the Cyrillic and Greek letters that look like Latin ones (plus 0 and 1 for
o and l) mapped to those. The map is small and covers the common look-alikes; it is not Unicode's full
confusables table.
"""

from __future__ import annotations

import unicodedata

#: Characters that are not format characters (Cf) yet render as blank space of no width or a blank cell.
INVISIBLE_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u034f")

#: Common look-alikes of Latin letters, lower case (the skeleton is casefolded first): each character of the
#: first string reads as the character below it in the second.
_LOOKALIKE_FROM = "авеёкмнорстухѕіїјһԁԛԝӏүɡαβεηικμνορτυχζϲϳ01ı"  # Cyrillic, Greek, digits and dotless i
_LOOKALIKE_TO = "abeekmhopctyxsiijhdqwlygabenikuvoptuxzcjoli"
_LOOKALIKES = dict(zip(_LOOKALIKE_FROM, _LOOKALIKE_TO, strict=True))


def _hidden(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in INVISIBLE_FILLERS


def visible_text(value: str) -> str:
    """``value`` in NFKC without format characters and blank fillers (spaces are left to the caller)."""
    return "".join(c for c in unicodedata.normalize("NFKC", value) if not _hidden(c))


def has_visible(value: str) -> bool:
    """Whether ``value`` shows anything: a character that is neither space, control, format nor filler."""
    return any(not (c.isspace() or _hidden(c) or unicodedata.category(c) == "Cc") for c in value)


def skeleton(value: str) -> str:
    """What a name looks like, for comparing names: see the module docstring."""
    folded = visible_text(value).casefold()
    letters = (c for c in unicodedata.normalize("NFD", folded) if unicodedata.category(c) != "Mn")
    mapped = (_LOOKALIKES.get(c, c) for c in letters)
    return "".join(c for c in mapped if c.isalnum())


def looks_like(name: str, other: str) -> bool:
    """Whether ``name`` reads as ``other`` (same skeleton)."""
    return skeleton(name) == skeleton(other)
