"""Alibaba's hooks and backend without a socket: decoding, shaping, checks and the answer."""

from __future__ import annotations

import json

import pytest

from modmock.mockserver.core.context import Incoming, make_context
from modmock.mockserver.core.declaration import Item
from modmock.mockserver.core.verdict import Label, Subject, Verdict
from modmock.mockserver.vendors.alibaba import checks, errors
from modmock.mockserver.vendors.alibaba.auth import DEFAULT
from modmock.mockserver.vendors.alibaba.backend import Caller, ImageBatchModeration

PARAMS = {"Service": "baselineCheck", "ServiceParameters": json.dumps({"imageUrl": "https://cdn.example.com/a.jpg"})}


async def test_the_answer_renders_the_verdict_per_service() -> None:
    backend = ImageBatchModeration({})
    ctx = make_context("alibaba", "image_batch_moderation", body=PARAMS)
    ctx.new_request_id("REQ-1")
    ctx.request = checks.prepare(PARAMS)
    ctx.items = [Item(Subject(url="https://cdn.example.com/a.jpg"), verdict=Verdict("reject", (Label("porn", 0.9),)))]
    answer = await backend.moderate(ctx)
    assert (answer["Code"], answer["RequestId"], answer["Data"]["RiskLevel"]) == (200, "REQ-1", "high")


def test_a_body_problem_waits_for_the_shape_stage() -> None:
    backend = ImageBatchModeration({})
    incoming = Incoming("POST", "/", "/", "127.0.0.1", content_type="application/json")
    ctx = make_context("alibaba", "image_batch_moderation", incoming=incoming)
    ctx.raw = b"[1, 2]"
    ctx.body = backend.decode(ctx)  # no error yet: the caller is not known
    assert ctx.body.problem is not None
    ctx.principal = Caller(DEFAULT, "v3", "cn-shanghai")
    with pytest.raises(errors.InvalidParameters):
        backend.shape(ctx)


def test_checks_rank_400_before_401() -> None:
    backend = ImageBatchModeration({})
    found = backend.field_checks({"Service": "nope", "ServiceParameters": "{"}, Caller(DEFAULT, "v3", "cn-shanghai"))
    assert [checks.rank(p) for p in sorted(found, key=checks.rank)] == sorted(checks.rank(p) for p in found)
    assert all(checks.rank(p) in (400, 401, 402, 408) for p in found) and found
