"""Jocloud's hooks and backend without a socket: the envelope, per-item outcomes, limits declared."""

from __future__ import annotations

from modmock.mockserver.core.context import Incoming, make_context
from modmock.mockserver.core.declaration import Item
from modmock.mockserver.core.verdict import Label, Subject, Verdict
from modmock.mockserver.vendors.jocloud import checks, errors, profile
from modmock.mockserver.vendors.jocloud.auth import DEFAULT
from modmock.mockserver.vendors.jocloud.backend import Caller, Moderation

BODY = {"data": [{"dataId": "a", "url": "https://cdn.example.com/a.jpg"},
                 {"dataId": "b", "url": "https://cdn.example.com/b.jpg"}]}


async def test_each_item_answers_its_own_outcome() -> None:
    backend = Moderation(profile.JOCLOUD, {})
    sub = checks.parse(profile.IMAGE_SYNC, BODY)
    ctx = make_context("jocloud", profile.IMAGE_SYNC, body=BODY, request=sub,
                       principal=Caller(DEFAULT, DEFAULT.appid, "trace-1"))
    ctx.items = [Item(Subject(data_id="a"), sub.items[0], verdict=Verdict("reject", (Label("porn", 0.97),))),
                 Item(Subject(data_id="b"), sub.items[1], outcome=errors.ItemFailure(401, "not downloadable"))]
    answer = await backend.moderate(ctx)
    assert answer.status == 200 and answer.body["traceId"] == "trace-1"
    first, second = answer.body["data"]
    assert first["code"] == 200 and first["results"][0]["suggestion"] == "block"
    assert second["code"] == 401 and second["results"] == []


def test_the_limits_are_declared_per_appid_and_api() -> None:
    backend = Moderation(profile.JOCLOUD, {"concurrency": 3, "qps": 7})
    ctx = make_context("jocloud", profile.TEXT_SYNC, principal=Caller(DEFAULT, "123456", ""),
                       incoming=Incoming("POST", "/", "/", "127.0.0.1"))
    busy, rate = backend.limits(ctx)
    assert (busy.key, busy.concurrency, rate.qps) == (("jocloud", "123456", profile.TEXT_SYNC), 3, 7)
    error = rate.refuse("")
    assert error.code == 429 and ctx.notes.entry.notes == ["429: more than 7 requests to text_sync in one second (QPS)"]
