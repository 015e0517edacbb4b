"""The ``mockserver`` and ``modmock`` commands (and ``python -m modmock``): the server's commands,
``contract``, which runs the client contract suite from the contract kit, and ``proxy`` and
``drift-report`` from the proxy (packages the server never imports)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .mockserver import cli as server_cli


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    return server_cli.main(argv, contract=_contract, commands={"proxy": _proxy, "drift-report": _drift_report})


def _proxy(args: argparse.Namespace) -> int:
    from .proxy.command import run_proxy

    return run_proxy(args)


def _drift_report(args: argparse.Namespace) -> int:
    from .proxy.command import drift_report

    return drift_report(args)


def _contract(args: argparse.Namespace) -> int:
    from .contracts.suite.runner import run_suite

    return run_suite(args.vendor, args.client, junit_xml=args.junit_xml, examples=args.examples,
                     seed=args.seed, pytest_args=args.pytest_args)
