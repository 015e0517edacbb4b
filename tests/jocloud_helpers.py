"""Helpers for the Jocloud/Aivacom tests: the seeds' token, paths and a call."""

from __future__ import annotations

import base64
from typing import Any

import requests

import modmock
from modmock.mockserver.core import schemas
from modmock.mockserver.vendors.jocloud import profile

APPID = "123456"
TOKEN = "Basic " + base64.b64encode(b"qawsedrftg:abcdefghijk").decode()
SAMPLE_TOKEN = "Base " + base64.b64encode(b"qawsedrftg:abcdefghijk").decode()  # the seeds' Python sample


def path(vendor: str, endpoint: str, appid: str = APPID) -> str:
    return profile.PROFILES[vendor].PATHS[endpoint].format(appid=appid)


def call(mock: modmock.MockServer, endpoint: str, body: Any, *, vendor: str = "jocloud", token: str | None = TOKEN,
         trace_id: str | None = "trace-1", url_path: str | None = None, **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["token"] = token
    params = {"traceId": trace_id} if trace_id is not None else {}
    return requests.post(mock.url + (url_path or path(vendor, endpoint)), json=body, params=params, headers=headers,
                         timeout=30, **kwargs)


def ok(mock: modmock.MockServer, endpoint: str, body: Any, **kwargs: Any) -> dict[str, Any]:
    """A call expected to succeed at request level; its answer validated against the schema."""
    resp = call(mock, endpoint, body, **kwargs)
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert answer["code"] == 200, answer
    assert schemas.validator("jocloud/response.json").is_valid(answer), answer
    return answer  # type: ignore[no-any-return]


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode("utf-8") if isinstance(text, str) else text).decode("ascii")


def image(data_id: str = "photo-1", url: str = "https://cdn.example.com/uploads/clean.jpg") -> dict[str, Any]:
    return {"data": [{"dataId": data_id, "url": url}]}
