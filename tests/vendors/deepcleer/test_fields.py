"""Every documented request field and limit of POST /image/v4, over HTTP.

String length limits are read from the packaged schema, so a limit added there is tested here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import modmock
from helpers import image_request
from modmock.fixtures.media import image_base64
from modmock.mockserver.core import schemas
from modmock.mockserver.vendors.deepcleer import profile

OPEN = {"deepcleer": {"credentials": [{"access_key": "k" * 20, "app_ids": ["*"], "event_ids": ["*"]}]}}
SPECIAL = {"accessKey", "type", "businessType", "callback", "appId", "eventId"}  # tested on their own


def _string_limits(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, int]]:
    for name, sub in node.get("properties", {}).items():
        parts = [sub, *sub.get("allOf", [])]
        for part in parts:
            if part.get("type") == "string" and "maxLength" in part:
                yield (f"{path}{name}", part["maxLength"])
        if sub.get("type") == "object":
            yield from _string_limits(sub, f"{path}{name}.")


LIMITS = [(f, n) for f, n in _string_limits(schemas.schema("deepcleer/request.json")) if f not in SPECIAL]


def _set(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    node = body
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return body


def test_the_schema_walk_finds_the_documented_limits() -> None:
    found = dict(LIMITS)
    assert found["data.tokenId"] == 64 and found["data.dataId"] == 128 and found["data.extra.room"] == 64
    assert found["data.backupUrl"] == 1024 and found["data.streamInfo.streamId"] == 64


def _text(field: str, length: int) -> str:
    """A value of exactly ``length`` characters; URL fields get a URL."""
    prefix = "https://cdn.example.com/" if field.endswith("Url") else ""
    return prefix + "a" * (length - len(prefix))


@pytest.mark.parametrize(("field", "limit"), LIMITS)
def test_string_length_limits(post, field: str, limit: int) -> None:
    assert post(_set(image_request(), field, _text(field, limit)))["code"] == 1100
    over = post(_set(image_request(), field, _text(field, limit + 1)))
    assert over["code"] == 1902 and field in over["message"]


@pytest.fixture(scope="module")
def open_mock() -> Iterator[modmock.MockServer]:
    """A mock whose credential accepts a 20-character key and any appId / eventId."""
    with modmock.serve("deepcleer", config=OPEN) as mock:
        yield mock


def _post(mock: modmock.MockServer, body: dict[str, Any]) -> dict[str, Any]:
    return requests.post(mock.url + "/image/v4", json=body, timeout=10).json()


@pytest.mark.parametrize("field", ["appId", "eventId"])
def test_app_and_event_id_limits(open_mock, field: str) -> None:
    base = {"accessKey": "k" * 20}
    assert _post(open_mock, image_request(**base, **{field: "a" * 64}))["code"] == 1100
    assert _post(open_mock, image_request(**base, **{field: "a" * 65}))["code"] == 1902


def test_access_key_limit(open_mock) -> None:
    assert _post(open_mock, image_request(accessKey="k" * 20))["code"] == 1100
    assert _post(open_mock, image_request(accessKey="k" * 21))["code"] == 9101  # cannot be a known key


def _joined(codes: list[str], length: int) -> str:
    """Codes joined by underscores to exactly ``length`` characters (repeats allowed)."""
    reach: dict[int, list[str]] = {-1: []}
    for _ in range(length):
        for size, seq in list(reach.items()):
            for code in codes:
                n = size + 1 + len(code)
                if n <= length and n not in reach:
                    reach[n] = seq + [code]
    return "_".join(reach[length])


def test_type_limit_64(post) -> None:
    codes = [c for c in profile.TYPES if c != "BOCR"]
    assert len(_joined(codes, 64)) == 64
    assert post(image_request(type=_joined(codes, 64)))["code"] == 1100
    over = post(image_request(type=_joined(codes, 65)))
    assert over["code"] == 1902 and "type" in over["message"]


def test_business_type_limit_128(post) -> None:
    codes = sorted(profile.BUSINESS_TYPES)
    assert post(image_request(businessType=_joined(codes, 128)))["code"] == 1100
    assert post(image_request(businessType=_joined(codes, 129)))["code"] == 1902


def test_callback_limit_1024(post, callback_sink) -> None:
    url = callback_sink.url + "/"
    assert post(image_request(callback=url + "a" * (1024 - len(url))))["code"] == 1100
    assert post(image_request(callback=url + "a" * (1025 - len(url))))["code"] == 1902


@pytest.mark.parametrize("callback", ["ftp://127.0.0.1/cb", "127.0.0.1/cb", "http://", "javascript:alert(1)"])
def test_callback_must_be_an_http_url(post, callback: str) -> None:
    result = post(image_request(callback=callback))
    assert result["code"] == 1902 and "callback" in result["message"]


@pytest.mark.parametrize("field", ["accessKey", "appId", "eventId", "data"])
def test_required_top_level_fields(post, field: str) -> None:
    result = post(image_request(**{field: None}))
    assert result["code"] == (9101 if field == "accessKey" else 1902)
    if field != "accessKey":
        assert field in result["message"]


@pytest.mark.parametrize("field", ["img", "tokenId"])
def test_required_data_fields(post, field: str) -> None:
    result = post(image_request({field: None}))
    assert result["code"] == 1902 and f"data.{field}" in result["message"]


def test_type_or_business_type_is_required(post) -> None:
    assert post(image_request(type=None))["code"] == 1902
    assert post(image_request(type=None, businessType="GENDER"))["code"] == 1100


@pytest.mark.parametrize(("field", "value"), [
    ("accessKey", 123), ("data", "img"), ("data.tokenId", 5), ("data.level", "1"), ("data.extra.isIgnoreTls", "yes"),
    ("data.extra.passThrough", "text"), ("data.streamInfo.similarDedup", 1), ("data.interval", 1.5),
])
def test_wrong_types(post, field: str, value: Any) -> None:
    result = post(_set(image_request(), field, value))
    assert result["code"] == (9101 if field == "accessKey" else 1902)


@pytest.mark.parametrize(("code", "expected"), [
    ("POLITY_EROTIC_VIOLENT_QRCODE_ADVERT_IMGTEXTRISK", 1100),
    ("FOO", 1902), ("POLITY_FOO", 1902), ("polity", 1902),  # unknown codes: documented list
    ("POLITY__EROTIC", 1100),  # a doubled underscore breaks only the inferred pattern
    ("", 1902), ("_", 1902), ("__", 1902),  # no code at all: "at least one of type or businessType"
])
def test_type_codes(post, code: str, expected: int) -> None:
    assert post(image_request(type=code))["code"] == expected


def test_empty_business_type_alone_is_refused(post) -> None:
    result = post(image_request(type=None, businessType=""))
    assert result["code"] == 1902 and "at least one" in result["message"]


def test_the_vendor_demo_type_codes_are_accepted_even_under_strict(deepcleer_mock, post) -> None:
    """ishumei/api-demo's Python image demo sent "POLITICS_PORN_AD_BAN" (pre-2022 codes)."""
    result = post(image_request({"img": "https://x.example/porn.jpg"}, type="POLITICS_PORN_AD_BAN"))
    assert (result["code"], result["riskLabel1"]) == (1100, "porn")  # PORN reads as EROTIC
    entry = deepcleer_mock.requests[-1]
    assert entry.valid and entry.warnings == []
    assert "older codes read as current ones: POLITICS, PORN, AD, BAN" in entry.notes
    with modmock.serve("deepcleer", strict=True) as strict:
        assert _post(strict, image_request(type="POLITICS_PORN_AD_BAN"))["code"] == 1100
        assert _post(strict, image_request(type=None, businessType="MINOR_FACE"))["code"] == 1100


