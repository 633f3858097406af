"""Text both databases can store: no NUL character and no unpaired surrogate.

PostgreSQL refuses a NUL in a text value (SQLite keeps it and cuts C strings at it), and a lone
surrogate — which JSON's ``"\\ud800"`` escape and Python's ``str`` allow — cannot be encoded as UTF-8
by either driver. Both used to surface as a database error (a 500) after validation had passed, so every
text input is checked here first and refused as invalid input naming the field.

The check is plain Python so the domain's own request schemas (the comparison config) use it as well as
the HTTP layer's request models (``app.http.inputs`` re-exports :data:`StorableText`), its query and path
check and its form reader.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

NUL_MESSAGE = "contains a NUL character"
SURROGATE_MESSAGE = "contains an unpaired surrogate"
# A str holds a surrogate code point only when it is unpaired: a JSON pair decodes to one astral character.
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> tuple[str, str] | None:
    """``(error type, message)`` when ``value`` cannot be stored, else None."""
    if "\x00" in value:
        return "nul_character", NUL_MESSAGE
    if _SURROGATE.search(value):
        return "unpaired_surrogate", SURROGATE_MESSAGE
    return None


def _storable(value: Any) -> Any:
    """Refuse unstorable text before the other string checks run (a length or pattern check would
    otherwise answer a surrogate with pydantic's vaguer "unable to parse raw data"). Non-strings pass on
    to the type check, which refuses them as usual."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise PydanticCustomError(problem[0], problem[1])
    return value


#: A ``str`` for request models that refuses NUL characters and unpaired surrogates (422 naming the field).
StorableText = Annotated[str, BeforeValidator(_storable)]
