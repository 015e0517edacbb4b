"""The sentiment request, field by field (seed: Body Attributes), without HTTP.

``collect`` is pure: every problem of a body. Media limits judged by bytes live in ``media.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ...core.journal import Problem
from ...core.media import is_url
from . import profile

FIELDS = ("content", "type", "language", "webhookUrl", "input")


@dataclass(frozen=True)
class Submission:
    """A checked sentiment request."""

    content: str
    type: int
    language: str | None
    webhook_url: str | None
    input: str | None

    @property
    def content_is_url(self) -> bool:
        return is_url(self.content)


def _extension(url: str) -> str:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return path[dot:] if dot > path.rfind("/") else ""


def _url_problem(field: str, value: str) -> Problem | None:
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        return Problem(field, "url", value, "an http(s) URL")
    if len(value) > profile.URL_MAX:
        return Problem(field, f"maxLength {profile.URL_MAX}", f"{len(value)} characters",
                       f"a URL of at most {profile.URL_MAX} characters", inferred=True)
    return None


def collect(body: Any) -> list[Problem]:
    """Every problem of a sentiment body (inferred ones marked)."""
    if not isinstance(body, dict):
        return [Problem("(body)", "type", type(body).__name__, "a JSON object")]
    found: list[Problem] = []
    kind = body.get("type")
    if "type" not in body:
        found.append(Problem("type", "required", None, "1 image, 2 video, 3 audio or 4 text"))
    elif isinstance(kind, bool) or not isinstance(kind, (int, float)) or kind not in profile.TYPES:
        found.append(Problem("type", "enum", kind, "1 image, 2 video, 3 audio or 4 text"))
        kind = None
    content = body.get("content")
    if content is None or content == "":
        found.append(Problem("content", "required", content, "a URL, or text when type is 4"))
    elif not isinstance(content, str):
        found.append(Problem("content", "type", type(content).__name__, "a string"))
    elif kind in (profile.TYPE_IMAGE, profile.TYPE_VIDEO, profile.TYPE_AUDIO):
        found += _media_url(content, kind)
    elif kind == profile.TYPE_TEXT:
        if is_url(content):
            found += _media_url(content, kind)
        elif len(content) > profile.TEXT_MAX:
            found.append(Problem("content", f"maxLength {profile.TEXT_MAX}", f"{len(content)} characters",
                                 f"text of at most {profile.TEXT_MAX} characters", inferred=True))
    language = body.get("language")
    if language is not None and (not isinstance(language, str) or len(language) != 2
                                 or not language.isascii() or not language.islower()):
        found.append(Problem("language", "ISO-639-1", language, "a two-letter ISO-639-1 code such as en"))
    webhook = body.get("webhookUrl")
    if webhook not in (None, ""):
        problem = _url_problem("webhookUrl", webhook) if isinstance(webhook, str) else Problem(
            "webhookUrl", "type", type(webhook).__name__, "a string")
        if problem:
            found.append(problem)
    words = body.get("input")
    if words is not None and not isinstance(words, str):
        found.append(Problem("input", "type", type(words).__name__, "a string"))
    elif isinstance(words, str) and len(words) > profile.INPUT_MAX:
        found.append(Problem("input", f"maxLength {profile.INPUT_MAX}", f"{len(words)} characters",
                             f"at most {profile.INPUT_MAX} characters", inferred=True))
    for name in body:
        if name not in FIELDS:
            found.append(Problem(name, "unknown field", body[name], f"one of {', '.join(FIELDS)}", inferred=True))
    return found


def _media_url(content: str, kind: int) -> list[Problem]:
    what = profile.TYPES[kind]
    if not is_url(content):
        return [Problem("content", "url", content[:80], f"a URL of the {what} (type {kind})")]
    problem = _url_problem("content", content)
    if problem:
        return [problem]
    extension = _extension(content)
    allowed = profile.EXTENSIONS[kind]
    if not extension:  # .../image?id=5, .../photo: the seed lists formats, not how URLs must end
        return [Problem("content", "file extension", urlsplit(content).path[-60:] or "/",
                        f"a {what} URL ending in {', '.join(allowed)} (without one, the mock judges the "
                        "format from the bytes where it downloads them)", inferred=True)]
    if extension not in allowed:
        return [Problem("content", "format", extension or "(no extension)",
                        f"a {what} URL ending in {', '.join(allowed)}")]
    return []


def submission(body: dict[str, Any]) -> Submission:
    """A valid body in the backend's terms."""
    return Submission(body["content"], body["type"], body.get("language"), body.get("webhookUrl") or None,
                      body.get("input"))
