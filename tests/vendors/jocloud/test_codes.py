"""Codes at every level: request (400, 429, HTTP status equal), data item and action (401-503),
each reachable by a rule or a fault and by the content that causes it; bad input never a 500."""

from __future__ import annotations

import io
import struct

import pytest
import requests
from PIL import Image

import modmock
from jocloud_helpers import TOKEN, b64, call, image, ok, path
from modmock.fixtures.media import audio_bytes
from modmock.mockserver.core import schemas
from modmock.mockserver.vendors.jocloud import profile

DATA_CODES = sorted(profile.ITEM_CODES - {400})


def _png(size: int = 16) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("code", DATA_CODES)
def test_every_data_level_code_can_be_injected_by_a_fault(jocloud_mock, code: int) -> None:
    jocloud_mock.fail_next(code, endpoint=profile.IMAGE_SYNC)
    (item,) = ok(jocloud_mock, profile.IMAGE_SYNC, image())["data"]
    assert (item["code"], item["message"], item["results"]) == (code, profile.ITEM_MESSAGES[code] if code != 500
                                                                else item["message"], [])
    assert item["message"]
    assert ok(jocloud_mock, profile.IMAGE_SYNC, image())["data"][0]["code"] == 200  # the next one is fine


@pytest.mark.parametrize("code", sorted(profile.ITEM_CODES))
def test_every_data_level_code_can_be_injected_by_a_rule_for_one_item(jocloud_mock, code: int) -> None:
    jocloud_mock.add_rule({"match": {"data_id": "bad"}, "error": {"code": f"data:{code}", "message": "broken"}})
    body = {"data": [{"dataId": "good", "url": "https://cdn.example.com/a.jpg"},
                     {"dataId": "bad", "url": "https://cdn.example.com/b.jpg"}]}
    good, bad = ok(jocloud_mock, profile.IMAGE_SYNC, body)["data"]
    assert good["code"] == 200 and len(good["results"]) == 4
    assert (bad["code"], bad["message"], bad["results"]) == (code, "broken", [])


@pytest.mark.parametrize("code", sorted(profile.ITEM_CODES))
def test_every_action_level_code_can_be_injected(jocloud_mock, code: int) -> None:
    jocloud_mock.fail_next(f"action:{code}", endpoint=profile.TEXT_SYNC)
    (item,) = ok(jocloud_mock, profile.TEXT_SYNC, {"data": [{"dataId": "t", "content": b64("hi")}]})["data"]
    assert item["code"] == 200
    assert item["results"] == [{"code": code, "message": profile.ITEM_MESSAGES[code], "action": "antispam"}]


@pytest.mark.parametrize("code", [400, 429])
def test_request_level_codes_answer_with_that_http_status(jocloud_mock, code: int) -> None:
    jocloud_mock.fail_next(code)
    resp = call(jocloud_mock, profile.IMAGE_SYNC, image())
    assert resp.status_code == code and resp.json()["code"] == code and "data" not in resp.json()
    assert schemas.validator("jocloud/error.json").is_valid(resp.json()), resp.json()


def test_an_unknown_code_is_refused_when_injected(jocloud_mock) -> None:
    with pytest.raises(ValueError, match="not a documented jocloud error code"):
        jocloud_mock.fail_next(404)
    with pytest.raises(ValueError):
        jocloud_mock.fail_next("action:999")


# -- codes the content itself causes -------------------------------------------------------------

def _item(mock, endpoint: str, entry: dict) -> dict:
    (item,) = ok(mock, endpoint, {"data": [{"dataId": "x", **entry}]})["data"]
    return item  # type: ignore[no-any-return]


def test_402_for_content_that_is_not_base64(jocloud_mock) -> None:
    assert _item(jocloud_mock, profile.IMAGE_SYNC, {"content": "%%%not base64%%%"})["code"] == 402
    assert _item(jocloud_mock, profile.TEXT_SYNC, {"content": "plain text, not encoded!"})["code"] == 402
    problems = [p for e in jocloud_mock.requests for p in e.problems]
    assert [(p.field, p.rule) for p in problems] == [("data[0].content", "base64")] * 2


