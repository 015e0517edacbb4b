"""The token header: Basic (and the seeds' sample "Base" unless --strict), certificates, appid."""

from __future__ import annotations

import base64

import pytest

import modmock
from jocloud_helpers import SAMPLE_TOKEN, TOKEN, call, image, ok
from modmock.mockserver.core import schemas
from modmock.mockserver.settings import SettingsError
from modmock.mockserver.vendors.jocloud import profile


def _refused(mock: modmock.MockServer, **kwargs) -> dict:
    resp = call(mock, profile.IMAGE_SYNC, image(), **kwargs)
    assert resp.status_code == 400, resp.text
    answer = resp.json()
    assert answer["code"] == 400 and "data" not in answer and answer["traceId"] == "trace-1"
    assert schemas.validator("jocloud/error.json").is_valid(answer), answer
    return answer


def test_the_documented_basic_token_is_accepted(jocloud_mock) -> None:
    ok(jocloud_mock, profile.IMAGE_SYNC, image(), token=TOKEN)
    (entry,) = jocloud_mock.requests
    assert entry.valid and entry.warnings == []


def test_the_seeds_python_sample_base_prefix_is_accepted_with_a_warning(jocloud_mock) -> None:
    ok(jocloud_mock, profile.IMAGE_SYNC, image(), token=SAMPLE_TOKEN)
    (entry,) = jocloud_mock.requests
    assert entry.valid and entry.warnings[0].field == "token" and entry.warnings[0].sent == "Base"


def test_under_strict_only_basic_is_accepted() -> None:
    with modmock.serve("aivacom", strict=True) as mock:
        answer = _refused(mock, token=SAMPLE_TOKEN, vendor="aivacom")
        assert "Basic" in answer["message"]
        ok(mock, profile.IMAGE_SYNC, image(), token=TOKEN, vendor="aivacom")


@pytest.mark.parametrize(("token", "says"), [
    (None, "missing"),
    ("Bearer abc", "start with"),
    ("Basic !!!not-base64!!!", "not base64"),
    ("Basic " + base64.b64encode(b"no-colon-here").decode(), "not base64(certificateId:certificateKey)"),
    ("Basic " + base64.b64encode(b"qawsedrftg:wrong-key").decode(), "unknown certificate"),
    ("Basic " + base64.b64encode(b"someone:abcdefghijk").decode(), "unknown certificate"),
])
def test_a_missing_or_wrong_token_is_a_400_naming_why(jocloud_mock, token: str | None, says: str) -> None:
    answer = _refused(jocloud_mock, token=token)
    assert says in answer["message"]
    (entry,) = jocloud_mock.requests
    assert not entry.valid and entry.problems[0].field == "token" and entry.problems[0].inferred


def test_an_appid_the_certificate_does_not_serve_is_refused(jocloud_mock) -> None:
    resp = call(jocloud_mock, profile.IMAGE_SYNC, image(), url_path="/app/999/v1/image/sync")
    assert resp.status_code == 400 and "does not serve appid 999" in resp.json()["message"]
    assert jocloud_mock.requests[0].problems[0].field == "appid"


def test_configured_certificates_replace_the_defaults() -> None:
    config = {"jocloud": {"include_defaults": False, "credentials": [
        {"appid": "42", "certificate_id": "cert-a", "certificate_key": "key-a"}]}}
    with modmock.serve("jocloud", config=config) as mock:
        (cert,) = mock.credentials["credentials"]
        assert cert["token"] == "Basic " + base64.b64encode(b"cert-a:key-a").decode()
        ok(mock, profile.IMAGE_SYNC, image(), token=cert["token"], url_path="/app/42/v1/image/sync")
        _refused(mock, token=TOKEN, url_path="/app/123456/v1/image/sync")


@pytest.mark.parametrize("config", [
    {"credentials": [{"appid": "1", "certificate_id": "a:b", "certificate_key": "k"}]},
    {"credentials": [{"appid": "1", "certificate_id": "a"}]},
    {"include_defaults": False},
    {"concurrency": 0},
    {"live_reports": "some"},
    {"qps": {"no_such_api": 3}},
    {"processing_seconds": False},
    {"processing_seconds": {"audio_async": False}},
])
def test_bad_configuration_stops_the_run_with_a_clear_error(config: dict) -> None:
    with pytest.raises(SettingsError):
        modmock.serve("jocloud", config={"jocloud": config})
