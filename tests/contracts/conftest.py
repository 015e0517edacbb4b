"""The suite's item modules are imported once per test process, up front, so the in-process
suite runs below reuse them. Imported afresh in every run, a module is compiled again each
time, and in a worker that has met deep recursion CPython 3.11.7 can fail that compile with
"AST constructor recursion depth mismatch" (seen twice under CI's load)."""

import modmock.contracts.suite.test_client
import modmock.contracts.suite.test_jobs  # noqa: F401