def test_403_for_text_over_1000_characters(jocloud_mock) -> None:
    assert _item(jocloud_mock, profile.TEXT_SYNC, {"content": b64("字" * 1000)})["code"] == 200
    item = _item(jocloud_mock, profile.TEXT_SYNC, {"content": b64("字" * 1001)})
    assert (item["code"], item["message"]) == (403, "Input too large")


def test_400_for_text_that_is_not_utf8_after_decoding(jocloud_mock) -> None:
    item = _item(jocloud_mock, profile.TEXT_SYNC, {"content": b64(b"\xff\xfe\xfa")})
    assert item["code"] == 400 and "UTF-8" in item["message"]


def test_image_bytes_are_read_420_for_non_images_403_over_10_mb(jocloud_mock) -> None:
    assert _item(jocloud_mock, profile.IMAGE_SYNC, {"content": b64(_png())})["code"] == 200
    item = _item(jocloud_mock, profile.IMAGE_SYNC, {"content": b64(b"these bytes are no picture")})
    assert (item["code"], item["message"]) == (420, "Image decode failed")
    big = _png() + b"\0" * (10 * 1024 * 1024)
    assert _item(jocloud_mock, profile.IMAGE_SYNC, {"content": b64(big)})["code"] == 403


def test_audio_410_for_a_broken_wav_411_over_60_seconds(jocloud_mock) -> None:
    assert _item(jocloud_mock, profile.AUDIO_SYNC, {"content": b64(audio_bytes("wav", 59))})["code"] == 200
    assert _item(jocloud_mock, profile.AUDIO_SYNC, {"content": b64(audio_bytes("wav", 61))})["code"] == 411
    broken = b"RIFF" + struct.pack("<I", 40) + b"WAVEjunkjunkjunk"
    assert _item(jocloud_mock, profile.AUDIO_SYNC, {"content": b64(broken)})["code"] == 410


@pytest.mark.parametrize("fmt", ["mp3", "aac", "m4a", "flac", "ogg"])
def test_audio_durations_are_read_in_every_format_read_here(jocloud_mock, fmt: str) -> None:
    assert _item(jocloud_mock, profile.AUDIO_SYNC, {"content": b64(audio_bytes(fmt, 59))})["code"] == 200
    assert _item(jocloud_mock, profile.AUDIO_SYNC, {"content": b64(audio_bytes(fmt, 61))})["code"] == 411
    broken = {"mp3": b"\xff\xfb" + b"\0" * 64, "aac": b"\xff\xf1" + b"\0" * 64, "m4a": b"\0\0\0\x10ftypM4A " + b"\xff" * 40,
              "flac": b"fLaC\0", "ogg": b"OggS\0\2"}[fmt]
    assert _item(jocloud_mock, profile.AUDIO_SYNC, {"content": b64(broken)})["code"] == 410


def test_401_for_a_url_that_does_not_download(jocloud_mock) -> None:
    item = _item(jocloud_mock, profile.IMAGE_SYNC, {"url": "https://img.invalid/a.jpg"})
    assert (item["code"], item["message"]) == (401, "Download data from URL failed")
    assert _item(jocloud_mock, profile.IMAGE_SYNC, {"url": "https://cdn.example.com/timeout/a.jpg"})["code"] == 401
    assert jocloud_mock.requests[0].valid  # an outage, not the client's fault


def test_loopback_urls_are_downloaded_and_read(jocloud_mock) -> None:
    from akool_helpers import MediaServer

    media = MediaServer({"/ok.png": _png(), "/junk.png": b"junk", "/long.wav": audio_bytes("wav", 61)})
    try:
        assert _item(jocloud_mock, profile.IMAGE_SYNC, {"url": media.url("/ok.png")})["code"] == 200
        assert _item(jocloud_mock, profile.IMAGE_SYNC, {"url": media.url("/junk.png")})["code"] == 420
        assert _item(jocloud_mock, profile.IMAGE_SYNC, {"url": media.url("/missing.png")})["code"] == 401
        assert _item(jocloud_mock, profile.AUDIO_SYNC, {"url": media.url("/long.wav")})["code"] == 411
    finally:
        media.close()


