"""The catalog's stored members of the family an unknown model belongs to ("gpt-2 xl": GPT-2 (124M)).

Why a module of its own: a decline that only says "not in the catalog" leaves the asker guessing whether the
family is covered at all. Naming the stored members of the same family says what *is* there, by name only, so
that no neighbouring member's sizes are offered as the asked model's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.answers.lexicon import _family_of

_SEPARATORS = re.compile(r"[-_\s]+")
#: A family's name and its version number, written apart or together ("qwen 2.5", "qwen2.5").
_NAME_THEN_VERSION = re.compile(r"(?<=[a-z]) (?=\d)")


def _written(name: str) -> str:
    """A name as compared: lower case, separators as one space, none between a family and its version."""
    return _NAME_THEN_VERSION.sub("", _SEPARATORS.sub(" ", name.lower())).strip()


def _extends(asked: str, family: str) -> bool:
    """Whether ``asked`` is ``family`` followed by more (a size, a member word, a point release), not a longer
    word that merely starts the same ("phil" is not Phi)."""
    return asked.startswith(family) and not asked[len(family):len(family) + 1].isalpha()


#: What follows a family's name in a member of it: a size or a member word ("7b", "8x7b", "xxl", "nemo"), not
#: another version ("2" in "gemma 2 9b", ".1" in "llama 3.1 8b", "v1.1" in "t5 v1.1-base").
_MEMBER_REST = re.compile(r"^ ?(?:\d+(?:\.\d+)?[bmk]\b|\d+x\d+b\b|(?!v\d)[a-z(])")


#: More stored members of a line than this are named by their families ("Gemma 2 models").
MAX_LISTED = 6


def stored_members(asked: str, catalog: Iterable[str]) -> tuple[str, list[str]] | None:
    """The longest stored family ``asked`` extends and the catalog members of that family, or None."""
    names = list(catalog)
    families = {_family_of(name) for name in names}
    written = _written(asked)
    matching = [f for f in families if _extends(written, _written(f)) and written != _written(f)]
    if not matching:
        return None
    family = max(matching, key=lambda f: len(_written(f)))
    stem = _written(family)
    if not _MEMBER_REST.match(written[len(stem):]):  # another version ("gemma 4"): the stored versions
        line = [n for n in names if _extends(_written(n), stem)]
        versions = sorted((f for f in families if _extends(_written(f), stem)), key=lambda f: (len(f), f))
        return family, line if len(line) <= MAX_LISTED else [f"{f} models" for f in versions]
    size = _SIZE.search(written[len(stem):])
    same_size = [n for n in names if size and _extends(_written(n), stem)
                 and size.group(0) in _SIZE.findall(_written(n)[len(stem):])]
    if same_size:  # "llama 3 405b": the stored member of that size is another release's (Llama 3.1 405B)
        return family, same_size
    members = [n for n in names if _extends(_written(n), stem)
               and (_written(n) == stem or _MEMBER_REST.match(_written(n)[len(stem):]))]
    return (family, members) if members else None


#: A size written after a family's name ("405b", "8x7b").
_SIZE = re.compile(r"(?<![\w.])(?:\d+x)?\d+(?:\.\d+)?[bm](?![\w.])")


#: A release written after a model's name ("mistral-7b-instruct-v0.2", "olmo 7b v2"), a word or two later at most.
_RELEASE_AFTER = re.compile(r"^(?:[\s_-]+[a-z]+){0,2}?[\s_-]+v(\d+(?:\.\d+)*)\b")
#: The release a stored name carries in its brackets ("Mistral 7B (v0.1)").
_STORED_RELEASE = re.compile(r"\(v(\d+(?:\.\d+)*)\)")


def other_release(text: str, written: str, stored: str) -> str | None:
    """The model as written when it names a release other than the stored row's ("mistral 7b … v0.2" against
    "Mistral 7B (v0.1)"): that release is another model, so its name is returned for the decline."""
    own = _STORED_RELEASE.search(stored)
    at = text.lower().find(written.lower())
    if own is None or at < 0:
        return None
    after = _RELEASE_AFTER.match(text[at + len(written):].lower())
    if after is None or _same_release(after.group(1), own.group(1)):
        return None
    return text[at:at + len(written) + after.end()]


def _same_release(asked: str, stored: str) -> bool:
    """"v1" and "v1.0" are one release; "v0.2" and "v0.1" are not."""
    def parts(release: str) -> list[int]:
        numbers = [int(p) for p in release.split(".")]
        while len(numbers) > 1 and numbers[-1] == 0:
            numbers.pop()
        return numbers
    return parts(asked) == parts(stored)
