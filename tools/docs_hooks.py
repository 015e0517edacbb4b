"""MkDocs hooks: the reference pages written from the code at build time, so they cannot go stale
(and every vendor page in the navigation: ``on_config``).

A page holds a marker where a generated part goes:

- ``<!-- modmock:cli COMMAND -->``: every flag of ``mockserver COMMAND``, from the argument parser
  (``<!-- modmock:cli-all -->``: every subcommand, each with its flags);
- ``<!-- modmock:admin-routes -->``: every route of the admin API, from its route table;
- ``<!-- modmock:vendor NAME -->``: a vendor's endpoints and, per schema, every documented field,
  whether modmock implements it as documented or inferred it, and the ``x-source`` it rests on;
- ``<!-- modmock:behaviours NAME -->``: a vendor's coverage table, from its ``behaviours.toml``:
  every documented behaviour, done / inferred / not yet, and the tests that show it;
- ``<!-- modmock:not-done -->``: every behaviour a vendor declares not (fully) done yet;
- ``<!-- modmock:schema PATH -->``: every field of one packaged schema (``modmock/rule.json``);
- ``<!-- modmock:file PATH LANG -->``: a file of the repository as it is (the container recipe).
"""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path
from typing import Any

MARKER = re.compile(r"<!-- modmock:(?P<what>[a-z-]+)(?: (?P<arg>[A-Za-z0-9_./#-]+))?(?: (?P<lang>[a-z]+))? -->")
ROOT = Path(__file__).resolve().parent.parent


def on_config(config: Any, **_: Any) -> Any:
    """A vendor page the navigation does not list yet (one ``mockserver new-vendor`` wrote) joins
    the Vendors section, titled by its first heading: a new vendor edits no file by hand."""
    docs = Path(config["docs_dir"] or "docs")
    docs = docs if docs.is_absolute() else ROOT / docs
    for section in config["nav"] or ():
        pages = section.get("Vendors") if isinstance(section, dict) else None
        if isinstance(pages, list):
            listed = {path for entry in pages for path in entry.values()}
            for page in sorted((docs / "vendors").glob("*.md")):
                path = f"vendors/{page.name}"
                if path not in listed:
                    title = page.read_text(encoding="utf-8").split("\n", 1)[0].lstrip("# ").strip()
                    pages.append({title or page.stem: path})
    return config


def on_page_markdown(markdown: str, **_: Any) -> str:
    return MARKER.sub(lambda m: _generate(m["what"], m["arg"], m["lang"]), markdown)


def _generate(what: str, arg: str | None, lang: str | None = None) -> str:
    if what == "file" and arg:  # a file of the repository, shown as it is (the one the tests lint)
        text = (ROOT / arg).read_text(encoding="utf-8")
        return f"`{arg}`:\n\n```{lang or ''}\n{text.rstrip()}\n```"
    if what == "schema" and arg:
        return schema_table(arg)
    if what == "cli" and arg:
        return cli_table(arg)
    if what == "cli-all":
        return cli_pages()
    if what == "admin-routes":
        return admin_table()
    if what == "vendor" and arg:
        return vendor_tables(arg)
    if what == "behaviours" and arg:
        return behaviours_table(arg)
    if what == "not-done":
        return not_done_list()
    raise ValueError(f"unknown docs marker modmock:{what} {arg or ''}")


def _cell(text: str) -> str:
    """``text`` on one line, for a table cell: a ``|`` escaped, except in a code span (where the
    table reader does not split, and an escape would show)."""
    parts = " ".join(str(text).split()).split("`")
    return "`".join(part if i % 2 else part.replace("|", "\\|") for i, part in enumerate(parts))


def cli_table(command: str) -> str:
    """The flags of one subcommand, as its ``--help`` gives them."""
    from modmock.mockserver.cli import _parser

    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    rows = ["| flag | meaning |", "| --- | --- |"]
    for action in sub._actions:
        if not action.option_strings or action.dest == "help":
            continue
        flags = ", ".join(f"`{flag}{' ' + action.metavar if action.metavar else ''}`" for flag in action.option_strings)
        if action.choices and not action.metavar:
            flags += " (" + ", ".join(f"`{c}`" for c in action.choices) + ")"
        rows.append(f"| {flags} | {_cell(action.help or '')} |")
    return "\n".join(rows)


