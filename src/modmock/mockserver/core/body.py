"""Reading a request body safely: bounded size, UTF-8, JSON, content type.

Every failure is a :class:`BodyProblem` naming what was wrong; the vendor turns it into its
own documented error, so a client never sees aiohttp's generic 413 or a 500.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.streams import EofStream
from aiohttp.web_protocol import RequestPayloadError

from .jsonio import NotFast, fast_loads

JSON_TYPES = ("application/json", "text/json")
MAX_DEPTH = 64  # nesting deeper than this is refused (no documented body nests past 4)


class ClientGone(Exception):
    """The client closed or reset its connection before its request was read: no answer can
    reach it, and it is nobody's bug (journaled as a disconnect, logged at INFO)."""


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
    except RequestPayloadError as exc:  # e.g. a Content-Encoding the body does not match
        cause = exc.__cause__
        if isinstance(cause, BadHttpMessage):
            raise BodyProblem("encoding", cause.message or "the body cannot be decoded") from None
        raise ClientGone(f"the body could not be read: {exc}") from None
    except (ConnectionError, EofStream) as exc:
        raise ClientGone(f"the client went away while sending the body ({type(exc).__name__})") from None
    if len(raw) > limit:
        raise BodyProblem("max_body_size", f"body of {len(raw)} bytes is over the {limit}-byte limit")
    return raw


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _depth(value: Any) -> int:
    """Nesting depth, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def excerpt(raw: bytes, size: int = 120) -> str:
    """The start of a body, for reports of what was sent."""
    text = raw[:size].decode("utf-8", "replace")
    return text + ("..." if len(raw) > size else "")


def parse_json(raw: bytes) -> Any:
    """Decode UTF-8 and parse strict JSON (no NaN, no Infinity), naming the first failure."""
    if not raw.strip():
        raise BodyProblem("json", "the body is empty; a JSON object is expected")
    try:
        value = fast_loads(raw)
    except NotFast:
        value = _parse_slowly(raw)
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and _depth(value) > MAX_DEPTH:  # counting is cheap
        raise BodyProblem("json", f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


def _parse_slowly(raw: bytes) -> Any:
    """The standard library's reading of ``raw``, or the BodyProblem naming its first failure."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyProblem("utf-8", f"the body is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise BodyProblem("json", f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BodyProblem("json", f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # NaN/Infinity, out-of-range floats, integers over Python's digit limit
        raise BodyProblem("json", f"malformed JSON: {exc}") from None
    return value


def is_json_content_type(request: web.Request) -> bool:
    """True for ``application/json`` (any charset) and the ``+json`` family."""
    ctype = request.content_type.lower()
    return ctype in JSON_TYPES or ctype.endswith("+json")
