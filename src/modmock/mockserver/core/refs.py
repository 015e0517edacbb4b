"""Copies of packaged schemas whose ``$ref``s work without ``$id``s: for documents that gather
several schemas in one place (a bundle for hypothesis-jsonschema, OpenAPI components)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from . import schemas


def key(uri: str) -> str:
    """A name for a packaged schema: ``.../deepcleer/result.json`` → ``deepcleer_result``."""
    return uri.removeprefix(schemas.BASE_URI).removesuffix(".json").replace("/", "_")


def relocate(node: Any, base: str, here: str, elsewhere: Callable[[str], str], found: dict[str, str], *,
             annotations: bool = True) -> Any:
    """Copy ``node`` (from the schema at ``base``) to be placed at JSON pointer ``here``: its own
    ``#`` references get that prefix, references to other files become ``elsewhere(key)``, and
    each other file is recorded in ``found`` (uri → key). ``$id``/``$schema`` are dropped, and the
    ``x-`` annotations too unless ``annotations``."""
    if isinstance(node, list):
        return [relocate(v, base, here, elsewhere, found, annotations=annotations) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for name, value in node.items():
        if name in ("$id", "$schema") or (name.startswith("x-") and not annotations):
            continue
        if name == "$ref" and isinstance(value, str):
            if value.startswith("#"):
                out[name] = here + value[1:]
            else:
                target, _, fragment = urljoin(base, value).partition("#")
                found.setdefault(target, key(target))
                out[name] = elsewhere(found[target]) + fragment
            continue
        if name in ("properties", "$defs", "patternProperties"):
            out[name] = {k: relocate(v, base, here, elsewhere, found, annotations=annotations)
                         for k, v in value.items()}
        else:
            out[name] = relocate(value, base, here, elsewhere, found, annotations=annotations)
    return out


def gather(paths: list[str], at: Callable[[str], str], *, annotations: bool = True,
           adjust: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Every schema in ``paths`` and everything they reference, by key, each relocated to the
    pointer ``at(key)``."""
    found = {schemas.BASE_URI + p: key(schemas.BASE_URI + p) for p in paths}
    done: dict[str, Any] = {}
    while set(found) - set(done):
        for uri in sorted(set(found) - set(done)):
            name = found[uri]
            copy = relocate(schemas.schema(uri.removeprefix(schemas.BASE_URI)), uri, at(name), at, found,
                            annotations=annotations)
            done[uri] = adjust(copy) if adjust else copy
    return {found[uri]: body for uri, body in done.items()}
