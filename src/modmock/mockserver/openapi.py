"""An OpenAPI 3.1 description of the served vendors, built from their packaged schemas."""

from __future__ import annotations

from typing import Any

from .core import refs, schemas
from .core.vendor import Vendor


def _key(path: str) -> str:
    return refs.key(schemas.BASE_URI + path)


def _component(key: str) -> str:
    return f"#/components/schemas/{key}"


def openapi(vendors: list[Vendor]) -> dict[str, Any]:
    """One document: a path per endpoint, every schema under ``components.schemas`` (with the
    files they reference; references point into the document, so any OpenAPI tool resolves them)."""
    paths: dict[str, Any] = {}
    components: dict[str, str] = {}
    for vendor in vendors:
        for ep in vendor.endpoints:
            op: dict[str, Any] = {"operationId": f"{vendor.name}_{ep.id}", "summary": ep.summary,
                                  "tags": [vendor.name], "responses": {}}
            if ep.request_schema and ep.params_in == "query":
                request = schemas.schema(ep.request_schema)
                key = _key(ep.request_schema)
                components[key] = ep.request_schema  # what the parameters' own references point into
                found: dict[str, str] = {}
                op["parameters"] = [
                    {"name": name, "in": "query", "required": name in request.get("required", []),
                     "schema": refs.relocate(prop, request["$id"], _component(key), _component, found)}
                    for name, prop in request.get("properties", {}).items()]
                components.update({k: uri.removeprefix(schemas.BASE_URI) for uri, k in found.items()})
            elif ep.request_schema:
                components[_key(ep.request_schema)] = ep.request_schema
                op["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{_key(ep.request_schema)}"}}}}
                example = vendor.request_example(ep.id)
                if example is not None:
                    op["requestBody"]["content"]["application/json"]["examples"] = {"accepted": {
                        "summary": "Accepted by this mock: its test credentials, a clean image", "value": example}}
            if ep.parameters:
                op["parameters"] = [*op.get("parameters", []), *ep.parameters]
            if ep.error_schema:
                components[_key(ep.error_schema)] = ep.error_schema
                op["responses"]["4XX"] = {"description": "The vendor's error answer", "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{_key(ep.error_schema)}"}}}}
            answers = []
            for path in ep.response_schemas:
                components[_key(path)] = path
                answers.append({"$ref": f"#/components/schemas/{_key(path)}"})
            op["responses"]["200"] = {"description": "The vendor's answer",
                                      "content": {"application/json": {"schema": {"anyOf": answers} if len(answers) > 1
                                                                        else (answers[0] if answers else {})}}}
            if ep.callback_schema:
                components[_key(ep.callback_schema)] = ep.callback_schema
                op["callbacks"] = {"result": {"{$request.body#/callback}": {"post": {
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": f"#/components/schemas/{_key(ep.callback_schema)}"}}}},
                    "responses": {"200": {"description": "Delivered; anything else is retried"}}}}}}
            paths.setdefault(ep.path, {})[ep.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "modmock: " + ", ".join(v.title for v in vendors), "version": "1"},
        "paths": paths,
        "components": {"schemas": refs.gather(sorted(set(components.values())), _component)},
    }