def test_english_and_arabic_images_on_a_chinese_cluster_warn_and_strict_refuses(deepcleer_mock) -> None:
    assert _post(deepcleer_mock, image_request({"lang": "en"}))["code"] == 1100
    (warning,) = deepcleer_mock.requests[-1].warnings
    assert (warning.field, warning.rule, warning.inferred) == ("data.lang", "cluster languages", True)
    with modmock.serve("deepcleer", strict=True) as strict:
        assert _post(strict, image_request({"lang": "ar"}))["code"] == 1902
        assert _post(strict, image_request({"lang": "zh"}))["code"] == 1100
    with modmock.serve("deepcleer", strict=True, config={"deepcleer": {"cluster": "xjp"}}) as xjp:
        assert _post(xjp, image_request({"lang": "ar"}))["code"] == 1100


def test_bocr_only_on_singapore_and_silicon_valley(post) -> None:
    result = post(image_request(type="BOCR"))
    assert result["code"] == 1902 and "BOCR" in result["message"]
    for cluster in ("xjp", "gg"):
        with modmock.serve("deepcleer", config={"deepcleer": {"cluster": cluster}}) as mock:
            assert _post(mock, image_request({"lang": "auto"}, type="BOCR_IMGTEXTRISK"))["code"] == 1100


@pytest.mark.parametrize(("data", "code"), [
    ({"lang": "auto"}, 1902), ({"lang": "fr"}, 1902), ({"lang": "ar"}, 1100), ({"acceptLang": "ar"}, 1902),
    ({"maxFrame": 20}, 1100), ({"maxFrame": 21}, 1902), ({"level": 4}, 1100), ({"level": 5}, 1902),
    ({"interval": 2**31}, 1902), ({"interval": 2**31 - 1}, 1100),
    ({"receiveTokenId": "user_2-b"}, 1100), ({"receiveTokenId": "user 2"}, 1902),
    ({"gender": "robot"}, 1100),  # values are only recommended
    ({"extra": {"isTokenSeparate": 2}}, 1902),
    ({"streamInfo": {"riskNum": 5}}, 1100), ({"streamInfo": {"riskNum": 6}}, 1902),
    ({"streamInfo": {"similarDedup": True, "streamId": "s"}}, 1902),
    ({"streamInfo": {"similarDedup": True, "streamId": "s", "frameTime": 1_795_000_000_000, "timeWindow": 10}}, 1100),
    ({"streamInfo": {"frameTime": 99_999_999_999_999}}, 1902),
    ({"imgCompareBase": "https://x.example/" + "a" * 1100}, 1902),
])
def test_field_rules(post, data: dict[str, Any], code: int) -> None:
    result = post(image_request(data))
    assert result["code"] == code, result["message"]


