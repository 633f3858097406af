"""Every JSON route states what a success looks like, so the OpenAPI document (and schemathesis' response
conformance check) can hold each body to it: no 2xx JSON response is declared as an open object."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return _resolve(node, document)


def _is_open(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    """True for a schema that says nothing: ``{}``, a bare ``object`` or an object of anything."""
    schema = _resolve(schema, document)
    if not schema:
        return True
    if any(key in schema for key in ("anyOf", "oneOf", "allOf")):
        return False
    if schema.get("type") == "object":
        return "properties" not in schema and schema.get("additionalProperties", True) in (True, {})
    return False


def test_every_json_success_declares_its_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    open_bodies = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                content = response.get("content", {})
                json_body = content.get("application/json")
                if json_body is None:
                    continue
                if _is_open(json_body.get("schema", {}), document):
                    open_bodies.append(f"{method.upper()} {path} {status}")
    assert not open_bodies, "JSON successes without a declared schema:\n" + "\n".join(open_bodies)


def test_the_check_sees_an_open_schema() -> None:
    """The rule itself: an undeclared body is open, a model with properties is not."""
    document = {"components": {"schemas": {"M": {"type": "object", "properties": {"a": {"type": "integer"}}}}}}
    assert _is_open({}, document)
    assert _is_open({"type": "object", "additionalProperties": True}, document)
    assert not _is_open({"$ref": "#/components/schemas/M"}, document)
    assert not _is_open({"type": "array", "items": {"$ref": "#/components/schemas/M"}}, document)