def test_a_request_over_50_mb_of_media_is_a_400(jocloud_mock, monkeypatch) -> None:
    monkeypatch.setattr(profile, "REQUEST_MEDIA_MAX", 2 * len(_png()))  # the rule, without 50 MB bodies
    body = {"data": [{"dataId": str(i), "content": b64(_png())} for i in range(3)]}
    resp = call(jocloud_mock, profile.IMAGE_SYNC, body)
    assert resp.status_code == 400 and "Input too large" in resp.json()["message"]


# -- request-level 400: bad input, each journaled with its field and rule -----------------------

@pytest.mark.parametrize(("endpoint", "body", "field", "rule"), [
    (profile.IMAGE_SYNC, [], "(body)", "type"),
    (profile.IMAGE_SYNC, {}, "data", "required"),
    (profile.IMAGE_SYNC, {"data": []}, "data", "minItems 1"),
    (profile.IMAGE_SYNC, {"data": "x"}, "data", "type"),
    (profile.IMAGE_SYNC, {"data": [{"dataId": "a"}]}, "data[0].url|content", "exactly one"),
    (profile.IMAGE_SYNC, {"data": [{"dataId": "a", "url": "ftp://x/a.jpg"}]}, "data[0].url", "url"),
    (profile.IMAGE_SYNC, {"data": [{"dataId": 5, "url": "https://x/a.jpg"}]}, "data[0].dataId", "type"),
    (profile.IMAGE_SYNC, {**image(), "actions": ["moan"]}, "actions[0]", "enum"),
    (profile.TEXT_SYNC, {"data": [{"dataId": "a"}]}, "data[0].content", "required"),
    (profile.AUDIO_ASYNC, {"data": [{"dataId": "a", "url": "https://x/a.mp3"}]}, "callbackUrl", "required"),
    (profile.VIDEO_ASYNC, {"data": [{"dataId": "a", "content": "AAAA"}], "callbackUrl": "http://127.0.0.1/"},
     "data[0].url", "required"),
    (profile.VIDEO_LIVE, {"data": [{"dataId": "a", "url": 7}], "callbackUrl": "http://127.0.0.1/"},
     "data[0].url", "type"),
    (profile.IMAGE_SYNC, {"data": [{"dataId": str(i), "url": "https://x/a.jpg"} for i in range(101)]},
     "data", "maxItems 100"),
    (profile.INTERACTION_AUDIO, {"data": [{"dataId": "a"}], "callbackUrl": "http://127.0.0.1/"},
     "data[0].roomId", "required"),
    (profile.VIDEO_LIVE, {"operation": "stop", "data": [{"dataId": "a"}]}, "data[0].taskId", "required"),
    (profile.VIDEO_LIVE, {"operation": "pause", "data": [{"taskId": "t"}]}, "operation", "enum"),
])
def test_a_broken_field_is_a_400_naming_it(jocloud_mock, endpoint: str, body, field: str, rule: str) -> None:
    resp = call(jocloud_mock, endpoint, body)
    assert resp.status_code == 400 and resp.json()["code"] == 400
    assert field in resp.json()["message"]
    (entry,) = jocloud_mock.requests
    assert not entry.valid and (entry.problems[0].field, entry.problems[0].rule) == (field, rule)


@pytest.mark.parametrize(("data", "headers", "rule"), [
    (b'{"data": [', {"Content-Type": "application/json"}, "json"),
    (b'{"data": "\xff\xfe"}', {"Content-Type": "application/json"}, "utf-8"),
    (b"", {"Content-Type": "application/json"}, "json"),
])
def test_unreadable_bodies_are_a_400_never_a_500(jocloud_mock, data: bytes, headers: dict, rule: str) -> None:
    resp = requests.post(jocloud_mock.url + path("jocloud", profile.IMAGE_SYNC) + "?traceId=t", data=data,
                         headers={"token": TOKEN, **headers}, timeout=10)
    assert resp.status_code == 400 and resp.json()["code"] == 400 and resp.json()["traceId"] == "t"
    assert jocloud_mock.requests[0].problems[0].rule == rule