def test_millisecond_frame_time_is_not_held_to_int32(post) -> None:
    assert post(image_request({"streamInfo": {"frameTime": 1_795_309_495_123}}))["code"] == 1100


def test_max_frame_zero_breaks_an_inferred_rule_only(deepcleer_mock, post) -> None:
    assert post(image_request({"maxFrame": 0}))["code"] == 1100
    assert deepcleer_mock.requests[-1].warnings[0].field == "data.maxFrame"


def test_nickname_over_150_is_truncated_not_rejected(deepcleer_mock, post) -> None:
    assert post(image_request({"nickname": "n" * 400}))["code"] == 1100
    assert "truncated from 400 to 150" in deepcleer_mock.requests[-1].notes[0]


def test_pass_through_limit_is_1024_characters_of_json(post) -> None:
    fits = {"k": "v" * (1024 - len('{"k":""}'))}
    assert post(image_request({"extra": {"passThrough": fits}}))["code"] == 1100
    fits["k"] += "v"
    result = post(image_request({"extra": {"passThrough": fits}}))
    assert result["code"] == 1902 and "passThrough" in result["message"]


def test_img_url_limit_1024(post) -> None:
    base = "https://cdn.example.com/"
    assert post(image_request({"img": base + "a" * (1024 - len(base))}))["code"] == 1100
    result = post(image_request({"img": base + "a" * (1025 - len(base))}))
    assert result["code"] == 1902 and "data.img" in result["message"]


# -- base64 images: the limits apply to the decoded bytes ------------------------------------
def test_base64_image_is_inspected(post) -> None:
    assert post(image_request({"img": image_base64(64, 64)}))["code"] == 1100
    assert post(image_request({"img": "data:image/png;base64," + image_base64(64, 64, "JPEG")}))["code"] == 1100


@pytest.mark.parametrize(("size", "code"), [
    ((20, 20), 1100), ((6000, 20), 1100), ((19, 64), 1902), ((64, 6001), 1902),
])
def test_base64_resolution_20_to_6000(post, size: tuple[int, int], code: int) -> None:
    result = post(image_request({"img": image_base64(*size)}))
    assert result["code"] == code
    if code == 1902:
        assert "resolution" in result["message"]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"])
def test_documented_formats_are_accepted(post, fmt: str) -> None:
    assert post(image_request({"img": image_base64(32, 32, fmt)}))["code"] == 1100


