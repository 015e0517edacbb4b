"""Run the client contract suite from code or from ``modmock contract``: pytest does the work."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence


def run_suite(vendor: str, client: str, *, junit_xml: str | None = None, examples: int | None = None,
              seed: int | None = None, pytest_args: Sequence[str] = ()) -> int:
    """Run the suite for ``vendor`` against ``client`` (``package.module:function``); returns
    pytest's exit status (0 when every item passed)."""
    import pytest

    args = ["--pyargs", "modmock.contracts.suite", f"--modmock-vendor={vendor}", f"--modmock-client={client}",
            "-p", "no:cacheprovider", "-rN"]
    if junit_xml:
        args.append(f"--junitxml={junit_xml}")
    if examples is not None:
        args.append(f"--modmock-examples={examples}")
    if seed is not None:
        args += [f"--hypothesis-seed={seed}", f"--modmock-seed={seed}"]
    if importlib.util.find_spec("xdist") is not None:
        args += ["-n", "0"]  # one process, whatever a project's addopts say: the items share one mock and summary
    return int(pytest.main([*args, *pytest_args]))
