"""The two ways an activation request can be wrong; app/http/problems.py turns them into 422 / 404 problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain import InvalidInputError, UnknownNameError


class ActivationInputError(InvalidInputError):
    """An input outside what the computations accept: names the field and the limit it broke."""

    def __init__(self, field: str, message: str, limit: Any = None) -> None:
        super().__init__(field, message, limit=limit, status=422)


class UnknownActivationError(UnknownNameError, KeyError):
    """An id that is neither an activation id nor an alias; carries the valid ids for the answer."""

    def __init__(self, name: str, valid_ids: Sequence[str], field: str = "id", kind: str = "activation") -> None:
        super().__init__(kind, name, list(valid_ids), field=field)
        self.valid_ids = list(valid_ids)

    def __str__(self) -> str:  # KeyError would quote the whole message
        return f"unknown {self.kind} '{self.name}'; valid: {', '.join(self.valid_ids)}"