def test_a_body_over_the_limit_is_a_400_not_aiohttps_413(jocloud_mock) -> None:
    size = profile.MAX_BODY + 1
    resp = requests.post(jocloud_mock.url + path("jocloud", profile.IMAGE_SYNC), data=b"{" + b" " * size,
                         headers={"token": TOKEN, "Content-Type": "application/json"}, timeout=60)
    assert resp.status_code == 400 and resp.json()["code"] == 400
    assert jocloud_mock.requests[0].problems[0].rule == "max_body_size"


def test_inferred_rules_warn_by_default_and_refuse_under_strict(jocloud_mock) -> None:
    body = {**image(), "extra": 1}
    ok(jocloud_mock, profile.IMAGE_SYNC, body, trace_id=None, headers={"Content-Type": "text/plain"},
       )  # json= sets the content type; the header here overrides it
    (entry,) = jocloud_mock.requests
    assert entry.valid and {w.field for w in entry.warnings} == {"traceId", "extra", "Content-Type"}
    with modmock.serve("jocloud", strict=True) as strict:
        for kwargs in ({"trace_id": None}, {"headers": {"Content-Type": "text/plain"}}):
            resp = call(strict, profile.IMAGE_SYNC, image(), **kwargs)
            assert resp.status_code == 400, kwargs
        assert call(strict, profile.IMAGE_SYNC, body).status_code == 400
        assert call(strict, profile.IMAGE_SYNC, image()).status_code == 200


def test_fields_an_api_does_not_take_are_ignored_with_a_warning(jocloud_mock) -> None:
    room = {"data": [{"dataId": "r", "roomId": "1", "url": 5}], "callbackUrl": "http://127.0.0.1:9/x"}
    assert ok(jocloud_mock, profile.INTERACTION_AUDIO, room)["data"][0]["code"] == 200
    clip = {"data": [{"dataId": "v", "url": "https://cdn.example.com/a.mp4", "content": "!!"}],
            "callbackUrl": "http://127.0.0.1:9/x"}
    assert ok(jocloud_mock, profile.VIDEO_ASYNC, clip)["data"][0]["code"] == 200
    assert [w.field for e in jocloud_mock.requests for w in e.warnings] == ["data[0].url", "data[0].content"]


def test_a_request_level_error_on_a_later_item_starts_no_task_for_earlier_ones(jocloud_mock) -> None:
    jocloud_mock.add_rule({"match": {"data_id": "second"}, "error": 429})
    body = {"data": [{"dataId": "first", "url": "https://cdn.example.com/a.mp3"},
                     {"dataId": "second", "url": "https://cdn.example.com/b.mp3"}], "callbackUrl": "http://127.0.0.1:9/x"}
    assert call(jocloud_mock, profile.AUDIO_ASYNC, body).status_code == 429
    assert jocloud_mock.state.tasks.list(vendor="jocloud") == []


@pytest.mark.parametrize("content", ["hello world", "helloworld", "aGVsbG8gd29ybGQ", "aGVs bG8g d29y bGQ="])
def test_402_for_plain_words_and_unpadded_text(jocloud_mock, content: str) -> None:
    assert _item(jocloud_mock, profile.TEXT_SYNC, {"content": content})["code"] == 402


def test_base64_text_with_mime_line_breaks_is_read(jocloud_mock) -> None:
    import base64
    wrapped = base64.encodebytes(("a clean sentence " * 10).encode()).decode()  # a line break every 76 characters
    assert "\n" in wrapped.strip()
    assert _item(jocloud_mock, profile.TEXT_SYNC, {"content": wrapped})["code"] == 200


def _ico() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, format="ICO")
    return out.getvalue()


def test_an_ico_image_is_a_warning_by_default_and_420_under_strict(jocloud_mock) -> None:
    assert _item(jocloud_mock, profile.IMAGE_SYNC, {"content": b64(_ico())})["code"] == 200
    (entry,) = jocloud_mock.requests
    assert entry.valid and entry.warnings[0].rule == "format" and entry.warnings[0].inferred
    with modmock.serve("jocloud", strict=True) as strict:
        item = _item(strict, profile.IMAGE_SYNC, {"content": b64(_ico())})
        assert (item["code"], item["message"]) == (420, "Image decode failed")
