"""Each vendor's coverage table is its ``behaviours.toml``: every claim names tests that exist.

The docs site renders the declaration (``<!-- modmock:behaviours NAME -->``), so what a vendor
page says the mock does is what a test shows, and a removed or renamed test fails here.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from modmock.mockserver.core.behaviours import DeclarationError, parse_behaviours
from modmock.mockserver.vendors import vendor_behaviours, vendor_module, vendor_names

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = sorted({vendor_module(name).rsplit(".", 1)[1] for name in vendor_names()})


@cache
def _defined(path: str) -> frozenset[str]:
    """Every test a file defines: ``test_x`` and ``TestClass::test_y``."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names |= {f"{node.name}::{f.name}" for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return frozenset(names)


@pytest.mark.parametrize("name", vendor_names())
def test_every_test_a_behaviour_names_exists(name: str) -> None:
    declared = vendor_behaviours(name)
    missing = []
    for row in declared.rows:
        for node in row.tests:
            path, _, test = node.partition("::")
            test = test.split("[", 1)[0]  # one case of a parametrized test names the test
            if not (ROOT / path).is_file() or test not in _defined(path) or not test.rsplit("::", 1)[-1].startswith("test"):
                missing.append(f"{row.item[:60]!r}: {node}")
    assert not missing, "tests named in behaviours.toml that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_vendor_page_renders_its_declaration(folder: str) -> None:
    page = (ROOT / "docs" / "vendors" / f"{folder}.md").read_text(encoding="utf-8")
    assert page.count(f"<!-- modmock:behaviours {folder} -->") == 1
    assert "| item | status |" not in page, "a hand-written coverage table: declare it in behaviours.toml"


def test_the_rendered_table_has_every_row_and_its_status() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
    assert spec and spec.loader
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    declared = vendor_behaviours("jocloud")
    table = hooks.on_page_markdown("<!-- modmock:behaviours jocloud -->")
    body = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith(("| item", "| ---"))]
    assert len(body) == len(declared.rows)
    assert [line.split(" | ")[1] for line in body] == [row.status for row in declared.rows]
    assert "**not yet**: documented by the vendor, not implemented by modmock" in table


@pytest.mark.parametrize(("text", "complaint"), [
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "finished"\n', "'status' must be one of"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "done"\n', "must name the tests"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "not yet"\ntests = ["test_a"]\n', "pytest node ids"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "not yet"\nwhy = "?"\n', "unknown keys ['why']"),
    ('[[behaviour]]\nitem = "x"\nstatus = "not yet"\n', "needs a 'source'"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "done"\nnotes = "y: not yet"\ntests = ["t.py::test"]\n',
     "its status is 'partly'"),
    ('source = "s"\n[[behaviour]\n', "behaviours.toml"),
    ('source = "s"\n[[behavior]]\nitem = "x"\nstatus = "not yet"\n', "unknown top-level keys ['behavior']"),
    ('source = " "\n[[behaviour]]\nitem = "x"\nstatus = "not yet"\n', "needs a 'source'"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "not yet"\n[[behaviour]]\nitem = "x"\nstatus = "not yet"\n',
     "declared twice"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "not yet"\nnotes = 5\n', "are strings"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "partly"\ntests = ["t.py::test"]\n', "which part is missing"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "done"\nnotes = "Not yet: y"\ntests = ["t.py::test"]\n',
     "its status is 'partly'"),
    ('source = "s"\n[[behaviour]]\nitem = "x"\nstatus = "done"\ntests = ["t.py::test", "t.py::test"]\n', "distinct"),
])
def test_a_malformed_declaration_is_refused_saying_why(text: str, complaint: str) -> None:
    with pytest.raises(DeclarationError) as caught:
        parse_behaviours(text)
    assert complaint in str(caught.value)


def test_not_done_lists_what_is_missing() -> None:
    declared = parse_behaviours('source = "s"\n[[behaviour]]\nitem = "a"\nstatus = "not yet"\n'
                                '[[behaviour]]\nitem = "b"\nstatus = "done"\ntests = ["t.py::test_b"]\n'
                                'source = "the API page"\n')
    assert [row.item for row in declared.not_done()] == ["a"]
    assert [row.source for row in declared.rows] == ["", "the API page"]
