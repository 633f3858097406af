"""The service's OpenAPI document: the Problem schema, and limits stated with this deployment's values.

Limits are Settings, so a route cannot write them into its signature at import time. A parameter or
field instead names its setting (``json_schema_extra=limit_from("page_size_max")``) and the document
is completed here with the configured number, so the schema a client (or a fuzzer) reads says exactly
what the server will accept.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.config import Settings
from app.errors import Problem

# marker -> (JSON Schema keyword, the types it applies to)
LIMIT_KEYWORDS = {
    "x-maximum-setting": ("maximum", ("integer", "number")),
    "x-max-length-setting": ("maxLength", ("string",)),
    "x-max-items-setting": ("maxItems", ("array",)),
    "x-abs-bound-setting": ("minimum/maximum", ("integer", "number")),
}


def limit_from(
    maximum: str | None = None,
    *,
    max_length: str | None = None,
    max_items: str | None = None,
    abs_bound: str | None = None,
) -> dict[str, str]:
    """Name the Settings fields that bound a parameter; :func:`install_openapi` fills in their values."""
    extra = {}
    if abs_bound:
        extra["x-abs-bound-setting"] = abs_bound
    if maximum:
        extra["x-maximum-setting"] = maximum
    if max_length:
        extra["x-max-length-setting"] = max_length
    if max_items:
        extra["x-max-items-setting"] = max_items
    return extra


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
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
