"""``mockserver new-vendor``: the skeleton it writes is found by the registry, serves its endpoint and
passes its own tests and the vendor-conformance test, touching nothing outside its folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from modmock.errors import SettingsError
from modmock.mockserver.scaffold import new_vendor

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the source tree with a generated vendor ``acme`` (the checkout stays untouched)."""
    root = tmp_path_factory.mktemp("tree")
    shutil.copytree(ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "test_conformance.py", root / "tests")
    shutil.copy(ROOT / "tests" / "test_behaviours.py", root / "tests")
    for part in ("docs", "tools", "deploy"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", root)
    before = {p.relative_to(root) for p in root.rglob("*") if p.is_file()}
    written = subprocess.run([sys.executable, "-m", "modmock", "new-vendor", "acme", "--title", "Acme Moderation",
                              "--src", str(root / "src"), "--tests", str(root / "tests" / "vendors" / "acme")],
                             capture_output=True, text=True, check=True).stdout.split()
    after = {p.relative_to(root) for p in root.rglob("*") if p.is_file()}
    assert after - before == {Path(w).relative_to(root) for w in written}  # new files only: nothing edited
    return root


def test_the_skeleton_has_the_files_every_vendor_has(generated: Path) -> None:
    folder = generated / "src" / "modmock" / "mockserver" / "vendors" / "acme"
    deepcleer = ROOT / "src" / "modmock" / "mockserver" / "vendors" / "deepcleer"
    required = {"__init__.py", "auth.py", "backend.py", "checks.py", "declaration.py", "errors.py", "profile.py",
                "render.py"}
    assert {p.name for p in folder.glob("*.py")} == required
    assert (folder / "behaviours.toml").is_file() and (deepcleer / "behaviours.toml").is_file()
    assert required <= {p.name for p in deepcleer.glob("*.py")}
    assert {p.name for p in (generated / "src" / "modmock" / "schemas" / "acme").iterdir()} == {
        "request.json", "response.json"}


def test_the_skeleton_passes_its_tests_and_the_conformance_test(generated: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-o", "addopts=",
         "--import-mode=importlib", f"--rootdir={generated}", "tests/vendors/acme", "tests/test_conformance.py",
         "tests/test_behaviours.py", "-k", "acme or test_api"],
        cwd=generated, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(generated / "src"), "PATH": str(Path(sys.executable).parent), "HOME": str(generated)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "10 passed" in done.stdout, done.stdout[-1000:]  # 4 of its own, 4 conformance, 2 of its declaration


def test_the_skeletons_docs_page_builds_with_the_site(generated: Path) -> None:
    site = generated / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=generated,
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(generated / "src"), "PATH": str(Path(sys.executable).parent),
                               "HOME": str(generated), "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    page = (site / "vendors" / "acme" / "index.html").read_text(encoding="utf-8")
    assert "Acme Moderation" in page and "test_a_missing_key_is_1002_and_a_bad_field_1001" in page
    assert "Acme Moderation" in (site / "index.html").read_text(encoding="utf-8")  # in the navigation, not yet done


def test_names_already_taken_or_malformed_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="exists already"):
        new_vendor("deepcleer", src=tmp_path)
    with pytest.raises(SettingsError, match="lower-case"):
        new_vendor("Bad-Name", src=tmp_path)
    with pytest.raises(SettingsError, match="no modmock source tree"):
        new_vendor("acme", src=tmp_path)


def test_the_templates_name_every_canonical_category() -> None:
    from pathlib import Path

    import modmock.mockserver.scaffold as scaffold
    from modmock import CATEGORIES
    text = (Path(scaffold.__file__).parent / "templates" / "vendor" / "profile.py.tmpl").read_text("utf-8")
    assert [c for c in CATEGORIES if f'"{c}":' not in text] == []


def test_the_skeletons_declaration_names_its_own_tests(generated: Path) -> None:
    import ast

    from modmock.mockserver.core.behaviours import parse_behaviours

    text = (generated / "src" / "modmock" / "mockserver" / "vendors" / "acme" / "behaviours.toml").read_text()
    declared = parse_behaviours(text)
    assert [row.status for row in declared.rows] == ["done", "done", "not yet"]
    for node in (test for row in declared.rows for test in row.tests):
        path, _, name = node.partition("::")
        tree = ast.parse((generated / path).read_text())
        assert name in {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}, node
