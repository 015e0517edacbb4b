"""Self-contained copies of the packaged schemas, for hypothesis-jsonschema.

hypothesis-jsonschema resolves only local ``$ref``s and understands drafts 4-7, so a bundled
copy holds the schema and every file it references under ``$defs`` (references rewritten to
match), without the ``x-`` annotations, declared draft-07. Objects that list their properties
are closed, so drawn examples carry documented fields only.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..mockserver.core import refs, schemas

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def _closed(node: Any) -> Any:
    if isinstance(node, list):
        return [_closed(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _closed(v) for k, v in node.items()}
    if "properties" in out and "additionalProperties" not in out and out.get("type") == "object":
        out["additionalProperties"] = False  # draw documented fields only (validation stays open)
    return out


@cache
def bundled(path: str) -> dict[str, Any]:
    """A self-contained draft-07 copy of packaged schema ``path`` (e.g. ``deepcleer/callback.json``)."""
    defs = refs.gather([path], lambda key: f"#/$defs/{key}", annotations=False)
    return {"$schema": DRAFT_07, "$ref": f"#/$defs/{refs.key(schemas.BASE_URI + path)}", "$defs": _closed(defs)}
