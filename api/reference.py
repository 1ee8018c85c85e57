"""The API reference page: the OpenAPI document rendered on the server, so it needs no script
and no CDN (django-ninja's Swagger page would load one)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return node


def _fields(schema: dict[str, Any], node: dict[str, Any], prefix: str = "") -> list[dict]:
    """Flattened body fields (`content.text`), each with its type and whether it is required."""
    node = _resolve(schema, node)
    rows = []
    required = set(node.get("required", ()))
    for name, prop in node.get("properties", {}).items():
        prop = _resolve(schema, prop)
        options = prop.get("anyOf", [prop])
        kinds = sorted({_resolve(schema, o).get("type", o.get("format", "")) for o in options})
        kinds = [kind for kind in kinds if kind and kind != "null"] or ["object"]
        rows.append(
            {
                "name": prefix + name,
                "type": " or ".join(kinds),
                "required": name in required,
                "description": prop.get("description", ""),
            }
        )
        nested = next((o for o in options if "$ref" in o or "properties" in o), None)
        if nested is not None:
            rows.extend(_fields(schema, nested, f"{prefix}{name}."))
    return rows


@require_GET
def reference(request: HttpRequest) -> HttpResponse:
    from api.rest import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    operations = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema")
            )
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or ["Other"])[0],
                    "fields": _fields(schema, body) if body else [],
                }
            )
    return render(request, "api/reference.html", {"operations": operations, "info": schema["info"]})
