"""The docs site's generated reference: the command line from the argument parser, the admin API
from its route table, each vendor from its declaration and schemas (``tools/docs_hooks.py``);
``.ci/run`` builds the whole site with warnings as errors."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

import pytest

from modmock.mockserver.cli import _parser
from modmock.mockserver.vendors import vendor_class, vendor_names

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
assert spec is not None and spec.loader is not None
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)


SUBCOMMANDS = list(next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)).choices)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_the_cli_page_lists_every_subcommand_and_flag(command: str) -> None:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    table = hooks.cli_pages()
    assert f"## `mockserver {command}`" in table
    for action in sub._actions:
        for flag in action.option_strings:
            if flag not in ("-h", "--help"):
                assert f"`{flag}" in table, flag


def test_the_admin_page_lists_every_route() -> None:
    from modmock.mockserver.admin import _admin_routes

    table = hooks.admin_table()
    for route in _admin_routes():
        assert f"| `{route.method}` | `{route.path}` |" in table


@pytest.mark.parametrize("name", vendor_names())
def test_each_vendor_page_lists_its_endpoints_and_every_schema_they_use(name: str) -> None:
    page = hooks.vendor_tables(name)
    for ep in vendor_class(name).endpoints:
        assert f"| `{ep.id}` |" in page
        for path in (ep.request_schema, *ep.response_schemas, ep.callback_schema, ep.error_schema):
            if path:
                assert f"### `{path}`" in page
    assert re.search(r"\| (done|inferred) \|", page)


def test_every_page_marker_is_one_the_hooks_know() -> None:
    for page in (ROOT / "docs").rglob("*.md"):
        hooks.on_page_markdown(page.read_text(encoding="utf-8"))  # an unknown marker raises


def _paths(nav: object) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _paths(value)]
    return [p for entry in nav for p in _paths(entry)] if isinstance(nav, list) else []


def test_every_page_is_in_the_navigation(tmp_path: Path) -> None:
    """mkdocs.yml lists each page; a vendor page it does not list yet joins the Vendors section."""
    import shutil

    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = _paths(hooks.on_config(dict(config))["nav"])
    assert sorted(listed) == sorted(str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md"))
    shutil.copytree(ROOT / "docs" / "vendors", tmp_path / "vendors")
    (tmp_path / "vendors" / "zz.md").write_text("# Zz Moderation\n", encoding="utf-8")
    fresh = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = hooks.on_config({**fresh, "docs_dir": str(tmp_path)})["nav"]
    vendors = next(s["Vendors"] for s in nav if isinstance(s, dict) and "Vendors" in s)
    assert vendors[-1] == {"Zz Moderation": "vendors/zz.md"}
    assert len(vendors) == len(list((ROOT / "docs" / "vendors").glob("*.md"))) + 1


def _blocks(language: str) -> list[tuple[str, str]]:
    """Every fenced block of ``language`` in the README and the docs: (where, code)."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for code in re.findall(rf"```{language}\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            found.append((str(page.relative_to(ROOT)), code))
    return found


def test_every_python_block_compiles() -> None:
    import ast

    for where, code in _blocks("python"):
        ast.parse(code, filename=where)  # (the marked ones also run: tests/test_readme.py)


def test_every_toml_and_json_example_parses() -> None:
    import json
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    for where, code in _blocks("toml"):
        try:
            tomllib.loads(code)
        except tomllib.TOMLDecodeError as exc:
            raise AssertionError(f"{where}: {exc}\n{code}") from None
    for where, code in _blocks("json"):
        try:
            json.loads(code)
        except ValueError as exc:
            raise AssertionError(f"{where}: {exc}\n{code}") from None


def test_every_config_example_is_one_the_tool_accepts(monkeypatch) -> None:
    import sys

    from modmock.mockserver.core.behaviours import parse_behaviours
    from modmock.mockserver.settings import Settings
    from modmock.mockserver.vendors import create_vendor
    from modmock.proxy.upstream import load_upstream

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    checked = 0
    for where, code in _blocks("toml"):
        doc = tomllib.loads(code)
        if "behaviour" in doc:  # a vendor's behaviours.toml
            parse_behaviours(code, where)  # refused: raises
            checked += 1
            continue
        for name, table in doc.items():
            if name in vendor_names():
                create_vendor(name, table, Settings(vendors=[name], vendor_config=doc))  # refused: raises
                checked += 1
            elif name == "upstream":
                for value in table.values():
                    if isinstance(value, str) and value.startswith("env:"):
                        monkeypatch.setenv(value[4:], "from-the-environment")
                load_upstream("deepcleer" if "access_key" in table else "akool", table)
                checked += 1
            else:
                raise AssertionError(f"{where}: [{name}] is neither a vendor nor the proxy's [upstream]")
    assert checked >= 4


def test_every_bash_block_is_valid_shell() -> None:
    import subprocess

    for where, code in _blocks("bash"):
        done = subprocess.run(["bash", "-n"], input=code, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{where}: {done.stderr}\n{code}"


@pytest.mark.parametrize("name", vendor_names())
def test_a_field_the_schemas_mark_inferred_is_listed_as_inferred(name: str) -> None:
    from modmock.mockserver.core.schemas import schema

    page = hooks.vendor_tables(name)
    for ep in vendor_class(name).endpoints:
        for path in (ep.request_schema, *ep.response_schemas, ep.callback_schema, ep.error_schema):
            if not path:
                continue
            for field, node, _, _ in hooks._fields(schema(path), "", root=schema(path)):
                if node.get("x-inferred"):
                    assert re.search(rf"\| `{re.escape(field)}` \|[^\n]*\| inferred \|", page), (path, field)


@pytest.mark.parametrize("name", vendor_names())
def test_each_vendor_page_lists_every_documented_error_code(name: str) -> None:
    from modmock.mockserver.settings import Settings
    from modmock.mockserver.vendors import create_vendor

    page = hooks.vendor_tables(name)
    for code in create_vendor(name, {}, Settings(vendors=[name])).error_codes:
        assert f"| `{code}` |" in page


def test_the_layout_in_the_development_guide_names_what_is_there() -> None:
    from helpers import docs_block

    layout = docs_block("docs/development.md", "src/modmock/errors.py")
    paths = [path for line in layout if line and not line.startswith(" ")
             for path in re.split(r"\s{2,}", line)[0].split(", ")]
    assert len(paths) >= 15
    folders = sorted(p.parent.name for p in (ROOT / "src/modmock/mockserver/vendors").glob("*/declaration.py"))
    for path in paths:
        for concrete in ([path.replace("<vendor>", f) for f in folders] if "<vendor>" in path else [path]):
            assert (ROOT / concrete).exists(), f"docs/development.md names {concrete}, which does not exist"
    always = next(line for line in layout if "one folder per vendor: always" in line)
    named = always.split("always", 1)[1].strip(" ;").replace(";", ",").split(", ")
    for folder in folders:
        have = {p.stem for p in (ROOT / "src/modmock/mockserver/vendors" / folder).iterdir()}
        assert set(named) <= have, f"{folder} lacks {set(named) - have}"
