"""Every API of both profiles over loopback: paths, traceId, the envelope, and the verdict in the
vendor's actions, labels, rates and suggestions."""

from __future__ import annotations

import pytest

import modmock
from jocloud_helpers import b64, call, image, ok, path
from modmock.mockserver.core import schemas
from modmock.mockserver.settings import SettingsError
from modmock.mockserver.vendors.jocloud import profile

VENDORS = ("jocloud", "aivacom")
CALLBACK = "http://127.0.0.1:9/never"
BODIES = {
    profile.IMAGE_SYNC: image(),
    profile.AUDIO_SYNC: {"data": [{"dataId": "a1", "url": "https://cdn.example.com/a/clip.mp3"}]},
    profile.TEXT_SYNC: {"data": [{"dataId": "t1", "content": b64("hello there")}]},
    profile.AUDIO_ASYNC: {"data": [{"dataId": "a2", "url": "https://cdn.example.com/a/clip.mp3"}],
                          "callbackUrl": CALLBACK},
    profile.VIDEO_ASYNC: {"data": [{"dataId": "v1", "url": "https://cdn.example.com/v/clip.mp4"}],
                          "callbackUrl": CALLBACK},
    profile.VIDEO_LIVE: {"data": [{"dataId": "s1", "url": "rtmp://live.example.com/app/s1"}], "callbackUrl": CALLBACK},
    profile.INTERACTION_AUDIO: {"data": [{"dataId": "r1", "roomId": "10001"}], "callbackUrl": CALLBACK},
    profile.INTERACTION_VIDEO: {"data": [{"dataId": "r2", "roomId": 10002}], "callbackUrl": CALLBACK},
}


@pytest.fixture(params=VENDORS)
def mock(request: pytest.FixtureRequest) -> modmock.MockServer:
    return request.getfixturevalue(f"{request.param}_mock")  # type: ignore[no-any-return]


@pytest.mark.parametrize("endpoint", profile.ENDPOINT_IDS)
def test_every_api_answers_the_envelope_with_the_trace_id_echoed(mock, endpoint: str) -> None:
    vendor = mock.vendors[0]
    answer = ok(mock, endpoint, BODIES[endpoint], vendor=vendor, trace_id="bd526528-c0d7-4aa4-803b-f5a3fdc05805")
    assert answer["traceId"] == "bd526528-c0d7-4aa4-803b-f5a3fdc05805"
    assert answer["message"] == "OK" and isinstance(answer["timestamp"], int) and answer["requestId"]
    (item,) = answer["data"]
    assert item["code"] == 200 and item["dataId"] == BODIES[endpoint]["data"][0]["dataId"] and item["taskId"]
    if endpoint in profile.SYNC:
        assert [r["action"] for r in item["results"]] == list(profile.ACTIONS[endpoint])
    else:
        assert item["results"] == []  # the results arrive by callback
    (entry,) = mock.requests
    assert (entry.vendor, entry.endpoint, entry.valid) == (vendor, endpoint, True)


def test_the_profiles_differ_only_in_the_live_streaming_paths() -> None:
    jocloud, aivacom = profile.JOCLOUD.PATHS, profile.AIVACOM.PATHS
    assert {k for k in jocloud if jocloud[k] != aivacom[k]} == {profile.INTERACTION_AUDIO, profile.INTERACTION_VIDEO}
    assert aivacom[profile.INTERACTION_AUDIO] == "/app/{appid}/v1/audio/stream"
    assert jocloud[profile.INTERACTION_VIDEO] == "/app/{appid}/v1/ai/video/live"


@pytest.mark.parametrize("endpoint", [profile.INTERACTION_AUDIO, profile.INTERACTION_VIDEO])
def test_jocloud_live_streaming_paths_take_the_trailing_slash_the_seed_prints(jocloud_mock, endpoint: str) -> None:
    answer = ok(jocloud_mock, endpoint, BODIES[endpoint], url_path=path("jocloud", endpoint) + "/")
    assert answer["data"][0]["code"] == 200


def test_each_profile_refuses_the_other_profiles_live_streaming_path(jocloud_mock, aivacom_mock) -> None:
    body = BODIES[profile.INTERACTION_AUDIO]
    assert call(jocloud_mock, "", body, url_path=path("aivacom", profile.INTERACTION_AUDIO)).status_code == 404
    assert call(aivacom_mock, "", body, url_path=path("jocloud", profile.INTERACTION_AUDIO)).status_code == 404
    (entry,) = aivacom_mock.requests
    assert not entry.valid and entry.problems[0].rule == "no such endpoint"


def test_audio_async_also_answers_at_the_api_pages_submit_path(jocloud_mock) -> None:
    answer = ok(jocloud_mock, profile.AUDIO_ASYNC, BODIES[profile.AUDIO_ASYNC],
                url_path=path("jocloud", profile.AUDIO_ASYNC) + "/submit")
    assert answer["data"][0]["taskId"]
    assert jocloud_mock.requests[0].endpoint == profile.AUDIO_ASYNC


