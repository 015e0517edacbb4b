"""Helpers shared by the tests."""

from __future__ import annotations

import copy
from typing import Any

BASE_BODY: dict[str, Any] = {
    "accessKey": "xxxx",
    "appId": "default",
    "eventId": "default",
    "type": "POLITY_EROTIC_VIOLENT_QRCODE_ADVERT",
    "data": {"img": "https://cdn.example.com/photos/clean.jpg", "tokenId": "user-123"},
}


def image_request(data: dict[str, Any] | None = None, /, **top: Any) -> dict[str, Any]:
    """A valid image v4 body with ``data`` fields and top-level fields overridden.

    A value of ``None`` removes the field.
    """
    body = copy.deepcopy(BASE_BODY)
    for key, value in top.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    for key, value in (data or {}).items():
        if value is None:
            body["data"].pop(key, None)
        else:
            body["data"][key] = value
    return body


def raw_http(port: int, request: bytes) -> tuple[int, bytes]:
    """Send ``request`` as it is on a socket to 127.0.0.1:``port``; the status and the whole answer."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def docs_block(page: str, first_line: str) -> list[str]:
    """The lines of the ``text`` block of ``docs/<page>`` (or ``README.md``) that starts with
    ``first_line``: an output the docs show, for a test to compare with the real one."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    text = (root / page).read_text(encoding="utf-8")
    found = [b for b in re.findall(r"```text\n(.*?)```", text, re.S) if b.startswith(first_line)]
    assert len(found) == 1, f"{page} has {len(found)} text blocks starting {first_line!r}"
    return found[0].rstrip("\n").split("\n")
