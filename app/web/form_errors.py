"""A refused form post, said in plain words beside the field it is about.

The JSON API names fields and settings exactly (``body.config``, ``ACTLAB_COMPARE_MAX_EXPECTED_SECONDS``):
right for a program, noise for a person who typed into a form. A page that re-renders after a refusal
shows :attr:`FormError.text` beside the field instead, and the field's API name and the setting that
holds the limit once, in a small details line (:attr:`FormError.details`), for whoever runs the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.domain import InvalidInputError
from app.http.problems import ProblemError

#: Shown at the top of a form: the error is about the whole submission or a field it has no input for.
FORM = "_form"
_SETTING = re.compile(r"\s*\(?\b(ACTLAB_[A-Z0-9_]+)\)?")
_CHARS = re.compile(r"at most (\d+) characters, got (\d+)")
_BYTES = re.compile(r"(?:(\d+) bytes is )?over the limit of (\d+) bytes")
_OVER = re.compile(r"^(\S+) is over the limit (\S+)")
#: What a person calls each input.
LABELS = {
    "question": "question", "title": "title", "body": "post", "display_name": "display name",
    "d_model": "d_model", "speed_d_model": "d_model", "n_layers": "layers", "n_heads": "heads",
    "seq_len": "sequence length", "batch_size": "batch size", "steps": "steps", "lr": "learning rate",
    "seeds": "seeds", "corpus_seed": "corpus seed", "tokens": "tokens", "variants": "variants",
    "corpus_text": "pasted text", "corpus_file": "text file", "device": "device", "kind": "kind",
}
EMPTY = {
    "question": "Write a question first.",
    "title": "Give the thread a title.",
    "body": "Write something to post first.",
    "display_name": "The display name shows no visible characters; leave it empty or type a name.",
}
#: The setting that limits each text field's length (the domain's messages state only the number).
CHAR_SETTINGS = {
    "question": "ACTLAB_QUESTION_MAX_CHARS", "title": "ACTLAB_THREAD_TITLE_MAX_CHARS",
    "body": "ACTLAB_POST_BODY_MAX_CHARS", "display_name": "ACTLAB_DISPLAY_NAME_MAX_CHARS",
}


@dataclass(frozen=True)
class FormError:
    """What a page shows for one refusal: where (``field``), what (``text``), the input to focus, the
    status to answer with, and the technical line (API field name, setting and limit)."""

    field: str
    text: str
    details: str
    status: int = 422
    focus: str | None = None
    headers: dict[str, str] | None = None

    @property
    def focused(self) -> str:
        """The input that gets ``autofocus``: the field itself unless told otherwise."""
        return self.focus or self.field


def input_name(api_field: str, fields: tuple[str, ...] | None = None) -> str:
    """The form input an API field name is about (``body.corpus.text`` -> ``corpus_text``); :data:`FORM`
    when the form has no such input."""
    name = api_field.removeprefix("body.").removeprefix("query.").replace(".", "_")
    known = fields if fields is not None else tuple(LABELS)
    return name if name in known else FORM


def _details(api_field: str, setting: str | None, limit: Any) -> str:
    line = f"Field: {api_field}"
    if setting:
        line += f" · Limit: {setting}" + (f" = {limit}" if limit is not None else "")
    return line


_PYDANTIC = ((re.compile(r"input should be greater than or equal to (\S+)"), r"must be at least \1"),
             (re.compile(r"input should be less than or equal to (\S+)"), r"must be at most \1"),
             (re.compile(r"input should be greater than (\S+)"), r"must be more than \1"))


def _sentence(text: str) -> str:
    """One sentence: capitalised (unless it starts with an identifier such as d_model), one full stop."""
    text = text.strip().rstrip(".;")
    if not text:
        return "This was not accepted."
    first = text.split(" ", 1)[0]
    return (text if "_" in first else text[:1].upper() + text[1:]) + "."


def from_invalid(exc: InvalidInputError, fields: tuple[str, ...] | None = None) -> FormError:
    """A domain refusal (:class:`InvalidInputError`) in plain words, beside its input."""
    name = input_name(exc.field, fields)
    label = LABELS.get(name, "value")
    message = exc.message
    found = _SETTING.search(message)
    setting = found.group(1) if found else CHAR_SETTINGS.get(name)
    plain = _SETTING.sub("", message)
    if plain in ("must not be empty", "has no visible characters"):
        text = EMPTY.get(name, f"Fill in the {label}.")
    elif m := _CHARS.search(plain):
        text = f"The {label} can be at most {int(m[1]):,} characters; this one has {int(m[2]):,}."
    elif m := _BYTES.search(plain):
        size = f"is {int(m[1]):,} bytes" if m[1] else "is too large"
        text = f"The {label} {size}; this server takes at most {int(m[2]):,} bytes."
    elif m := _OVER.search(plain):
        text = f"Use at most {m[2]} {label}; this asks for {m[1]}."
    elif "is the service's own name" in plain:
        text = "That is the service's own name; choose another display name."
    elif "is not a number" in plain:
        text = f"The {label} must be a number."
    elif name == FORM or plain.startswith(name):
        text = _sentence(plain)
    else:
        text = _sentence(f"{label}: {plain}")
    return FormError(name, text, _details(exc.field, setting, exc.limit), status=exc.status)


def from_validation(exc: ValidationError, fields: tuple[str, ...] | None = None) -> FormError:
    """The first pydantic refusal of a form's fields (types and bounds), in plain words."""
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ())[:1]) or "request"
    name = input_name(loc, fields)
    label = LABELS.get(name, loc)
    message = str(first.get("msg", "is not accepted"))
    message = message[:1].lower() + message[1:]
    for pattern, words in _PYDANTIC:
        message = pattern.sub(words, message)
    text = _sentence(f"the {label} {message}" if message.startswith("must") else f"{label}: {message}")
    return FormError(name, text, _details(f"body.{loc}", None, None))


def from_problem(exc: ProblemError, fields: tuple[str, ...] | None = None) -> FormError:
    """A refusal raised as a problem (a full queue, a client's quota, an unstorable character)."""
    error = exc.errors[0] if exc.errors else None
    api_field = ".".join(str(p) for p in error.loc) if error else "request"
    found = _SETTING.search(exc.detail)
    setting = found.group(1) if found else None
    retry = exc.headers.get("Retry-After")
    if exc.status == 429:
        text = _sentence(_SETTING.sub("", exc.detail)) + (f" Try again in {retry} s." if retry else "")
        return FormError(FORM, text, _details(api_field, setting, error.limit if error else None), 429,
                         headers=exc.headers or None)
    name = input_name(api_field, fields)
    message = error.msg if error else exc.detail
    label = LABELS.get(name, "value")
    text = _sentence(f"The {label} {message}" if name != FORM else message)
    return FormError(name, text, _details(api_field, setting, None), exc.status, headers=exc.headers or None)


def plain_error(exc: Exception, fields: tuple[str, ...] | None = None) -> FormError:
    """Any refusal a page form can meet, in plain words."""
    if isinstance(exc, InvalidInputError):
        return from_invalid(exc, fields)
    if isinstance(exc, ValidationError):
        return from_validation(exc, fields)
    if isinstance(exc, ProblemError):
        return from_problem(exc, fields)
    raise TypeError(f"not a form refusal: {type(exc).__name__}")
