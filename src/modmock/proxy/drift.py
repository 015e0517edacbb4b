"""Where a body departs from a packaged schema: each difference named by its schema path, the
field it is about, the ``x-source`` that documents the rule, and whether the rule is inferred.

A walk of the body and its schema together (``$ref`` followed within the packaged schemas; of
``anyOf``/``oneOf`` the branch with the fewest differences), so that a difference is reported
where the rule is written, and a field no schema documents is one (JSON Schema itself allows
it). The scalar rules of a node (``minimum``, ``pattern``, ``format``, ...) are checked by
jsonschema.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from ..mockserver.core.schemas import all_schemas
from .recording import SCRUBBED, is_secret, scrub

CODE_FIELDS = ("code", "Code", "errorCode")  # an enum violated there is an undocumented code
WALKED = {"$ref", "$defs", "$schema", "$id", "allOf", "anyOf", "oneOf", "if", "then", "else", "type", "enum",
          "const", "required", "properties", "patternProperties", "additionalProperties", "items",
          "prefixItems", "title", "description", "examples", "default", "not", "dependentRequired",
          "dependentSchemas", "unevaluatedProperties", "contains", "propertyNames"}
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


@dataclass(frozen=True)
class Difference:
    """One way a body departs from its schema."""

    kind: str  # undocumented-field | missing-field | type | enum | undocumented-code | rule
    schema: str  # where the rule is written: ``deepcleer/result.json#/properties/code``
    field: str  # the field it is about: ``riskDetail.faces[].name`` (``(body)``: the root)
    detail: str
    source: str  # the x-source of the rule (the nearest one written above it)
    inferred: bool  # the rule is one modmock inferred (x-inferred), not one the vendor documents
    value: Any = dataclasses.field(default=None, compare=False)  # what the body held there (None when missing)

    def to_json(self) -> dict[str, Any]:
        """As the report lists it: the value seen clipped, and never a secret (a key, a token)."""
        name = re.split(r"[.\[]", self.field)[-1] if self.field else ""
        if is_secret(name) and self.value not in (None, ""):  # (a rule's message may quote the value)
            value, detail = SCRUBBED, f"the value breaks the rule at {self.schema} (a secret: not shown)"
        else:
            value, detail = _clip(scrub(self.value)), self.detail
        return {"kind": self.kind, "schema": self.schema, "field": self.field, "detail": detail,
                "x-source": self.source, "inferred": self.inferred, "value": value}


def differences(instance: Any, schema_path: str) -> list[Difference]:
    """How ``instance`` departs from the packaged schema ``schema_path`` (``[]``: it conforms)."""
    root = all_schemas()[schema_path]
    walk = _Walk()
    return _unique(walk.node(instance, root, _Where(schema_path, "", root.get("x-source", ""), False), []))


def closest(instance: Any, schema_paths: tuple[str, ...] | list[str]) -> tuple[str, list[Difference]]:
    """Of several schemas an answer may follow, the one it departs from least, and how."""
    best: tuple[str, list[Difference]] | None = None
    for path in schema_paths:
        found = differences(instance, path)
        if best is None or len(found) < len(best[1]):
            best = (path, found)
        if not found:
            break
    if best is None:
        raise ValueError("no schema to compare with")
    return best


@dataclass(frozen=True)
class _Where:
    file: str
    pointer: str
    source: str
    inferred: bool

    def down(self, *keys: str | int, node: Any = None) -> _Where:
        pointer = self.pointer + "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in keys)
        source, inferred = self.source, self.inferred
        if isinstance(node, dict):
            source = node.get("x-source", source)
            inferred = inferred or bool(node.get("x-inferred"))
        return _Where(self.file, pointer, source, inferred)

    @property
    def name(self) -> str:
        return f"{self.file}#{self.pointer}"


class _Walk:
    def node(self, instance: Any, schema: Any, where: _Where, path: list[str], owner: bool = True) -> list[Difference]:
        """How ``instance`` departs from ``schema``; ``owner``: this node says which fields of an
        object are documented (its branches and references, walked for the same value, do not:
        a field any of them documents is documented)."""
        if schema is False:
            return [self._diff("rule", where, path, "no value is allowed here", instance)]
        if not isinstance(schema, dict):
            return []
        found = self._type(instance, schema, where, path)
        if found:
            return found  # the rest of this node's rules are about a value of another type
        found += self._values(instance, schema, where, path)
        if isinstance(instance, dict):
            found += self._object(instance, schema, where, path, owner)
        elif isinstance(instance, list):
            found += self._array(instance, schema, where, path)
        found += self._scalar_rules(instance, schema, where, path)
        if isinstance(instance, str) and "x-content-schema" in schema:  # a JSON document inside a string
            found += self._content(instance, schema["x-content-schema"], where, path)  # (Alibaba's ServiceParameters)
        # Then what applies to the same value elsewhere (a rule written here is reported here first).
        if "$ref" in schema:
            target, target_where = self._resolve(schema["$ref"], where)
            found += self.node(instance, target, target_where, path, owner=False)
        for i, branch in enumerate(schema.get("allOf", ())):
            found += self.node(instance, branch, where.down("allOf", i, node=branch), path, owner=False)
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                found += self._branches(instance, schema[keyword], where, keyword, path)
        if "if" in schema:
            passes = Draft202012Validator(self._standalone(schema["if"], where)).is_valid(instance)
            chosen = "then" if passes else "else"
            if chosen in schema:
                found += self.node(instance, schema[chosen], where.down(chosen, node=schema[chosen]), path, owner=False)
        return found

    # -- the keywords walked ----------------------------------------------------------------
    def _branches(self, instance: Any, branches: list[Any], where: _Where, keyword: str,
                  path: list[str]) -> list[Difference]:
        """The differences from the branch that fits best: one of the value's type first (a branch
        for another type fits worse than any other), then the one with the fewest differences."""
        here = _field(path)
        best: tuple[tuple[int, int], list[Difference]] | None = None
        for i, branch in enumerate(branches):
            found = self.node(instance, branch, where.down(keyword, i, node=branch), path, owner=False)
            if not found:
                return []
            rank = (int(any(d.kind == "type" and d.field == here for d in found)), len(found))
            if best is None or rank < best[0]:
                best = (rank, found)
        return best[1] if best is not None else []

    def _type(self, instance: Any, schema: dict[str, Any], where: _Where, path: list[str]) -> list[Difference]:
        wanted = schema.get("type")
        if wanted is None:
            return []
        names = wanted if isinstance(wanted, list) else [wanted]
        if any(_is_type(instance, name) for name in names):
            return []
        return [self._diff("type", where.down("type"), path, f"expected {' or '.join(names)}, got "
                           f"{_type_name(instance)}", instance)]

    def _values(self, instance: Any, schema: dict[str, Any], where: _Where, path: list[str]) -> list[Difference]:
        allowed: list[Any] | None = None
        keyword = ""
        if "const" in schema:
            allowed, keyword = [schema["const"]], "const"
        elif "enum" in schema:
            allowed, keyword = list(schema["enum"]), "enum"
        if allowed is None or any(_same(instance, value) for value in allowed):
            return []
        kind = "undocumented-code" if path and path[-1] in CODE_FIELDS else "enum"
        shown = ", ".join(json.dumps(v) for v in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        return [self._diff(kind, where.down(keyword), path, f"{json.dumps(instance)} is not one of {shown}", instance)]

    def _object(self, instance: dict[str, Any], schema: dict[str, Any], where: _Where,
                path: list[str], owner: bool) -> list[Difference]:
        found = []
        properties = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in instance:
                prop = properties.get(name, {})
                inferred = where.inferred or (isinstance(prop, dict) and bool(prop.get("x-inferred")))
                found.append(Difference("missing-field", where.down("required").name, _field([*path, name]),
                                        f"{name} is documented as always present", where.source, inferred))
        documented = self._documented(schema, where) if owner else set()
        named = where  # where an undocumented field is reported: the schema that lists the fields
        if "$ref" in schema and "properties" not in schema:
            named = self._resolve(schema["$ref"], where)[1]
        for name, value in instance.items():
            if name in properties:
                sub = properties[name]
                found += self.node(value, sub, where.down("properties", name, node=sub), [*path, name])
                continue
            pattern_hit = False
            for pattern, sub in schema.get("patternProperties", {}).items():
                if _matches(pattern, name):
                    pattern_hit = True
                    found += self.node(value, sub, where.down("patternProperties", pattern, node=sub), [*path, name])
            if pattern_hit:
                continue
            extra = schema.get("additionalProperties")
            if extra is False:
                found.append(self._diff("undocumented-field", where.down("additionalProperties"), [*path, name],
                                        f"{name} is not a field of this object (and none other is allowed)", value))
            elif isinstance(extra, dict):
                found += self.node(value, extra, where.down("additionalProperties", node=extra), [*path, name])
            elif owner and name not in documented:
                found.append(self._diff("undocumented-field", named.down("properties"), [*path, name],
                                        f"{name} is not documented for this object", value))
        return found

    def _documented(self, schema: dict[str, Any], where: _Where, depth: int = 0) -> set[str]:
        """Every field name a schema and its branches document (a field one branch documents is
        documented: which branch applies is the branches' walk to say)."""
        names = set(schema.get("properties", {}))
        if depth > 8:
            return names
        for keyword in ("allOf", "anyOf", "oneOf"):
            for branch in schema.get(keyword, ()):
                if isinstance(branch, dict):
                    names |= self._documented(branch, where, depth + 1)
        for keyword in ("then", "else"):
            if isinstance(schema.get(keyword), dict):
                names |= self._documented(schema[keyword], where, depth + 1)
        if "$ref" in schema:
            target, target_where = self._resolve(schema["$ref"], where)
            if isinstance(target, dict):
                names |= self._documented(target, target_where, depth + 1)
        return names

    def _array(self, instance: list[Any], schema: dict[str, Any], where: _Where, path: list[str]) -> list[Difference]:
        found: list[Difference] = []
        prefix = schema.get("prefixItems", [])
        for i, value in enumerate(instance):
            if i < len(prefix):
                found += self.node(value, prefix[i], where.down("prefixItems", i, node=prefix[i]), [*path, f"[{i}]"])
            elif "items" in schema:
                found += self.node(value, schema["items"], where.down("items", node=schema["items"]), [*path, "[]"])
        return found

    def _content(self, instance: str, document: str, where: _Where, path: list[str]) -> list[Difference]:
        """The JSON document a string holds, against the packaged schema ``document`` names."""
        try:
            inner = json.loads(instance)
        except ValueError as exc:
            return [self._diff("rule", where.down("x-content-schema"), path, f"not a JSON document: {exc}", instance)]
        root = all_schemas()[document]
        return self.node(inner, root, _Where(document, "", root.get("x-source", where.source), where.inferred), path)

    def _scalar_rules(self, instance: Any, schema: dict[str, Any], where: _Where,
                      path: list[str]) -> list[Difference]:
        rest = {k: v for k, v in schema.items() if k not in WALKED and not k.startswith("x-")}
        if not rest:
            return []
        checker = Draft202012Validator(rest, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return [self._diff("rule", where.down(str(error.validator)), path, error.message, instance)
                for error in checker.iter_errors(instance)]

    # -- helpers ------------------------------------------------------------------------------
    def _resolve(self, ref: str, where: _Where) -> tuple[Any, _Where]:
        target, _, pointer = ref.partition("#")
        file = posixpath.normpath(posixpath.join(posixpath.dirname(where.file), target)) if target else where.file
        document = all_schemas()[file]
        node: Any = document
        keys = [k.replace("~1", "/").replace("~0", "~") for k in pointer.split("/")[1:]] if pointer else []
        for key in keys:
            node = node[int(key)] if isinstance(node, list) else node[key]
        source = document.get("x-source", where.source) if target else where.source
        resolved = _Where(file, pointer, source, where.inferred)
        return node, resolved.down(node=node) if isinstance(node, dict) else resolved

    def _standalone(self, schema: Any, where: _Where) -> Any:
        """A sub-schema jsonschema can check alone (its local ``$ref`` resolved in its document)."""
        if isinstance(schema, dict) and any(isinstance(v, dict) and "$ref" in v for v in schema.values()):
            return {**schema, "$defs": all_schemas()[where.file].get("$defs", {})}
        return schema

    @staticmethod
    def _diff(kind: str, where: _Where, path: list[str], detail: str, value: Any) -> Difference:
        return Difference(kind, where.name, _field(path), detail, where.source, where.inferred, value)


def _unique(found: list[Difference]) -> list[Difference]:
    """One difference per kind, field and rule (a rule written twice, outside and in a branch,
    once: an enum and a const on one field are one; a pattern and a length are two)."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for item in found:
        rule = item.schema.rsplit("/", 1)[-1] if item.kind == "rule" else ""
        if (item.kind, item.field, rule) not in seen:
            seen.add((item.kind, item.field, rule))
            out.append(item)
    return out


def _field(path: list[str]) -> str:
    text = ""
    for part in path:
        text += part if part.startswith("[") else (f".{part}" if text else part)
    return text or "(body)"


def _is_type(instance: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(instance, int) and not isinstance(instance, bool) or (
            isinstance(instance, float) and instance.is_integer())
    if name == "number":
        return isinstance(instance, (int, float)) and not isinstance(instance, bool)
    wanted = _TYPES.get(name)
    return wanted is not None and isinstance(instance, wanted) and not (wanted is not bool and isinstance(instance, bool))


def _type_name(instance: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is_type(instance, name):
            return name
    return type(instance).__name__


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (
        isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool)
        and not isinstance(b, bool) and a == b)


def _matches(pattern: str, name: str) -> bool:
    return re.search(pattern, name) is not None


def _clip(value: Any, limit: int = 200) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return value if len(text) <= limit else text[:limit] + "..."
