"""Reading a request body safely: bounded size, UTF-8, JSON, content type.

Every failure is a :class:`BodyProblem` naming what was wrong; the vendor turns it into its
own documented error, so a client never sees aiohttp's generic 413 or a 500.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

JSON_TYPES = ("application/json", "text/json")


class BodyProblem(Exception):
    """The body could not be read as the vendor expects; ``rule`` names what failed."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail


async def read_bytes(request: web.Request, limit: int) -> bytes:
    """The raw body, refused before reading when Content-Length is over ``limit``."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise BodyProblem("max_body_size", f"body of {declared} bytes is over the {limit}-byte limit")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BodyProblem("max_body_size", f"body is over the {limit}-byte limit") from None
    if len(raw) > limit:
        raise BodyProblem("max_body_size", f"body of {len(raw)} bytes is over the {limit}-byte limit")
    return raw


def parse_json(raw: bytes) -> Any:
    """Decode UTF-8 and parse JSON, naming the first failure."""
    if not raw.strip():
        raise BodyProblem("json", "the body is empty; a JSON object is expected")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyProblem("utf-8", f"the body is not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BodyProblem("json", f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def is_json_content_type(request: web.Request) -> bool:
    """True for ``application/json`` (any charset) and the ``+json`` family."""
    ctype = request.content_type.lower()
    return ctype in JSON_TYPES or ctype.endswith("+json")
