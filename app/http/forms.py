"""Reading HTML form fields: the page forms post ``application/x-www-form-urlencoded`` text only.

A missing field is ``None``; an id field that is not a whole number in range is an
:class:`InvalidInputError` naming the field, so the page re-renders with the message (status 422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData, UploadFile

from app.domain import InvalidInputError
from app.experiments import request as comparison_request
from app.storable_text import text_problem

ID_MAX = 2**63 - 1


def form_text(form: FormData, name: str) -> str | None:
    """The field's text, or None when it is absent or an upload."""
    value = form.get(name)
    return value if isinstance(value, str) else None


def form_id(form: FormData, name: str, field: str) -> int | None:
    """An optional id field: empty means none; anything but a whole number from 1 to 2^63 − 1 is refused."""
    value = form_text(form, name)
    if value is None or not value.strip():
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise InvalidInputError(field, "must be a whole number") from exc
    if not 1 <= number <= ID_MAX:
        raise InvalidInputError(field, "must be an id between 1 and 2^63 − 1", limit=ID_MAX)
    return number


def form_ids(form: FormData, name: str) -> list[int]:
    """A repeated id field (checkboxes); values that are not ids (whole numbers from 1 to 2^63 − 1) are left out,
    so no number a database column cannot hold reaches a query."""
    numbers = (int(v) for v in form.getlist(name) if isinstance(v, str) and v.strip().isdigit() and len(v) < 40)
    return [n for n in numbers if 1 <= n <= ID_MAX]


def query_year(text: str | None, field: str) -> int | None:
    """A year from a filter form, where an empty field (what a browser sends for "any") means none."""
    if not text:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise InvalidInputError(field, "must be a year between 1900 and 2100", limit="1900..2100")
    return int(text)


def form_number(form: FormData, name: str, cast: Callable[[str], Any] = int) -> Any:
    """An optional number field: empty means None; text that is not a number is refused, naming the field."""
    value = str(form.get(name) or "").strip()
    if not value:
        return None
    try:
        return cast(value)
    except ValueError:
        raise InvalidInputError(name, f"'{value}' is not a number") from None


async def form_upload_text(form: FormData, name: str, max_bytes: int) -> str | None:
    """The UTF-8 text of an uploaded file (None when none was chosen); over ``max_bytes`` is a 413."""
    upload = form.get(name)
    if not (isinstance(upload, UploadFile) and upload.filename):
        return None
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInputError(
            name, f"over the limit of {max_bytes} bytes (ACTLAB_COMPARE_CORPUS_MAX_BYTES)", max_bytes, status=413
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(name, "is not UTF-8 text") from None
    problem = text_problem(text)
    if problem is not None:
        raise InvalidInputError(f"body.{name}", problem[1])
    return text


def form_text_within(form: FormData, name: str, max_bytes: int, setting: str) -> str:
    """A text field of at most ``max_bytes`` UTF-8 bytes (empty when absent); over it is a 413 naming the field
    and the limit, the same answer the JSON API gives for the same text."""
    text = form_text(form, name) or ""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise InvalidInputError(
            f"body.{name}", f"{size} bytes is over the limit of {max_bytes} bytes ({setting})", max_bytes, status=413
        )
    return text


async def comparison_form(form: FormData, max_bytes: int) -> dict[str, Any]:
    """The comparison form's fields as a request for :data:`app.experiments.request.ComparisonIn`."""
    kind = str(form.get("kind") or "quality")
    text = form_text_within(form, "corpus_text", max_bytes, "ACTLAB_COMPARE_CORPUS_MAX_BYTES")
    if kind != "speed":  # only the quality comparison trains on a corpus
        text = await form_upload_text(form, "corpus_file", max_bytes) or text
    return comparison_request.from_form(
        kind,
        device=str(form.get("device") or "auto"),
        matched=form.get("matched") is not None,
        variants=[str(v) for v in form.getlist("variants")],
        number=lambda name, cast: form_number(form, name, cast),
        text=text,
    )
