"""The public surface: what ``modmock`` and ``modmock.errors`` export, and nothing leaks."""

from __future__ import annotations

import types

import pytest

import modmock
from modmock import errors

PUBLIC = {
    "serve", "MockServer", "Settings", "CATEGORIES", "Label", "Verdict", "errors",
    "Entry", "Problem", "Delivery", "Attempt", "Rule", "Fault", "Task", "CallbackSink", "Received",
    "Recorded", "recordings",
    "ModmockError", "SettingsError", "InvalidSpecError", "NotRunningError", "MockAssertionError",
    "InvalidRequestsError",
}


def test_the_package_exports_exactly_its_public_names() -> None:
    assert set(modmock.__all__) == PUBLIC
    for name in modmock.__all__:
        assert getattr(modmock, name) is not None


def test_nothing_else_leaks_from_the_package() -> None:
    leaked = {name for name, value in vars(modmock).items()
              if not name.startswith("_") and name not in PUBLIC and not isinstance(value, types.ModuleType)
              and name not in ("annotations", "Any")}
    assert leaked == set()


def test_every_exception_a_user_catches_is_in_modmock_errors() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.ModmockError)
        assert getattr(modmock, name) is cls
    assert issubclass(errors.SettingsError, ValueError) and issubclass(errors.InvalidSpecError, ValueError)
    assert issubclass(errors.InvalidRequestsError, AssertionError)
    assert issubclass(errors.NotRunningError, RuntimeError)


def test_the_mock_raises_the_public_errors() -> None:
    with pytest.raises(errors.SettingsError):
        modmock.serve("nope")
    with modmock.serve("deepcleer") as mock:
        with pytest.raises(errors.InvalidSpecError):
            mock.add_rule({"match": {}, "verdict": "not a verdict"})
        with pytest.raises(errors.InvalidSpecError):
            mock.fail_next(12345)
        with pytest.raises(errors.MockAssertionError):
            mock.assert_called("image_v4", times=1)
        with pytest.raises(errors.MockAssertionError):
            mock.wait_for_callbacks(1, timeout=0.05)
    with pytest.raises(errors.NotRunningError):
        _ = mock.url


def test_the_objects_a_mock_hands_back_are_the_public_types(deepcleer_mock) -> None:
    import requests

    requests.post(deepcleer_mock.url + "/image/v4", json={}, timeout=10)
    (entry,) = deepcleer_mock.requests
    assert isinstance(entry, modmock.Entry) and all(isinstance(p, modmock.Problem) for p in entry.problems)
    assert isinstance(deepcleer_mock.add_rule({"match": {}, "verdict": {"risk": "pass"}}), modmock.Rule)


def test_the_package_is_typed() -> None:
    from importlib.resources import files

    assert files("modmock").joinpath("py.typed").is_file()
