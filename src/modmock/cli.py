"""The ``mockserver`` and ``modmock`` commands (and ``python -m modmock``): the server's commands,
and ``contract``, which runs the client contract suite from the contract kit (a package the
server never imports)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .mockserver import cli as server_cli


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    return server_cli.main(argv, contract=_contract)


def _contract(args: argparse.Namespace) -> int:
    from .contracts.suite.runner import run_suite

    return run_suite(args.vendor, args.client, junit_xml=args.junit_xml, examples=args.examples,
                     seed=args.seed, pytest_args=args.pytest_args)
