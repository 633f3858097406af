"""Reading HTML form fields: the page forms post ``application/x-www-form-urlencoded`` text only.

A missing field is ``None``; an id field that is not a whole number in range is an
:class:`InvalidInputError` naming the field, so the page re-renders with the message (status 422).
"""

from __future__ import annotations

from starlette.datastructures import FormData

from app.domain import InvalidInputError

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
    """A repeated id field (checkboxes); values that are not ids are left out."""
    return [int(v) for v in form.getlist(name) if isinstance(v, str) and v.strip().isdigit()]


def query_year(text: str | None, field: str) -> int | None:
    """A year from a filter form, where an empty field (what a browser sends for "any") means none."""
    if not text:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise InvalidInputError(field, "must be a year between 1900 and 2100", limit="1900..2100")
    return int(text)
