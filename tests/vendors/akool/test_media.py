"""Every field rule and media limit of the sentiment request: by URL extension everywhere, by
bytes for content on allow-listed (loopback) hosts."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import pytest

import modmock
from akool_helpers import MediaServer, bearer, info, submit
from modmock.fixtures.media import audio_bytes, avi_bytes, image_bytes, video_bytes

MB = 1024 * 1024


def _wav(minutes: float, rate: int = 1000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(1)
        audio.setframerate(rate)
        audio.writeframes(b"\x80" * int(minutes * 60 * rate))
    return out.getvalue()


@pytest.fixture(scope="module")
def media() -> Iterator[MediaServer]:
    server = MediaServer({
        "/ok.png": image_bytes(64, 64),
        "/big.png": image_bytes(64, 64) + b"\0" * (20 * MB),
        "/moving.gif": image_bytes(32, 32, "GIF", frames=3),
        "/still.gif": image_bytes(32, 32, "GIF"),
        "/bitmap.png": image_bytes(32, 32, "BMP"),
        "/text.jpg": b"not an image at all",
        "/long.wav": _wav(61),
        "/short.wav": _wav(1),
        "/truncated.wav": b"RIFF" + (40).to_bytes(4, "little") + b"WAVEjunkjunkjunk",
        "/big.mp3": b"ID3" + b"\0" * (25 * MB),
        "/doc.txt": b"some words to moderate",
        "/long.mp3": audio_bytes("mp3", 61 * 60), "/long.flac": audio_bytes("flac", 61 * 60),
        "/long.m4a": audio_bytes("m4a", 61 * 60), "/short.mp3": audio_bytes("mp3", 59 * 60),
        "/long.ogg": audio_bytes("ogg", 61 * 60), "/short.ogg": audio_bytes("ogg", 59 * 60),
        "/long.webm": audio_bytes("webm", 61 * 60), "/short.webm": audio_bytes("webm", 59 * 60),
        "/short.flac": audio_bytes("flac", 60), "/short.m4a": audio_bytes("m4a", 60),
        "/broken.mp3": b"\xff\xfb" + b"\0" * 100,
        "/hd.mp4": video_bytes(width=1920, height=1080), "/portrait.mp4": video_bytes(width=1080, height=1920),
        "/4k.mp4": video_bytes(width=3840, height=2160), "/silent.mp4": video_bytes(audio=False),
        "/ultrawide.mp4": video_bytes(width=2560, height=1080),
        "/hd.avi": avi_bytes(width=1920, height=1080), "/4k.avi": avi_bytes(width=3840, height=2160),
        "/silent.avi": avi_bytes(audio=False),
        "/broken.mp4": b"\0\0\0\x10ftypisom" + b"\xff" * 40,
    })
    yield server
    server.close()


@pytest.mark.parametrize(("body", "field", "rule"), [
    ({"type": 1}, "content", "required"),
    ({"type": 1, "content": ""}, "content", "required"),
    ({"content": "https://a.example/x.png"}, "type", "required"),
    ({"type": 5, "content": "https://a.example/x.png"}, "type", "enum"),
    ({"type": "1", "content": "https://a.example/x.png"}, "type", "enum"),
    ({"type": 1, "content": 42}, "content", "type"),
    ({"type": 1, "content": "just words"}, "content", "url"),
    ({"type": 2, "content": "ftp://a.example/x.mp4"}, "content", "url"),
    ({"type": 1, "content": "https://a.example/x.bmp"}, "content", "format"),
    ({"type": 2, "content": "https://a.example/x.mov"}, "content", "format"),
    ({"type": 3, "content": "https://a.example/x.aac"}, "content", "format"),
    ({"type": 4, "content": "https://a.example/x.exe"}, "content", "format"),
    ({"type": 3, "content": "https://a.example/x.mp3", "language": "eng"}, "language", "ISO-639-1"),
    ({"type": 1, "content": "https://a.example/x.png", "webhookUrl": "not a url"}, "webhookUrl", "url"),
    ({"type": 1, "content": "https://a.example/x.png", "input": 7}, "input", "type"),
])
def test_field_rules_answer_1003_naming_the_field(akool_mock, body: dict, field: str, rule: str) -> None:
    answer = submit(akool_mock, body)
    assert answer["code"] == 1003 and field in answer["msg"], answer
    entry = akool_mock.requests[-1]
    assert not entry.valid and (entry.problems[0].field, entry.problems[0].rule) == (field, rule)


@pytest.mark.parametrize(("kind", "content"), [
    (1, "https://a.example/x.JPEG"), (1, "https://a.example/x.webp?size=2"), (2, "https://a.example/x.avi"),
    (3, "https://a.example/x.flac"), (3, "https://a.example/x.m4a"), (4, "https://a.example/x.md"),
    (4, "Plain text to moderate"), (4, "https://a.example/report.pdf"),
])
def test_documented_formats_are_accepted(akool_mock, kind: int, content: str) -> None:
    assert submit(akool_mock, {"type": kind, "content": content, "language": "en"})["code"] == 1000


@pytest.mark.parametrize(("path", "kind", "rule"), [
    ("/big.png", 1, "size 20 MB"),
    ("/moving.gif", 1, "non-animated GIF"),
    ("/bitmap.png", 1, "format"),
    ("/text.jpg", 1, "format"),
    ("/long.wav", 3, "duration 60 min"),
    ("/truncated.wav", 3, "format"),
    ("/big.mp3", 3, "size 25 MB"),
    ("/long.mp3", 3, "duration 60 min"),
    ("/long.flac", 3, "duration 60 min"),
    ("/long.m4a", 3, "duration 60 min"),
    ("/long.ogg", 3, "duration 60 min"),
    ("/long.webm", 3, "duration 60 min"),
    ("/broken.mp3", 3, "format"),
    ("/4k.mp4", 2, "resolution 1080p"),
    ("/4k.avi", 2, "resolution 1080p"),
    ("/broken.mp4", 2, "format"),
])
def test_limits_judged_by_the_bytes(akool_mock, media: MediaServer, path: str, kind: int, rule: str) -> None:
    answer = submit(akool_mock, {"type": kind, "content": media.url(path)})
    assert answer["code"] == 1003, answer
    assert akool_mock.requests[-1].problems[0].rule == rule


@pytest.mark.parametrize(("path", "kind"), [
    ("/ok.png", 1), ("/still.gif", 1), ("/short.wav", 3), ("/doc.txt", 4), ("/short.mp3", 3), ("/short.flac", 3),
    ("/short.m4a", 3), ("/short.ogg", 3), ("/short.webm", 3), ("/hd.mp4", 2), ("/portrait.mp4", 2), ("/hd.avi", 2),
])
def test_media_within_the_limits_are_accepted(akool_mock, media: MediaServer, path: str, kind: int) -> None:
    assert submit(akool_mock, {"type": kind, "content": media.url(path)})["code"] == 1000
    assert any(n.startswith("downloaded") for n in akool_mock.requests[-1].notes)


def test_a_download_that_fails_fails_the_job(akool_mock, media: MediaServer) -> None:
    headers = bearer(akool_mock)
    job = submit(akool_mock, {"type": 1, "content": media.url("/gone.png")}, headers)["data"]["_id"]
    akool_mock.run_until_idle()
    final = info(akool_mock, job, headers)["data"]
    assert final["status"] == 4 and "HTTP 404" in final["result"]


def test_hosts_outside_the_allow_list_are_judged_by_their_url(akool_mock) -> None:
    assert submit(akool_mock, {"type": 1, "content": "https://cdn.example.com/x.png"})["code"] == 1000
    assert any("not downloaded" in n for n in akool_mock.requests[-1].notes)


def test_inferred_limits_warn_and_refuse_only_when_strict(akool_mock) -> None:
    import modmock

    body = {"type": 4, "content": "words " * 20_000, "extra": 1}
    assert submit(akool_mock, body)["code"] == 1000
    assert {w.field for w in akool_mock.requests[-1].warnings} == {"content", "extra"}
    with modmock.serve("akool", strict=True) as strict:
        assert submit(strict, body)["code"] == 1003


def test_malformed_json_wrong_type_and_huge_bodies_get_1003(akool_mock) -> None:
    import requests

    headers = bearer(akool_mock)
    url = akool_mock.url + "/api/open/v3/content/analysis/sentiment"
    for data in (b"{not json", b"\xff\xfe", b"[1, 2]", b"x" * (2 * MB)):
        answer = requests.post(url, data=data, headers=dict(headers, **{"Content-Type": "application/json"}),
                               timeout=10).json()
        assert answer["code"] == 1003, (data[:10], answer)
    assert all(not e.valid and e.problems for e in akool_mock.requests[1:])


def test_the_video_size_limit_is_read_from_the_bytes(akool_mock, media: MediaServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The 1024 MB limit itself is a profile number; a smaller one proves the same path."""
    from modmock.mockserver.vendors.akool import profile

    monkeypatch.setitem(profile.SIZE_LIMITS, profile.TYPE_VIDEO, 1 * MB)
    media.files["/clip.mp4"] = b"\0\0\0\x18ftypmp42" + b"\0" * (2 * MB)
    answer = submit(akool_mock, {"type": 2, "content": media.url("/clip.mp4")})
    assert answer["code"] == 1003 and akool_mock.requests[-1].problems[0].rule == "size 1 MB"


