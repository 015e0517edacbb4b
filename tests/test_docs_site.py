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


@pytest.mark.parametrize("command", ["run", "proxy", "drift-report", "contract"])
def test_the_cli_page_lists_every_flag(command: str) -> None:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    table = hooks.cli_table(command)
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


def test_every_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs").rglob("*.md"):
        assert str(page.relative_to(ROOT / "docs")) in nav, page
