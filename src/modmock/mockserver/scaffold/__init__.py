"""``mockserver new-vendor NAME``: a skeleton vendor from templates, so every vendor starts uniform.

It writes the vendor folder (declaration, profile, errors, auth, checks, render, backend and its
``behaviours.toml``), its schemas, its tests and its docs page; the registry finds the folder and
the docs hooks the page, so nothing else is edited. The skeleton
serves one endpoint and passes the vendor-conformance test (``tests/test_conformance.py``).
"""

from __future__ import annotations

import keyword
import re
from importlib.resources import files
from pathlib import Path

from ...errors import SettingsError

TEMPLATES = files(__name__).joinpath("templates")
NAME_RULE = re.compile(r"^[a-z][a-z0-9]{1,30}$")


def _fill(text: str, name: str, title: str, tests: str = "") -> str:
    text = text.replace("__TESTS__", tests or f"tests/vendors/{name}")
    return text.replace("__CLASS__", name.capitalize()).replace("__TITLE__", title).replace("__NAME__", name)


def new_vendor(name: str, *, title: str | None = None, src: Path | None = None,
               tests: Path | None = None) -> list[Path]:
    """Write the skeleton of vendor ``name`` under ``src`` (the folder holding the ``modmock``
    package; default: the one this module is in) and its tests under ``tests`` (default:
    ``<src>/../tests/vendors/<name>``). Returns the files written; refuses to overwrite."""
    from ..vendors import vendor_names

    if not NAME_RULE.match(name) or keyword.iskeyword(name):
        raise SettingsError(f"vendor name {name!r}: use 2-31 lower-case letters and digits, starting with a letter")
    if name in vendor_names():
        raise SettingsError(f"vendor {name!r} exists already")
    src = src or Path(__file__).resolve().parents[3]
    package = src / "modmock"
    if not (package / "mockserver" / "vendors").is_dir():
        raise SettingsError(f"{src} holds no modmock source tree (src/modmock/mockserver/vendors)")
    tests = tests or src.parent / "tests" / "vendors" / name
    targets = {
        package / "mockserver" / "vendors" / name: TEMPLATES.joinpath("vendor"),
        package / "schemas" / name: TEMPLATES.joinpath("schemas"),
        tests: TEMPLATES.joinpath("tests"),
    }
    page = src.parent / "docs" / "vendors" / f"{name}.md"  # the docs site's page, where the tree has one
    for folder in targets:
        if folder.exists() and any(folder.iterdir()):
            raise SettingsError(f"{folder} exists already and is not empty")
    if page.exists():
        raise SettingsError(f"{page} exists already")
    try:
        tests_path = tests.resolve().relative_to(src.parent.resolve()).as_posix()
    except ValueError:  # tests outside the tree: the declaration names them as they will be
        tests_path = ""

    def fill(text: str) -> str:
        return _fill(text, name, title or name.capitalize(), tests_path)

    written = []
    for folder, templates in targets.items():
        folder.mkdir(parents=True, exist_ok=True)
        for template in sorted(templates.iterdir(), key=lambda t: t.name):
            if not template.name.endswith(".tmpl"):
                continue
            target = folder / template.name.removesuffix(".tmpl")
            target.write_text(fill(template.read_text(encoding="utf-8")), encoding="utf-8")
            written.append(target)
    if page.parent.is_dir():
        page.write_text(fill(TEMPLATES.joinpath("page.md.tmpl").read_text(encoding="utf-8")), encoding="utf-8")
        written.append(page)
    return written