@pytest.mark.parametrize("content", ["https://cdn.example.com/image?id=5", "https://cdn.example.com/photo",
                                     "https://cdn.example.com/"])
def test_a_url_without_extension_is_served_with_a_warning(akool_mock, content: str) -> None:
    import modmock

    assert submit(akool_mock, {"type": 1, "content": content})["code"] == 1000
    (warning,) = akool_mock.requests[-1].warnings
    assert (warning.field, warning.rule, warning.inferred) == ("content", "file extension", True)
    with modmock.serve("akool", strict=True) as strict:
        assert submit(strict, {"type": 1, "content": content})["code"] == 1003


def test_a_url_without_extension_is_judged_by_its_bytes(akool_mock) -> None:
    good = MediaServer({"/photo": image_bytes(64, 64, "PNG"), "/bitmap": image_bytes(64, 64, "BMP")})
    try:
        assert submit(akool_mock, {"type": 1, "content": good.url("/photo")})["code"] == 1000
        assert any(n.startswith("downloaded") for n in akool_mock.requests[-1].notes)
        answer = submit(akool_mock, {"type": 1, "content": good.url("/bitmap")})
        assert answer["code"] == 1003 and akool_mock.requests[-1].problems[0].rule == "format"
    finally:
        good.close()


@pytest.mark.parametrize("path", ["/silent.mp4", "/silent.avi"])
def test_a_video_without_a_sound_track_is_1203(akool_mock, media: MediaServer, path: str) -> None:
    answer = submit(akool_mock, {"type": 2, "content": media.url(path)})
    assert (answer["code"], answer["msg"]) == (1203, "video should be with audio")
    entry = akool_mock.requests[-1]
    assert not entry.valid and (entry.problems[0].field, entry.problems[0].rule) == ("content", "video with audio")
    assert submit(akool_mock, {"type": 2, "content": media.url("/hd.mp4")})["code"] == 1000


def test_a_video_wider_than_1920_is_an_inferred_limit(akool_mock, media: MediaServer) -> None:
    assert submit(akool_mock, {"type": 2, "content": media.url("/ultrawide.mp4")})["code"] == 1000
    (warning,) = akool_mock.requests[-1].warnings
    assert (warning.rule, warning.sent, warning.inferred) == ("resolution 1080p", "2560x1080", True)
    with modmock.serve("akool", strict=True) as strict:
        assert submit(strict, {"type": 2, "content": media.url("/ultrawide.mp4")})["code"] == 1003
