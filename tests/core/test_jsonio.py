"""JSON on the hot path: orjson's reading and writing agree with the standard library's on every
value, and whatever orjson refuses or could read differently goes the standard library's way."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modmock.mockserver.core.body import BodyProblem, parse_json
from modmock.mockserver.core.context import seeded_hex, seeded_uuid
from modmock.mockserver.core.jsonio import encode_json

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_reading_and_writing_agree_with_the_standard_library(value: object) -> None:
    raw = json.dumps(value).encode()  # ASCII with \\u escapes: lone surrogates and huge integers too
    parsed = parse_json(b"[" + raw + b"]")[0]
    assert parsed == value and type(parsed) is type(value)
    assert json.loads(encode_json(value)) == value


@pytest.mark.parametrize(("raw", "expected"), [
    (b"12345678901234567890123", 12345678901234567890123),  # exact, not a float
    (b'["\\ud800"]', ["\ud800"]),  # orjson refuses a lone surrogate; the standard library reads it
    (b'{"a":1,"a":2}', {"a": 2}),
])
def test_what_orjson_reads_otherwise_is_read_the_standard_way(raw: bytes, expected: object) -> None:
    value = parse_json(raw)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("raw", "rule"), [
    (b"NaN", "json"), (b"1e999", "json"), (b"\xef\xbb\xbf{}", "json"), (b'{"a": \xff}', "utf-8"), (b"   ", "json"),
])
def test_refusals_name_the_failure(raw: bytes, rule: str) -> None:
    with pytest.raises(BodyProblem) as refused:
        parse_json(raw)
    assert refused.value.rule == rule


def test_writing_what_orjson_cannot() -> None:
    assert json.loads(encode_json({"big": 2 ** 70, "s": "\ud800", 1: "x"})) == {"big": 2 ** 70, "s": "\ud800", "1": "x"}


def test_request_ids_are_the_seeded_uuids() -> None:
    for seed in range(200):
        assert seeded_hex(random.Random(seed)) == seeded_uuid(random.Random(seed)).hex


def test_the_cli_tunes_the_collector_of_its_own_process_only() -> None:
    code = ("import gc; from modmock.mockserver.runner import GC_THRESHOLDS, tune_gc; before = gc.get_threshold(); "
            "tune_gc(); print(before != GC_THRESHOLDS and gc.get_threshold() == GC_THRESHOLDS)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "True"


def test_nan_and_infinities_are_refused_where_a_test_hands_them_in(deepcleer_mock) -> None:  # type: ignore[no-untyped-def]
    from modmock.errors import InvalidSpecError
    with pytest.raises(InvalidSpecError, match=r"verdict.labels\[0\].confidence is NaN"):
        deepcleer_mock.add_rule(verdict={"risk": "reject", "labels": [{"category": "porn", "confidence": float("nan")}]})
    with pytest.raises(InvalidSpecError, match="is NaN or infinite"):
        deepcleer_mock.add_latency(float("nan"))
    with pytest.raises(ValueError, match="x is NaN or infinite"):
        deepcleer_mock.respond_with({"code": 1100, "x": float("-inf")})


def test_request_id_texts_are_the_seeded_uuids() -> None:
    from modmock.mockserver.core.context import make_context
    a, b = make_context("v", "e", seed=3), make_context("v", "e", seed=3)
    for _ in range(100):
        assert a.uuid_text() == str(b.uuid())
