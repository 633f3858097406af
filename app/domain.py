"""Errors the domain modules raise. They know nothing of HTTP; app/http/problems.py maps them to problem+json."""

from __future__ import annotations

from typing import Any


class UnknownNameError(LookupError):
    """A name (variant, paper, model, benchmark…) that the data does not hold; carries the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str], field: str | None = None) -> None:
        super().__init__(f"unknown {kind} '{name}'")
        self.kind = kind
        self.name = name
        self.valid = valid
        self.field = field


class InvalidInputError(ValueError):
    """An input outside what the service accepts; names the field and, where there is one, the limit."""

    def __init__(self, field: str, message: str, limit: Any = None, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.limit = limit
        self.status = status


class NotFoundError(LookupError):
    """A record asked for by its id that is not stored; names the field the id came in."""

    def __init__(self, detail: str, field: str, message: str, error_type: str = "not_found") -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.message = message
        self.error_type = error_type