def cli_pages() -> str:
    """Every subcommand: its name, what it does, and its flags (as ``--help`` gives them)."""
    from modmock.mockserver.cli import _parser

    parser = _parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in subs._choices_actions}
    out = ["`--version` prints the installed version."]
    for name in subs.choices:
        out += ["", f"## `mockserver {name}`", "", _cell(helps.get(name) or ""), ""]
        positionals = [a for a in subs.choices[name]._actions if not a.option_strings and a.dest != "help"]
        if positionals:
            out += ["Arguments: " + ", ".join(f"`{a.metavar or a.dest}` ({_cell(a.help or '')})" for a in positionals), ""]
        table = cli_table(name)
        if table.count("\n") > 1:
            out.append(table)
    return "\n".join(out)


def admin_table() -> str:
    """Every admin route: method, path and what it does (its handler's docstring)."""
    from modmock.mockserver.admin import _admin_routes

    rows = ["| method | path | what it does |", "| --- | --- | --- |"]
    for route in _admin_routes():
        doc = (getattr(route.handler, "__doc__", None) or "").strip().split("\n\n")[0]
        rows.append(f"| `{route.method}` | `{route.path}` | {_cell(doc)} |")
    return "\n".join(rows)


def vendor_tables(name: str) -> str:
    """A vendor's endpoints, then each of its schemas field by field: done or inferred, and why."""
    from modmock.mockserver.vendors import vendor_class

    vendor = vendor_class(name)
    out = [f"**{vendor.title}**", "", "| endpoint | method and path | summary | schemas |", "| --- | --- | --- | --- |"]
    used: list[str] = []
    for ep in vendor.endpoints:
        paths = [p for p in (ep.request_schema, *ep.response_schemas, ep.callback_schema, ep.error_schema) if p]
        used += [p for p in paths if p not in used]
        out.append(f"| `{ep.id}` | `{ep.method} {ep.path}` | {_cell(ep.summary)} | "
                   + ", ".join(f"`{p}`" for p in dict.fromkeys(paths)) + " |")
    out += ["", "### Error codes", "", codes_table(name)]
    for path in used:
        out += ["", f"### `{path}`", "", schema_table(path)]
    return "\n".join(out)


def behaviours_table(name: str) -> str:
    """A vendor's declared behaviours: status, notes, the tests that show each one, and the
    document a row rests on where it is not the declaration's own."""
    from modmock.mockserver.core.behaviours import STATUSES
    from modmock.mockserver.vendors import vendor_behaviours

    declared = vendor_behaviours(name)
    used = dict.fromkeys(row.status for row in declared.rows)
    out = [f"Source: {declared.source} (a row that rests on another document names it).", "",
           "; ".join(f"**{s}**: {STATUSES[s]}" for s in used) + ".", "",
           "| item | status | notes | shown by |", "| --- | --- | --- | --- |"]
    for row in declared.rows:
        proof = "<br>".join(f"`{test.removeprefix('tests/')}`" for test in row.tests)
        notes = _cell(row.notes) + (f" (source: {_cell(row.source)})" if row.source else "")
        out.append(f"| {_cell(row.item)} | {row.status} | {notes} | {proof} |")
    return "\n".join(out)


def not_done_list() -> str:
    """Per vendor folder (and the profiles it serves), the behaviours it declares "not yet" or
    "partly" done, each linked to its page (the marker belongs on the docs' front page)."""
    from modmock.mockserver.vendors import vendor_behaviours, vendor_module, vendor_names

    folders: dict[str, list[str]] = {}
    for vendor in vendor_names():
        folders.setdefault(vendor_module(vendor).rsplit(".", 1)[1], []).append(vendor)
    out = []
    for folder, served in folders.items():
        rows = vendor_behaviours(folder).not_done()
        if not rows:
            continue
        also = [v for v in served if v != folder]
        out += [f"- **[{folder}](vendors/{folder}.md)**" + (f" (and {', '.join(also)})" if also else "") + ":"]
        out += [f"    - {row.item} ({row.status}{': ' + row.notes if row.notes else ''})" for row in rows]
    return "\n".join(out) if out else "Nothing: every documented behaviour is done."


