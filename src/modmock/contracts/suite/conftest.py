"""Fixtures of the client contract suite; the options come from the ``modmock`` pytest plugin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ...fixtures.sink import CallbackSink
from ...mockserver.mock import MockServer
from ...mockserver.settings import Settings
from ...mockserver.vendors import vendor_names
from ..client import ClientUnderTest
from .hints import SuiteHints, suite_hints

FLOW_MODULES = {"test_client.py": "sync", "test_jobs.py": "job"}  # each vendor's flow has its own items


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Collect the items of the vendor's flow only (a synchronous answer, or a job)."""
    wanted = FLOW_MODULES.get(collection_path.name)
    vendor = config.getoption("modmock_vendor", None)
    if wanted is None or vendor not in vendor_names():
        return None
    try:
        flow = suite_hints(vendor).flow
    except LookupError:
        return None
    return True if flow != wanted else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the items marked ``modmock_needs(hint)`` whose hint the vendor does not have
    (a human-review item for a vendor without review, say)."""
    vendor = config.getoption("modmock_vendor", None)
    if vendor not in vendor_names():
        return
    try:
        hints = suite_hints(vendor)
    except LookupError:
        return
    dropped = [item for item in items if (mark := item.get_closest_marker("modmock_needs")) is not None
               and not getattr(hints, mark.args[0])]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


def _required(config: pytest.Config, option: str) -> str:
    value = config.getoption(option.replace("-", "_").lstrip("_"))
    if not value:
        raise pytest.UsageError(f"the modmock contract suite needs {option}; e.g. "
                                "--modmock-vendor=deepcleer --modmock-client=mypackage.moderation:adapter")
    return str(value)


@pytest.fixture(scope="session")
def contract_vendor(pytestconfig: pytest.Config) -> str:
    vendor = _required(pytestconfig, "--modmock-vendor")
    if vendor not in vendor_names():
        raise pytest.UsageError(f"--modmock-vendor: unknown vendor {vendor!r}; known: {', '.join(vendor_names())}")
    return vendor


@pytest.fixture(scope="session")
def contract_hints(contract_vendor: str) -> SuiteHints:
    try:
        return suite_hints(contract_vendor)
    except LookupError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def contract_client(pytestconfig: pytest.Config) -> ClientUnderTest:
    spec = _required(pytestconfig, "--modmock-client")
    try:
        return ClientUnderTest.load(spec)
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        raise pytest.UsageError(f"--modmock-client {spec}: {type(exc).__name__}: {exc}") from None


@pytest.fixture(scope="session")
def _contract_server(contract_vendor: str, pytestconfig: pytest.Config) -> Iterator[MockServer]:
    settings = Settings(vendors=[contract_vendor], port=0, manual_clock=True,
                        seed=pytestconfig.getoption("modmock_seed"))
    server = MockServer(settings).start()
    yield server
    collector = pytestconfig.pluginmanager.get_plugin("modmock-coverage")
    if collector is not None:  # --modmock-coverage: what the suite's items exercised
        collector.add(server.coverage())
    server.stop()


@pytest.fixture
def contract_mock(_contract_server: MockServer, request: pytest.FixtureRequest) -> MockServer:
    """The vendor's mock on a manual clock, reset for each item. With a seed, each item draws
    its own ids from it (one sequence for every item would repeat request ids across items)."""
    _contract_server.reset()
    seed = request.config.getoption("modmock_seed")
    if seed is not None:
        _contract_server.state.random.seed(f"{seed}:{request.node.nodeid}")
    return _contract_server


@pytest.fixture
def contract_sink() -> Iterator[CallbackSink]:
    sink = CallbackSink()
    yield sink
    sink.close()


@pytest.fixture(scope="session")
def contract_options(pytestconfig: pytest.Config) -> dict[str, Any]:
    return {"examples": pytestconfig.getoption("modmock_examples"),
            "retry_gap": pytestconfig.getoption("modmock_retry_gap"),
            "seeded": pytestconfig.getoption("modmock_seed") is not None,
            "call_timeout": pytestconfig.getoption("modmock_call_timeout")}  # the seed alone decides the draws


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One ``test_error_code`` item per documented error code (the rate-limit code has its own)."""
    if "error_code" not in metafunc.fixturenames:
        return
    from ..checking import vendor as vendor_instance

    vendor = metafunc.config.getoption("modmock_vendor")
    if vendor not in vendor_names():
        raise pytest.UsageError("the modmock contract suite needs --modmock-vendor; known: "
                                + ", ".join(vendor_names()))
    try:
        hints = suite_hints(vendor)
    except LookupError as exc:
        raise pytest.UsageError(str(exc)) from None
    codes: list[Any] = sorted(c for c in vendor_instance(vendor).error_codes if c != hints.rate_limit_code)
    codes += hints.extra_error_codes
    metafunc.parametrize("error_code", codes, ids=[str(c) for c in codes])
