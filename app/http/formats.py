"""Content negotiation shared by the tabular routes: the ``format`` query and its OpenAPI entry."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import Query, Request

FormatQuery = Annotated[
    Literal["json", "csv"] | None, Query(description="`csv` for CSV (or send `Accept: text/csv`).")
]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV when asked for"}
}

JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
SVG_MEDIA_TYPE = "image/svg+xml"
PNG_MEDIA_TYPE = "image/png"
MEDIA_TYPES = {"json": JSON_MEDIA_TYPE, "csv": CSV_MEDIA_TYPE, "svg": SVG_MEDIA_TYPE, "png": PNG_MEDIA_TYPE}
Format = Literal["json", "csv", "svg", "png"]


def media_type(fmt: str) -> str:
    """The Content-Type of a body in one of the formats a route can render."""
    return MEDIA_TYPES[fmt]


def wants_csv(format_param: str | None, accept: str) -> bool:
    if format_param:
        return format_param.lower() == "csv"
    return "text/csv" in accept and "application/json" not in accept


def wanted_format(request: Request, fmt: Format | None) -> str:
    """The ``format`` query when given, else CSV for a client that accepts CSV and not JSON, else JSON."""
    if fmt is not None:
        return fmt
    return "csv" if wants_csv(None, request.headers.get("accept", "")) else "json"


def dumps(document: Any) -> bytes:
    """JSON straight from numpy arrays: turning them into lists first would cost 20 times more."""
    return orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)