def test_svg_is_accepted_without_a_resolution_check(post) -> None:
    import base64
    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="5" height="5"/>').decode()
    assert post(image_request({"img": svg}))["code"] == 1100


@pytest.mark.parametrize(("img", "words"), [
    ("not base64 at all!", "base64"),
    ("aGVsbG8gd29ybGQ=", "format"),  # "hello world"
    (image_base64(32, 32, "PPM"), "format ppm"),  # a real image in a format Deepcleer does not take
])
def test_unusable_base64(post, img: str, words: str) -> None:
    result = post(image_request({"img": img}))
    assert result["code"] == 1902 and words in result["message"]


def test_sync_base64_over_10_mb_is_refused(post) -> None:
    import base64

    from modmock.fixtures.media import image_bytes
    big = image_bytes(32, 32) + b"\0" * (10 * 1024 * 1024)
    result = post(image_request({"img": base64.b64encode(big).decode()}))
    assert result["code"] == 1902 and "10 MB" in result["message"]


def test_unknown_fields_are_served_with_a_warning_naming_the_nearest(deepcleer_mock, post) -> None:
    result = post(image_request({"tokenID": "x"}, callbackUrl="http://127.0.0.1:9/cb"))
    assert set(result) > {"riskLevel"}  # served synchronously: the typo dropped the callback
    warnings = {w.field: w.expected for w in deepcleer_mock.requests[-1].warnings}
    assert "did you mean callback?" in warnings["callbackUrl"]
    assert "did you mean data.tokenId?" in warnings["data.tokenID"]
    with modmock.serve("deepcleer", strict=True) as strict:
        assert _post(strict, image_request(callbackUrl="http://127.0.0.1:9/cb"))["code"] == 1902


FACE = {"type": None, "businessType": "FACECOMPARE"}


@pytest.mark.parametrize(("base", "code", "rule"), [
    (image_base64(300, 300, "PNG"), 1100, None),
    (image_base64(300, 300, "GIF", frames=3), 1902, "not animated"),
    (image_base64(300, 300, "BMP"), 1902, "format"),
    (image_base64(2000, 300, "PNG"), 1100, "not a long image"),  # inferred ratio: a warning unless strict
    ("bm90IGFuIGltYWdl", 1902, "image"),
])
def test_img_compare_base_formats_animation_and_long_images(deepcleer_mock, base: str, code: int,
                                                            rule: str | None) -> None:
    assert _post(deepcleer_mock, image_request({"imgCompareBase": base}, **FACE))["code"] == code
    entry = deepcleer_mock.requests[-1]
    found = [p.rule for p in (*entry.problems, *entry.warnings)]
    assert found == ([rule] if rule else [])


def test_img_compare_base_without_facecompare_warns_and_strict_refuses(deepcleer_mock) -> None:
    base = image_base64(300, 300, "PNG")
    assert _post(deepcleer_mock, image_request({"imgCompareBase": base}))["code"] == 1100
    assert deepcleer_mock.requests[-1].warnings[0].rule == "only with FACECOMPARE"
    with modmock.serve("deepcleer", strict=True) as strict:
        assert _post(strict, image_request({"imgCompareBase": base}))["code"] == 1902
        assert _post(strict, image_request({"imgCompareBase": image_base64(2000, 300, "PNG")}, **FACE))["code"] == 1902


def test_a_shared_img_compare_base_in_a_batch_is_not_an_images_own(deepcleer_mock) -> None:
    body = image_request(type=None, businessType="FACECOMPARE")
    body["data"] = {"tokenId": "u", "imgCompareBase": image_base64(300, 300, "BMP"),
                    "imgs": [{"btId": "a", "img": "https://cdn.example.com/a.jpg"}]}
    answer = requests.post(deepcleer_mock.url + "/images/v4", json=body, timeout=30).json()
    assert answer["code"] == 1100, answer  # only the warning that data.imgCompareBase is not a batch field
    assert not [p for p in deepcleer_mock.requests[-1].problems if "imgCompareBase" in p.field]


def test_a_doubled_content_type_must_still_name_a_media_type() -> None:
    import json
    with modmock.serve("deepcleer", strict=True) as strict:
        answer = requests.post(strict.url + "/image/v4", data=json.dumps(image_request()), timeout=30,
                               headers={"Content-Type": "Content-Type: +json"}).json()
        assert answer["code"] == 1902
