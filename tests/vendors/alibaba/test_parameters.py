"""ImageBatchModeration parameters: sources (query, form, JSON), limits, regions, OSS objects."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

import modmock
from alibaba_helpers import call, moderation, parameters, post_v1, post_v3, sdk
from modmock.fixtures.media import image_bytes
from modmock.mockserver.core import schemas
from seed_alibaba import CLEAN, EXEMPT, REQUEST, RISKY


def _code(resp: Any) -> int:
    return resp.json()["Code"]


@pytest.mark.parametrize("example", [RISKY, CLEAN, EXEMPT], ids=["risky", "clean", "exempt"])
def test_seed_responses_validate(example: dict[str, Any]) -> None:
    assert schemas.problems("alibaba/response.json", example) == []


def test_the_seed_json_request_is_served_with_a_warning(alibaba_mock) -> None:
    import requests

    from alibaba_helpers import v3_request

    def send(example: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(example).encode()
        signed = v3_request(alibaba_mock.url, {}, body=body)
        headers = dict(signed["headers"], **{"Content-Type": "application/json"})
        return requests.post(signed["url"], headers=headers, data=body, timeout=10).json()

    body = json.dumps(REQUEST).encode()
    unread = post_v3(alibaba_mock, {}, body=body)  # no JSON Content-Type: the body is not parameters
    assert unread.json()["Code"] == 400
    masked = send(REQUEST)  # the seed masks its dataId as "img123****": '*' breaks the documented rule
    assert masked["Code"] == 401 and "dataId" in masked["Msg"]
    example = dict(REQUEST, ServiceParameters=dict(REQUEST["ServiceParameters"], dataId="img123"))
    answer = send(example)
    assert answer["Code"] == 200 and answer["Data"]["DataId"] == "img123"
    warning = alibaba_mock.requests[-1].warnings[0]
    assert (warning.field, warning.inferred) == ("ServiceParameters", True)
    assert send({"Service": "baselineCheck", "ServiceParameters": {}})["Code"] == 400  # the same checks apply


def test_json_body_with_a_json_string(alibaba_mock) -> None:
    import requests

    from alibaba_helpers import v3_request
    body = json.dumps(parameters(dataId="j1")).encode()
    signed = v3_request(alibaba_mock.url, {}, body=body)
    resp = requests.post(signed["url"], headers=dict(signed["headers"], **{"Content-Type": "application/json"}),
                         data=body, timeout=10)
    assert resp.json()["Data"]["DataId"] == "j1" and alibaba_mock.requests[-1].warnings == []


@pytest.mark.parametrize(("query", "code"), [
    ({"ServiceParameters": json.dumps({"imageUrl": "https://x.example/a.jpg"})}, 400),
    ({"Service": "", "ServiceParameters": json.dumps({"imageUrl": "https://x.example/a.jpg"})}, 400),
    ({"Service": "baselineCheck"}, 400),
    ({"Service": "baselineCheck", "ServiceParameters": "{not json"}, 401),
    ({"Service": "baselineCheck", "ServiceParameters": "[1, 2]"}, 401),
    ({"Service": "baselineCheck,", "ServiceParameters": json.dumps({"imageUrl": "https://x.example/a.jpg"})}, 400),
    ({"Service": "baselineCheck", "ServiceParameters": json.dumps({})}, 400),
    ({"Service": "baselineCheck", "ServiceParameters": json.dumps({"ossBucketName": "b", "ossObjectName": "o"})}, 400),
])
def test_empty_and_invalid_parameters(alibaba_mock, query: dict[str, str], code: int) -> None:
    answer = post_v1(alibaba_mock, query).json()
    assert answer["Code"] == code and "Data" not in answer
    assert not alibaba_mock.requests[-1].valid


@pytest.mark.parametrize(("field", "value", "code"), [
    ("imageUrl", "https://cdn.example.com/" + "a" * (2048 - 24), 200),
    ("imageUrl", "https://cdn.example.com/" + "a" * (2049 - 24), 402),
    ("imageUrl", "https://cdn.example.com/图片.jpg", 401),
    ("imageUrl", "ftp://cdn.example.com/a.jpg", 401),
    ("dataId", "a" * 64, 200), ("dataId", "a" * 65, 402), ("dataId", "img_1-2.3", 200), ("dataId", "img 1", 401),
    ("dataId", "图片", 401),
    ("referer", "r" * 256, 200), ("referer", "r" * 257, 402),
    ("infoType", "customImage,textInImage,publicFigure,logoData", 200),
])
def test_service_parameter_limits(alibaba_mock, field: str, value: str, code: int) -> None:
    answer = post_v1(alibaba_mock, parameters(**{field: value})).json()
    assert answer["Code"] == code, answer
    if code != 200:
        assert field in answer["Msg"]


def test_info_type_is_optional_and_its_values_are_inferred(alibaba_mock) -> None:
    assert post_v1(alibaba_mock, parameters()).json()["Code"] == 200  # the seed's sample omits it
    assert post_v1(alibaba_mock, parameters(infoType="faces")).json()["Code"] == 200
    assert alibaba_mock.requests[-1].warnings[0].field == "ServiceParameters.infoType"
    with modmock.serve("alibaba", strict=True) as strict:
        assert post_v1(strict, parameters(infoType="faces")).json()["Code"] == 401


def test_services_must_be_offered_in_the_configured_region() -> None:
    with modmock.serve("alibaba", config={"alibaba": {"region": "cn-hangzhou"}}) as mock:
        assert post_v1(mock, parameters("baselineCheck_pro,aigcViolationDetection")).json()["Code"] == 200
        answer = post_v1(mock, parameters("adCheckByVL")).json()
        assert answer["Code"] == 401 and "cn-hangzhou" in answer["Msg"]


def test_the_longest_legal_url_fits_in_the_query(alibaba_mock) -> None:
    """Non-Chinese, non-ASCII characters are legal; the SDK's JSON escapes each emoji as a
    surrogate pair (12 characters), which the query then percent-encodes: far past 8 KB."""
    url = "https://cdn.example.com/" + "\U0001F600" * (2048 - 24)
    assert len(url) == 2048
    request = moderation(imageUrl=url, referer="é" * 256, dataId="d" * 64)
    for v1 in (False, True):
        assert call(sdk(alibaba_mock, v1=v1), request).body.code == 200
    assert len(alibaba_mock.requests[-1].path) > 28_000


# -- OSS objects, and the image limits where the mock knows the bytes ---------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height``: enough for the size to be read."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0"))
            + _chunk(b"IEND", b""))


@pytest.fixture
def oss_mock(tmp_path: Path):
    files = {
        "ok.png": image_bytes(64, 64), "huge.png": image_bytes(8, 8) + b"\0" * (20 * 1024 * 1024 + 1),
        "text.txt": b"just text", "wide.png": _png_header(16_385, 10), "many.png": _png_header(13_000, 13_000),
        "edge.png": _png_header(16_384, 10_000), "porn.png": image_bytes(32, 32),
    }
    mapping = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        mapping[f"bucket_01/{name}"] = str(tmp_path / name)
    mapping["bucket_01/missing.png"] = str(tmp_path / "no-such-file.png")
    with modmock.serve("alibaba", config={"alibaba": {"oss_files": mapping}}) as mock:
        yield mock


@pytest.mark.parametrize(("name", "code"), [
    ("ok.png", 200), ("huge.png", 406), ("text.txt", 407), ("wide.png", 406), ("many.png", 406),
    ("edge.png", 200), ("missing.png", 404), ("unmapped/porn.jpg", 200),
])
def test_oss_objects_mapped_to_local_files(oss_mock, name: str, code: int) -> None:
    oss = {"imageUrl": None, "ossBucketName": "bucket_01", "ossObjectName": name, "ossRegionId": "cn-shanghai"}
    answer = call(sdk(oss_mock), moderation(**oss)).body
    assert answer.code == code
    if name == "unmapped/porn.jpg":  # not mapped: the default rule reads the object name
        assert answer.data.results[0].result[0].label == "pornographic_adultContent"


def test_content_sha256_rules_match_mapped_oss_bytes(oss_mock, tmp_path: Path) -> None:
    import hashlib
    digest = hashlib.sha256((tmp_path / "ok.png").read_bytes()).hexdigest()
    oss_mock.add_rule(match={"content_sha256": digest}, verdict={"risk": "reject", "labels": [{"category": "porn"}]})
    oss = {"imageUrl": None, "ossBucketName": "bucket_01", "ossObjectName": "ok.png", "ossRegionId": "cn-shanghai"}
    assert call(sdk(oss_mock), moderation(**oss)).body.data.risk_level == "high"


@pytest.mark.parametrize("form", [False, True])
def test_a_repeated_parameter_counts_with_its_first_value(alibaba_mock, form: bool) -> None:
    from urllib.parse import quote, urlencode

    import requests

    from alibaba_helpers import v1_params

    signed = urlencode(v1_params(parameters()), quote_via=quote) + "&Service=imageQueryCheck&Version=2099-01-01"
    if form:
        resp = requests.post(alibaba_mock.url + "/", data=signed,
                             headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    else:
        resp = requests.post(alibaba_mock.url + "/?" + signed, timeout=10)
    assert resp.status_code == 200 and _code(resp) == 200, resp.text
    assert [r["Service"] for r in resp.json()["Data"]["Results"]] == ["baselineCheck"]


@pytest.fixture(scope="module")
def image_server():
    """The OSS test's images over HTTP on loopback (an allow-listed host), plus a slow one."""
    import asyncio

    from aiohttp import web

    from modmock.mockserver.runner import ServerThread

    files = {"/ok.png": image_bytes(64, 64), "/huge.png": image_bytes(8, 8) + b"\0" * (20 * 1024 * 1024 + 1),
             "/text.png": b"just text", "/wide.png": _png_header(16_385, 10), "/porn.png": image_bytes(32, 32)}

    async def serve(request: web.Request) -> web.StreamResponse:
        if request.path == "/slow.png":
            await asyncio.sleep(5)  # past the documented 3 s
        data = files.get(request.path)
        return web.Response(body=data) if data is not None else web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{name:.*}", serve)
    server = ServerThread(app).start()
    yield server.url
    server.stop()


@pytest.mark.parametrize(("path", "code"), [
    ("/ok.png", 200), ("/huge.png", 406), ("/text.png", 407), ("/wide.png", 406), ("/missing.png", 404),
    ("/slow.png", 405),
])
def test_an_image_url_on_an_allow_listed_host_is_downloaded_and_judged(alibaba_mock, image_server: str, path: str,
                                                                        code: int, monkeypatch) -> None:
    from modmock.mockserver.vendors.alibaba import profile

    assert profile.DOWNLOAD_TIMEOUT_SECONDS == 3
    monkeypatch.setattr(profile, "DOWNLOAD_TIMEOUT_SECONDS", 0.5)  # the rule, in half a second
    answer = call(sdk(alibaba_mock), moderation(imageUrl=image_server + path)).body
    assert answer.code == code
    notes = alibaba_mock.requests[-1].notes
    assert any(note.startswith("downloaded ") for note in notes) == (code in (200, 406, 407) and path != "/huge.png")
