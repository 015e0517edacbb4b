"""The shape DESIGN's Architecture section asks for, enforced: packages depend one way, vendors
are declarations whose modules never see aiohttp or the server state, stages are declared."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import modmock
from modmock.mockserver.core.declaration import STAGES, Operation
from modmock.mockserver.settings import Settings
from modmock.mockserver.vendors import create_vendor, vendor_names

PACKAGE = Path(modmock.__file__).parent
SERVER = PACKAGE / "mockserver"
VENDORS = SERVER / "vendors"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved against its package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("modmock", *path.relative_to(PACKAGE).parent.parts))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            else:
                found.add(node.module or "")
    return found


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(SERVER), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_server_never_imports_the_contract_kit_the_proxy_hypothesis_or_faker(path: Path) -> None:
    banned = [m for m in _imports(path) if m.split(".")[0] in ("hypothesis", "faker")
              or m.startswith(("modmock.contracts", "modmock.proxy"))]
    assert banned == [], f"{path.relative_to(PACKAGE)} imports {banned}"


@pytest.mark.parametrize("path", _modules(VENDORS), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_vendor_modules_never_see_aiohttp_or_the_server_state(path: Path) -> None:
    forbidden = ("aiohttp", "modmock.mockserver.state", "modmock.mockserver.app", "modmock.mockserver.core.exchange",
                 "modmock.mockserver.admin")
    found = [m for m in _imports(path) if m.startswith(forbidden)]
    assert found == [], f"{path.relative_to(PACKAGE)} imports {found}"


@pytest.mark.parametrize("path", _modules(SERVER / "core"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_never_imports_a_vendor(path: Path) -> None:
    found = [m for m in _imports(path) if m.startswith("modmock.mockserver.vendors")]
    assert found == [], f"{path.relative_to(PACKAGE)} imports {found}"


@pytest.mark.parametrize("name", vendor_names())
def test_every_endpoint_is_declared_with_an_order_of_known_stages(name: str) -> None:
    vendor = create_vendor(name, {}, Settings(vendors=[name]))
    ops = vendor.operations()
    assert [op.id for op in ops] == [ep.id for ep in vendor.endpoints]
    for op in ops:
        assert isinstance(op, Operation)
        assert set(op.order) <= set(STAGES) and op.order[-1] == "backend"
        if "verdict" in op.order:  # every judged endpoint reaches its verdict through the core's injection
            assert op.order.index("subjects") < op.order.index("inject") < op.order.index("verdict")
        else:
            assert op.injection in ("request", "targeted") or "inject" not in op.order  # faults only, never rules


def test_an_order_that_breaks_the_pipeline_is_refused() -> None:
    vendor = create_vendor("deepcleer", {}, Settings(vendors=["deepcleer"]))
    op = vendor.operations()[0]
    with pytest.raises(ValueError, match="verdict"):
        Operation(op.endpoint, op.backend, order=("read", "decode", "verdict", "inject", "backend"))
    with pytest.raises(ValueError, match="unknown stage"):
        Operation(op.endpoint, op.backend, order=("read", "parse", "backend"))
    with pytest.raises(ValueError, match="last stage"):
        Operation(op.endpoint, op.backend, order=("backend", "read"))


def test_a_hook_sees_no_aiohttp_object() -> None:
    from aiohttp.test_utils import make_mocked_request

    from modmock.mockserver.core.exchange import incoming

    request = make_mocked_request("POST", "/app/123/v1/image/sync?traceId=t", headers={"token": "x"},
                                  match_info={"appid": "123"})
    seen = incoming(request)
    for name in seen.FIELDS:
        value = getattr(seen, name)
        assert not type(value).__module__.startswith("aiohttp"), (name, type(value))
    assert seen.params == {"appid": "123"} and seen.query["traceId"] == "t" and seen.headers["TOKEN"] == "x"
