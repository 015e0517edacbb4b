"""Helpers for the AKOOL tests: a token, JSON calls, and a loopback server of media bytes."""

from __future__ import annotations

from typing import Any

import requests
from aiohttp import web

import modmock
from modmock.mockserver.runner import ServerThread

CLIENT_ID, CLIENT_SECRET = "mock-client-id01", "mock-client-secret-00001"
SUBMIT = "/api/open/v3/content/analysis/sentiment"
INFO = "/api/open/v3/content/analysis/infobyid"


def token(mock: modmock.MockServer, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> str:
    answer = requests.post(mock.url + "/api/open/v3/getToken",
                           json={"clientId": client_id, "clientSecret": client_secret}, timeout=10).json()
    assert answer["code"] == 1000, answer
    return str(answer["token"])


def bearer(mock: modmock.MockServer, **kwargs: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(mock, **kwargs)}"}


def submit(mock: modmock.MockServer, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    headers = bearer(mock) if headers is None else headers
    return requests.post(mock.url + SUBMIT, json=body, headers=headers, timeout=30).json()


def info(mock: modmock.MockServer, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    return requests.get(mock.url + INFO, params={"_id": job_id}, headers=headers, timeout=10).json()


class MediaServer:
    """Serves byte strings at paths on loopback: ``url("/a.png")``; unknown paths answer 404."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        app = web.Application()
        app.router.add_get("/{name:.*}", self._get)
        self._server = ServerThread(app).start()

    async def _get(self, request: web.Request) -> web.StreamResponse:
        data = self.files.get(request.path)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data)

    def url(self, path: str) -> str:
        return self._server.url + path

    def close(self) -> None:
        self._server.stop()
