"""Every exception modmock raises for a user to catch.

::

    ModmockError                      the base: catch it to catch them all
    ├── SettingsError                 options, --config, --scenario or fixture options refused (ValueError)
    ├── InvalidSpecError              a rule, fault or replayed answer the schema or vendor refuses (ValueError)
    ├── NotRunningError               the mock is used before start() or after stop() (RuntimeError)
    └── MockAssertionError            an expectation of a test failed (AssertionError)
        └── InvalidRequestsError      assert_all_requests_valid(): the client sent what the vendor refuses

Each also derives from the builtin shown, so code that caught the builtin keeps working. What a
*vendor* answers (its error codes) is never an exception: it is the mock's HTTP answer.
"""

from __future__ import annotations

__all__ = ["InvalidRequestsError", "InvalidSpecError", "MockAssertionError", "ModmockError", "NotRunningError",
           "SettingsError"]


class ModmockError(Exception):
    """The base of every exception modmock raises on purpose."""


class SettingsError(ModmockError, ValueError):
    """An option, configuration file, scenario or fixture option that cannot be used."""


class InvalidSpecError(ModmockError, ValueError):
    """A rule, fault or queued answer that its schema, or the vendor it targets, refuses."""


class NotRunningError(ModmockError, RuntimeError):
    """The mock server is not running (not started yet, or stopped)."""


class MockAssertionError(ModmockError, AssertionError):
    """A test's expectation of the mock failed (calls, callbacks)."""


class InvalidRequestsError(MockAssertionError):
    """The client sent requests the vendor would refuse; the message lists each one's problems."""
