"""Deepcleer's hooks and backends without a socket: a Context built by hand, a manual mock clock."""

from __future__ import annotations

import pytest

from modmock.errors import SettingsError
from modmock.mockserver.core.context import make_context
from modmock.mockserver.core.declaration import Item
from modmock.mockserver.core.verdict import Label, Subject, Verdict
from modmock.mockserver.vendors.deepcleer import batch, checks, errors, jobs
from modmock.mockserver.vendors.deepcleer.auth import DEFAULT
from modmock.mockserver.vendors.deepcleer.backend import ImageModeration, Media

BODY = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "EROTIC",
        "data": {"img": "https://cdn.example.com/a.jpg", "tokenId": "u"}}
PORN = Verdict("reject", (Label("porn", 0.97),))


def _ctx(body: dict, verdict: Verdict = PORN, endpoint: str = "image_v4"):  # type: ignore[no-untyped-def]
    ctx = make_context("deepcleer", endpoint, body=body, principal=DEFAULT)
    ctx.request = checks.prepare(body, ctx.notes)
    ctx.items = [Item(Subject(url=body["data"].get("img")), Media(), verdict=verdict)]
    return ctx


async def test_a_sync_result_renders_the_verdict() -> None:
    answer = await ImageModeration({}).image_v4(_ctx(BODY))
    assert (answer["code"], answer["riskLevel"], answer["riskLabel1"]) == (1100, "REJECT", "porn")


async def test_an_async_request_is_acknowledged_then_delivered_on_the_mock_clock() -> None:
    backend = ImageModeration({"processing_seconds": 2})
    ctx = _ctx({**BODY, "callback": "https://hooks.example.com/result"})
    ack = await backend.image_v4(ctx)
    assert set(ack) == {"code", "message", "requestId"}
    (task,) = ctx.services.tasks.list()
    assert task.status == "processing"
    await ctx.services.scheduler.advance(2)
    await ctx.services.scheduler.run_until_idle()
    assert task.status == "done"
    (delivery,) = ctx.services.callbacks.deliveries()
    assert delivery.state == "blocked" and delivery.body["riskLabel1"] == "porn"  # not an allow-listed host


async def test_the_query_reads_what_an_async_batch_kept() -> None:
    backend = ImageModeration({})
    body = {**BODY, "data": {"tokenId": "u", "imgs": [{"btId": "a", "img": "https://x/a.jpg"}]}}
    ctx = make_context("deepcleer", "async_imgs", body=body, principal=DEFAULT)
    ctx.request = batch.images(body, checks.prepare(body, ctx.notes))
    ctx.items = [Item(Subject(url="https://x/a.jpg"), Media(), verdict=PORN)]
    ack = await jobs.async_imgs(backend, ctx)
    rid = ack["requestIds"][0]["requestId"]
    ctx.body = {"accessKey": "xxxx", "requestIds": [{"requestId": rid, "btId": "a"}]}
    assert (await jobs.image_query(backend, ctx))["contents"][0]["code"] == 1102
    await ctx.services.scheduler.advance(1)
    (content,) = (await jobs.image_query(backend, ctx))["contents"]
    assert content["code"] == 1100 and content["Result"]["riskLabel1"] == "porn"


def test_the_hooks_authenticate_and_check_without_a_server() -> None:
    backend = ImageModeration({})
    with pytest.raises(errors.Unauthorized):
        backend.authenticate(make_context("deepcleer", "image_v4", body={"accessKey": "nope"}))
    problems = backend.field_checks({**BODY, "type": "EROTICA"}, DEFAULT)
    assert [(p.field, p.rule, p.suggestion) for p in problems] == [("type", "unknown risk type", "EROTIC")]
    with pytest.raises(SettingsError):
        ImageModeration({"callback_url": "ftp://nope"})
