"""What the mock reads of a receiver's answer: a bounded part, in its declared charset; a vendor
that judges the answer (Deepcleer's review callback) reads up to 64 KiB and says when it stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import requests
from aiohttp import web

import modmock
from modmock.mockserver.runner import ServerThread

BASE = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY_EROTIC_VIOLENT"}


class Receiver:
    """A loopback receiver whose answer a test chooses: bytes and content type, or an endless stream."""

    def __init__(self) -> None:
        self.body, self.content_type, self.endless = b"ok", "text/plain", False
        app = web.Application()
        app.router.add_post("/hook", self.answer)
        self.server = ServerThread(app).start()
        self.url = self.server.url + "/hook"

    async def answer(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        if not self.endless:
            return web.Response(body=self.body, headers={"Content-Type": self.content_type})
        stream = web.StreamResponse(headers={"Content-Type": "application/json"})
        await stream.prepare(request)
        try:
            for _ in range(20_000):  # 1.3 GB if nobody stops reading
                await stream.write(b"[" * 65536)
                await asyncio.sleep(0)
        except (ConnectionError, RuntimeError):
            pass  # the mock stopped reading: what it should do
        return stream


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.stop()


def _review(receiver: Receiver) -> modmock.MockServer:
    mock = modmock.serve("deepcleer", clock="manual", config={"deepcleer": {"review_callback_url": receiver.url}})
    mock.add_rule(match={"url_regex": "porn"}, review={"after": 1})
    return mock


def _send(mock: modmock.MockServer, **extra: object) -> None:
    body = {**BASE, **extra, "data": {"tokenId": "u", "img": "https://cdn.example.com/porn/1.jpg"}}
    assert requests.post(mock.url + "/image/v4", json=body, timeout=10).json()["code"] == 1100


def test_an_endless_answer_is_read_only_in_part(receiver: Receiver) -> None:
    receiver.endless = True
    with modmock.serve("deepcleer", clock="manual") as mock:
        _send(mock, callback=receiver.url)
        mock.advance(1)
        (delivery,) = mock.wait_for_callbacks(1, timeout=10)
        assert delivery.state == "delivered" and len(delivery.attempts[0].response or "") == 1024


def test_an_answer_the_vendor_judges_is_read_in_its_charset(receiver: Receiver) -> None:
    receiver.body, receiver.content_type = '{"code": 1100}'.encode("utf-16"), "application/json; charset=utf-16"
    with _review(receiver) as mock:
        _send(mock)
        mock.run_until_idle()
        assert mock.wait_for_callbacks(1)[0].state == "delivered"


def test_a_bom_or_another_declared_charset_is_read_too(receiver: Receiver) -> None:
    receiver.body, receiver.content_type = '{"code": 1100, "message": "成功"}'.encode("gbk"), \
        "application/json; charset=gbk"
    with _review(receiver) as mock:
        _send(mock)
        mock.run_until_idle()
        (delivery,) = mock.wait_for_callbacks(1)
        assert delivery.state == "delivered" and "成功" in (delivery.attempts[0].response or "")
        receiver.body, receiver.content_type = b'\xef\xbb\xbf{"code": 1100}', "application/json"
        _send(mock)
        mock.run_until_idle()
        assert mock.wait_for_callbacks(2)[1].state == "delivered"


def test_a_judged_answer_over_64_kib_is_not_taken_for_success_and_says_why(receiver: Receiver) -> None:
    receiver.body, receiver.content_type = b'{"code": 1100, "pad": "' + b"x" * 70_000 + b'"}', "application/json"
    with _review(receiver) as mock:
        _send(mock)
        mock.run_until_idle()
        (delivery,) = mock.wait_for_callbacks(1)
        assert delivery.state == "failed"
        assert "not read whole" in (delivery.attempts[0].error or "")
