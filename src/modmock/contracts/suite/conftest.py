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

JOB_MODULE = "test_jobs.py"  # the job flow's items; the synchronous flow's are in test_client.py


def module_hints(vendor: str, module: str) -> SuiteHints | None:
    """The hints the items of ``module`` run with: the vendor's own, or for the job items of a
    synchronous vendor its ``jobs`` hints; None when the module's flow is not the vendor's."""
    hints = suite_hints(vendor)
    if module == JOB_MODULE:
        return hints if hints.flow == "job" else hints.jobs
    return hints if hints.flow == "sync" else None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Collect the items of the vendor's flows only (a synchronous answer, a job, or both)."""
    vendor = config.getoption("modmock_vendor", None)
    if collection_path.name not in (JOB_MODULE, "test_client.py") or vendor not in vendor_names():
        return None
    try:
        return True if module_hints(vendor, collection_path.name) is None else None
    except LookupError:
        return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the items marked ``modmock_needs(hint)`` whose hint the vendor does not have
    (a human-review item for a vendor without review, say)."""
    vendor = config.getoption("modmock_vendor", None)
    if vendor not in vendor_names():
        return
    try:
        suite_hints(vendor)
    except LookupError:
        return

    def lacks(item: pytest.Item) -> bool:
        mark = item.get_closest_marker("modmock_needs")
        hints = module_hints(vendor, item.path.name)
        return mark is not None and (hints is None or not getattr(hints, mark.args[0]))

    dropped = [item for item in items if lacks(item)]
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
def job_hints(contract_vendor: str) -> SuiteHints:
    """The job flow's hints: the vendor's own (AKOOL), or a synchronous vendor's ``jobs``."""
    hints = module_hints(contract_vendor, JOB_MODULE)
    assert hints is not None, "the job items are collected only for a vendor with a job flow"
    return hints


@pytest.fixture(scope="session")
def job_client(contract_client: ClientUnderTest, contract_hints: SuiteHints) -> ClientUnderTest:
    """The adapter of the job items: the adapter itself (AKOOL), or a synchronous vendor's
    ``adapter.job``, with the adapter's errors, decisions and receiver."""
    if contract_hints.flow == "job":
        return contract_client
    job = getattr(contract_client.adapter, "job", None)
    if job is None:
        pytest.skip("the adapter declares no job(url, credentials, sleep) for the asynchronous endpoints")
    return ClientUnderTest(job, f"{contract_client.name}.job", like=contract_client.adapter)


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
    flow_hints = module_hints(vendor, Path(str(metafunc.module.__file__)).name) or hints
    codes: list[Any] = sorted(c for c in vendor_instance(vendor).error_codes if c != flow_hints.rate_limit_code)
    codes += flow_hints.extra_error_codes
    metafunc.parametrize("error_code", codes, ids=[str(c) for c in codes])
