"""An OpenAPI 3.1 description of the served vendors, built from their packaged schemas."""

from __future__ import annotations

from typing import Any

from .core import schemas
from .core.vendor import Vendor


def _key(path: str) -> str:
    return path.removesuffix(".json").replace("/", "_")


def openapi(vendors: list[Vendor]) -> dict[str, Any]:
    """One document: a path per endpoint, every schema under ``components.schemas``."""
    paths: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for vendor in vendors:
        for ep in vendor.endpoints:
            op: dict[str, Any] = {"operationId": f"{vendor.name}_{ep.id}", "summary": ep.summary,
                                  "tags": [vendor.name], "responses": {}}
            if ep.request_schema and ep.params_in == "query":
                request = schemas.schema(ep.request_schema)
                op["parameters"] = [
                    {"name": name, "in": "query", "required": name in request.get("required", []), "schema": prop}
                    for name, prop in request.get("properties", {}).items()]
            elif ep.request_schema:
                components[_key(ep.request_schema)] = schemas.schema(ep.request_schema)
                op["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{_key(ep.request_schema)}"}}}}
            if ep.error_schema:
                components[_key(ep.error_schema)] = schemas.schema(ep.error_schema)
                op["responses"]["4XX"] = {"description": "The vendor's gateway error", "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{_key(ep.error_schema)}"}}}}
            refs = []
            for path in ep.response_schemas:
                components[_key(path)] = schemas.schema(path)
                refs.append({"$ref": f"#/components/schemas/{_key(path)}"})
            op["responses"]["200"] = {"description": "The vendor's answer",
                                      "content": {"application/json": {"schema": {"oneOf": refs} if len(refs) > 1
                                                                        else (refs[0] if refs else {})}}}
            if ep.callback_schema:
                components[_key(ep.callback_schema)] = schemas.schema(ep.callback_schema)
                op["callbacks"] = {"result": {"{$request.body#/callback}": {"post": {
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": f"#/components/schemas/{_key(ep.callback_schema)}"}}}},
                    "responses": {"200": {"description": "Delivered; anything else is retried"}}}}}}
            paths.setdefault(ep.path, {})[ep.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "modmock: " + ", ".join(v.title for v in vendors), "version": "1"},
        "paths": paths,
        "components": {"schemas": components},
    }
