"""Self-contained copies of the packaged schemas, for hypothesis-jsonschema.

hypothesis-jsonschema resolves only local ``$ref``s and understands drafts 4-7, so a bundled
copy inlines every referenced file under ``$defs`` (its own ``#`` references rewritten to
match), drops ``$id``/``$schema`` and the ``x-`` annotations, and declares draft-07. Objects
that list their properties are closed, so drawn examples carry documented fields only.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from ..mockserver.core import schemas

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def _key(uri: str) -> str:
    return uri.removeprefix(schemas.BASE_URI).removesuffix(".json").replace("/", "_")


def _rewrite(node: Any, base: str, prefix: str, found: dict[str, str]) -> Any:
    """Copy ``node``: local refs get ``prefix``, external ones point into ``$defs``."""
    if isinstance(node, list):
        return [_rewrite(v, base, prefix, found) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-") or key in ("$id", "$schema"):
            continue
        if key == "$ref" and isinstance(value, str):
            if value.startswith("#"):
                out[key] = prefix + value[1:]
            else:
                target = urljoin(base, value)
                found.setdefault(target, _key(target))
                out[key] = f"#/$defs/{found[target]}"
            continue
        if key in ("properties", "$defs", "patternProperties"):
            out[key] = {name: _rewrite(sub, base, prefix, found) for name, sub in value.items()}
        else:
            out[key] = _rewrite(value, base, prefix, found)
    if "properties" in out and "additionalProperties" not in out and out.get("type") == "object":
        out["additionalProperties"] = False  # draw documented fields only (validation stays open)
    return out


@lru_cache(maxsize=None)
def bundled(path: str) -> dict[str, Any]:
    """A self-contained draft-07 copy of packaged schema ``path`` (e.g. ``deepcleer/callback.json``)."""
    root = schemas.schema(path)
    found: dict[str, str] = {}
    doc = _rewrite(root, root["$id"], "#", found)
    done: set[str] = set()
    while set(found) - done:
        for uri in sorted(set(found) - done):
            key = found[uri]
            target = schemas.schema(uri.removeprefix(schemas.BASE_URI))
            doc.setdefault("$defs", {})[key] = _rewrite(target, uri, f"#/$defs/{key}", found)
            done.add(uri)
    doc["$schema"] = DRAFT_07
    return doc