def test_jocloud_and_aivacom_cannot_share_a_port() -> None:
    with pytest.raises(SettingsError, match="both serve POST /app/{appid}/v1/image/sync"):
        modmock.serve("jocloud", "aivacom")


def test_the_seeds_example_sex_jpg_is_porn_sexy_block(mock) -> None:
    answer = ok(mock, profile.IMAGE_SYNC, image(data_id="sex.jpg"), vendor=mock.vendors[0])
    porn = next(r for r in answer["data"][0]["results"] if r["action"] == "porn")
    assert (porn["action"], porn["label"], porn["suggestion"]) == ("porn", "sexy", "block")
    assert 0.9 < porn["rate"] <= 1


def test_a_clean_image_passes_every_action_with_label_normal(jocloud_mock) -> None:
    results = ok(jocloud_mock, profile.IMAGE_SYNC, image())["data"][0]["results"]
    assert {(r["label"], r["suggestion"]) for r in results} == {("normal", "pass")}
    assert all(0 <= r["rate"] <= 1 for r in results)


@pytest.mark.parametrize(("url", "action", "label"), [
    ("https://cdn.example.com/nude/1.jpg", "porn", "porn"),
    ("https://cdn.example.com/terror/1.jpg", "terrorism", "terrorist"),
    ("https://cdn.example.com/gore/1.jpg", "terrorism", "bloody"),
    ("https://cdn.example.com/political/1.jpg", "antispam", "flag"),
])
def test_image_categories_land_on_the_vendors_actions_and_labels(jocloud_mock, url: str, action: str,
                                                                 label: str) -> None:
    results = ok(jocloud_mock, profile.IMAGE_SYNC, image(url=url))["data"][0]["results"]
    hit = next(r for r in results if r["action"] == action)
    assert (hit["label"], hit["suggestion"]) == (label, "block")
    assert all(r["suggestion"] == "pass" for r in results if r["action"] != action)


def test_a_review_word_gives_suggestion_review(jocloud_mock) -> None:
    results = ok(jocloud_mock, profile.IMAGE_SYNC, image(url="https://cdn.example.com/porn-review.jpg"))
    porn = results["data"][0]["results"][0]
    assert (porn["label"], porn["suggestion"], porn["rate"]) == ("porn", "review", 0.6)


def test_a_rule_sublabel_picks_its_action_sface(jocloud_mock) -> None:
    jocloud_mock.add_rule({"match": {"data_id": "leader.jpg"}, "verdict": {
        "risk": "reject", "labels": [{"category": "politics", "sublabel": "sface", "confidence": 0.91}]}})
    results = ok(jocloud_mock, profile.IMAGE_SYNC, image(data_id="leader.jpg"))["data"][0]["results"]
    sface = next(r for r in results if r["action"] == "sface")
    assert (sface["label"], sface["rate"], sface["suggestion"]) == ("sface", 0.91, "block")


@pytest.mark.parametrize(("text", "label"), [
    ("cheap ad here", "ad"), ("buy drugs", "contraband"), ("some profanity", "abuse"), ("political talk", "politics"),
])
def test_text_is_read_after_base64_and_labelled_under_antispam(jocloud_mock, text: str, label: str) -> None:
    (result,) = ok(jocloud_mock, profile.TEXT_SYNC, {"data": [{"dataId": "t", "content": b64(text)}]}
                   )["data"][0]["results"]
    assert (result["action"], result["label"], result["suggestion"]) == ("antispam", label, "block")


def test_audio_porn_is_labelled_moan(jocloud_mock) -> None:
    body = {"data": [{"dataId": "a", "url": "https://cdn.example.com/moan/clip.mp3"}]}
    results = ok(jocloud_mock, profile.AUDIO_SYNC, body)["data"][0]["results"]
    assert results[0] == {"code": 200, "message": "OK", "action": "porn", "label": "moan", "rate": 0.97,
                          "suggestion": "block"}


def test_only_the_requested_actions_are_answered(jocloud_mock) -> None:
    body = {**image(data_id="sex.jpg"), "actions": ["terrorism"]}
    (result,) = ok(jocloud_mock, profile.IMAGE_SYNC, body)["data"][0]["results"]
    assert (result["action"], result["suggestion"]) == ("terrorism", "pass")


def test_several_items_are_answered_in_order_each_with_its_own_verdict(jocloud_mock) -> None:
    body = {"data": [{"dataId": "a", "url": "https://cdn.example.com/ok.jpg"},
                     {"dataId": "b", "url": "https://cdn.example.com/porn.jpg"}]}
    data = ok(jocloud_mock, profile.IMAGE_SYNC, body)["data"]
    assert [d["dataId"] for d in data] == ["a", "b"]
    assert [d["results"][0]["suggestion"] for d in data] == ["pass", "block"]
    assert data[0]["taskId"] != data[1]["taskId"]


def test_every_answer_in_the_journal_validates(mock) -> None:
    for endpoint, body in BODIES.items():
        ok(mock, endpoint, body, vendor=mock.vendors[0])
    validator = schemas.validator("jocloud/response.json")
    assert all(validator.is_valid(e.response) for e in mock.requests)
