"""The service's OpenAPI document: the Problem schema, and limits stated with this deployment's values.

Limits are Settings, so a route cannot write them into its signature at import time. A parameter or
field instead names its setting (``json_schema_extra=limit_from("page_size_max")``) and the document
is completed here with the configured number, so the schema a client (or a fuzzer) reads says exactly
what the server will accept.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from app.config import Settings
from app.http.problems import Problem

# JSON Schema patterns are unanchored: at least one character that is neither a space nor a control
# character (the server drops control characters and trims spaces before it checks for emptiness).
NON_BLANK = r"[^\s\x00-\x1f\x7f]"

# marker -> (JSON Schema keyword, the types it applies to)
LIMIT_KEYWORDS = {
    "x-maximum-setting": ("maximum", ("integer", "number")),
    "x-max-length-setting": ("maxLength", ("string",)),
    "x-max-items-setting": ("maxItems", ("array",)),
    "x-abs-bound-setting": ("minimum/maximum", ("integer", "number")),
}


def success(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry of a route's success body, for routes that return a prepared dict or Response.

    Declared this way instead of ``response_model`` so the body is sent exactly as built (no filtering
    or re-serialization); schemathesis checks that it matches ``model``.
    """
    return {status: {"model": model}}


def limit_from(
    maximum: str | None = None,
    *,
    max_length: str | None = None,
    max_items: str | None = None,
    abs_bound: str | None = None,
) -> dict[str, Any]:
    """Name the Settings fields that bound a parameter; :func:`install_openapi` fills in their values."""
    extra: dict[str, Any] = {}
    if abs_bound:
        extra["x-abs-bound-setting"] = abs_bound
    if maximum:
        extra["x-maximum-setting"] = maximum
    if max_length:
        extra["x-max-length-setting"] = max_length
    if max_items:
        extra["x-max-items-setting"] = max_items
    return extra


def text_field(setting: str, *, required_text: bool = True) -> dict[str, Any]:
    """A form field of free text, bounded by a Settings length (and not blank when required)."""
    schema: dict[str, Any] = {"type": "string", **limit_from(max_length=setting)}
    if required_text:
        schema["pattern"] = NON_BLANK
    return schema


ID_FIELD: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def form_body(properties: dict[str, dict[str, Any]], required: list[str]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads an HTML form itself (``await request.form()``)."""
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}
    }


def _apply_limits(node: Any, settings: Settings) -> None:
    if isinstance(node, dict):
        for marker, (keyword, kinds) in LIMIT_KEYWORDS.items():
            field = node.get(marker)
            if isinstance(field, str):
                value = getattr(settings, field)
                targets = [node, *node.get("anyOf", []), *node.get("oneOf", [])]
                for target in targets:
                    if not isinstance(target, dict):
                        continue
                    if target.get("type") not in kinds:
                        continue
                    if keyword == "minimum/maximum":
                        target["minimum"], target["maximum"] = -value, value
                    else:
                        target[keyword] = value
        for child in node.values():
            _apply_limits(child, settings)
    elif isinstance(node, list):
        for child in node:
            _apply_limits(child, settings)


BAD_BODY = {
    "description": "The body could not be parsed (not JSON, or not UTF-8)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _complete_responses(schema: dict[str, Any]) -> None:
    """Statuses every route of a kind can give: 400 for an unreadable body, and redirects with no body."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "requestBody" in operation:
                responses.setdefault("400", BAD_BODY)
            for status, response in responses.items():
                if str(status).startswith("3") and str(status) != "304":
                    response.pop("content", None)


def install_openapi(app: FastAPI, settings: Settings) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in problem.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components.setdefault("Problem", problem)
        _apply_limits(schema, settings)
        _complete_responses(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