def codes_table(name: str) -> str:
    """Every documented error code: what the vendor answers with it, and whether modmock's reading
    of it is inferred. Each is answered over HTTP in ``tests/test_conformance.py``."""
    from modmock.mockserver.settings import Settings
    from modmock.mockserver.vendors import create_vendor, vendor_class

    vendor = create_vendor(name, {}, Settings(vendors=[name]))
    profile = importlib.import_module(vendor_class(name).__module__ + ".profile")
    inferred = set(getattr(profile, "INFERRED_CODES", ()))
    rows = ["Every code is reached over HTTP by the conformance test (a fault injects it; the answer "
            "conforms to the schemas).", "", "| code | the vendor's message | status |", "| --- | --- | --- |"]
    for code in sorted(vendor.error_codes, key=str):
        error = vendor.for_code(code, None)
        rows.append(f"| `{code}` | {_cell(getattr(error, 'message', '') or str(error))} | "
                    f"{'inferred' if code in inferred else 'done'} |")
    return "\n".join(rows)


def schema_table(path: str) -> str:
    """Every field a packaged schema documents: type, required, done or inferred, and its source."""
    from modmock.mockserver.core.schemas import schema

    file, _, part = path.partition("#")  # ``modmock/rule.json#fault``: one of its $defs
    root = schema(file)
    doc = root["$defs"][part] if part else root
    title = _cell(doc.get("title", doc.get("description", "")))
    out = [title + (f" (source: {_cell(doc['x-source'])})" if doc.get("x-source") else ""), "",
           "| field | type | required | status | meaning | source |", "| --- | --- | --- | --- | --- | --- |"]
    for field, node, required, source in _fields(doc, doc.get("x-source", root.get("x-source", "")), root=root):
        status = "inferred" if node.get("x-inferred") else "done"
        kind = node.get("type", "") if isinstance(node.get("type"), str) else "/".join(node.get("type", []))
        if "enum" in node:
            kind += " (" + ", ".join(_cell(repr(v)) for v in node["enum"][:12]) + (", …" if len(node["enum"]) > 12
                                                                                    else "") + ")"
        meaning = _cell(node.get("description", ""))
        out.append(f"| `{field}` | {_cell(kind)} | {'yes' if required else ''} | {status} | {meaning} | {_cell(source)} |")
    return "\n".join(out)


def _flat(node: Any, root: dict[str, Any] | None, depth: int = 0) -> dict[str, Any]:
    """``node`` with a local ``$ref`` followed and its ``allOf``/``anyOf``/``oneOf`` branches
    merged: the first type and description found, every property, and ``x-inferred`` when any
    part of it is inferred."""
    if not isinstance(node, dict) or depth > 8:
        return {}
    ref = node.get("$ref")
    merged: dict[str, Any] = {}
    if isinstance(ref, str) and ref.startswith("#/$defs/") and root is not None:
        merged = _flat(root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {}), root, depth + 1)
    own = {k: v for k, v in node.items() if k not in ("$ref", "allOf", "anyOf", "oneOf")}
    merged = {**merged, **own, "properties": {**merged.get("properties", {}), **own.get("properties", {})},
              "required": [*merged.get("required", []), *own.get("required", [])]}
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(keyword, ()):
            part = _flat(branch, root, depth + 1)
            for key in ("type", "description", "enum", "items"):
                if key in part and key not in merged:
                    merged[key] = part[key]
            if part.get("x-inferred"):
                merged["x-inferred"] = True
            for name, sub in part.get("properties", {}).items():
                merged["properties"].setdefault(name, sub)
            if keyword == "allOf":
                merged["required"] += part.get("required", [])
    return merged


def _fields(node: dict[str, Any], source: str, prefix: str = "", depth: int = 0,
            root: dict[str, Any] | None = None) -> list[tuple[str, Any, bool, str]]:
    """Every property a schema documents (local ``$ref`` followed, branches merged), with its
    node, whether it is required and its x-source."""
    if depth > 6 or not isinstance(node, dict):
        return []
    node = _flat(node, root)
    found = []
    required = set(node.get("required", ()))
    for name, raw in node.get("properties", {}).items():
        if not isinstance(raw, dict):
            continue
        sub = _flat(raw, root)
        here = raw.get("x-source", source)
        field = f"{prefix}{name}"
        found.append((field, sub, name in required, here))
        found += _fields(sub, here, field + ".", depth + 1, root)
        items = sub.get("items")
        if isinstance(items, dict):
            found += _fields(items, items.get("x-source", here), field + "[].", depth + 1, root)
    return found
