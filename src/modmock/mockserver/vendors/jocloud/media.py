"""What one item's content says, as a data-level code (seeds: 401, 402, 403, 410, 411, 420).

Base64 content is always decoded and read. A URL on an allow-listed host (loopback by default)
is downloaded within the API's limit and read the same way; any other URL is judged by its
text only (the default rule: a ``.invalid`` host or a ``timeout`` path word is a failed
download). Images are read with Pillow; audio durations from the headers of WAV, MP3, AAC, Ogg, WebM,
M4A/MP4 and FLAC files (``core.avmedia``); another format's duration is not read.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ...core.avmedia import audio_seconds
from ...core.callbacks import AllowList
from ...core.fetch import fetch
from ...core.journal import Problem
from ...core.media import MediaError, inspect
from ...core.verdict import MediaProblem, Subject, check_media
from . import errors, profile
from .checks import Item

SIZE_LIMITS = {
    profile.IMAGE_SYNC: profile.IMAGE_MAX, profile.AUDIO_SYNC: profile.AUDIO_SYNC_MAX,
    profile.AUDIO_ASYNC: profile.AUDIO_ASYNC_MAX, profile.VIDEO_ASYNC: profile.VIDEO_MAX,
}
SECONDS_LIMITS = {profile.AUDIO_SYNC: profile.AUDIO_SYNC_SECONDS, profile.AUDIO_ASYNC: profile.AUDIO_ASYNC_SECONDS}
IMAGE_FORMATS = ("jpeg", "png", "bmp", "gif", "webp", "tiff", "mpo")  # inferred: the common ones


@dataclass
class Checked:
    """An item's subject for the verdict, or the data-level failure it ends with; the problems
    are the client's (journaled: they make the request invalid) and notes say what was done."""

    subject: Subject
    failure: errors.ItemFailure | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    size: int = 0
    refusals: dict[int, tuple[int, str]] = field(default_factory=dict)  # id(problem): its code when it counts

    def fail(self, code: int, detail: str, problem: Problem | None = None) -> Checked:
        self.failure = errors.ItemFailure(code, detail)
        if problem is not None:
            self.problems.append(problem)
        return self


def _b64(text: str) -> bytes:
    """Standard base64 as encoders write it (inferred: the seeds say only "BASE64"): padded to a
    multiple of four, line breaks allowed (MIME style), no spaces inside, so plain words such as
    ``hello world`` are not base64 (402) rather than bytes that happen to decode."""
    compact = text.strip().replace("\r", "").replace("\n", "")
    if len(compact) % 4:
        raise ValueError(f"{len(compact)} characters: base64 comes in groups of four")
    return base64.b64decode(compact, validate=True)


async def check(endpoint: str, item: Item, allow: AllowList) -> Checked:
    """Judge one item of ``endpoint``."""
    if endpoint == profile.TEXT_SYNC:
        return _text(item)
    if item.content is not None:
        try:
            data = _b64(item.content)
        except (binascii.Error, ValueError):
            subject = Subject(data_id=item.data_id)
            return Checked(subject).fail(402, f"{item.where}.content is not valid base64", Problem(
                f"{item.where}.content", "base64", item.content[:40], "base64-encoded bytes"))
        return _bytes(endpoint, item, data, Checked(Subject(data_id=item.data_id, content=data), size=len(data)))
    subject = Subject(url=item.url or None, data_id=item.data_id, text=item.room_id)
    checked = Checked(subject)
    if item.url is None:  # a room of the live-streaming system
        return checked
    if endpoint == profile.AUDIO_ASYNC and not _path(item.url).lower().endswith(profile.AUDIO_ASYNC_FORMATS):
        checked.problems.append(Problem(f"{item.where}.url", "format", _path(item.url)[-40:],
                                        f"an audio URL ending in {', '.join(profile.AUDIO_ASYNC_FORMATS)}",
                                        inferred=True))
    limit = SIZE_LIMITS.get(endpoint)
    if limit is not None and allow.allows(item.url):
        try:
            fetched = await fetch(item.url, allow, limit)
        except MediaError as exc:
            if exc.rule == "size":
                return checked.fail(403, f"{item.where}.url: {exc.detail}", Problem(
                    f"{item.where}.url", f"size {limit // profile.MB} MB", exc.detail,
                    f"at most {limit // profile.MB} MB"))
            return checked.fail(401, f"{item.where}.url: {exc.detail}")
        if fetched is not None:
            checked.notes.append(f"{item.where}: downloaded {len(fetched)} bytes from {item.url}")
            checked.size = len(fetched)
            return _bytes(endpoint, item, fetched, checked)
    try:  # a stream URL (rtmp, rtsp) is judged like an http one: its host and path words
        scheme, sep, rest = item.url.partition("://")
        check_media(Subject(url=f"https://{rest}" if sep and scheme.lower() in profile.STREAM_SCHEMES else item.url))
    except MediaProblem as exc:
        return checked.fail(401, f"{item.where}.url: {exc.detail}")
    return checked


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def _bytes(endpoint: str, item: Item, data: bytes, checked: Checked) -> Checked:
    where = f"{item.where}.{'content' if item.content is not None else 'url'}"
    limit = SIZE_LIMITS.get(endpoint)
    if limit is not None and len(data) > limit:
        return checked.fail(403, f"{where}: {len(data)} bytes, over {limit // profile.MB} MB", Problem(
            where, f"size {limit // profile.MB} MB", f"{len(data)} bytes", f"at most {limit // profile.MB} MB"))
    if endpoint == profile.IMAGE_SYNC:
        try:
            info = inspect(data)
        except MediaError as exc:
            return checked.fail(420, f"{where}: {exc.detail}", Problem(where, "image", exc.detail, "an image"))
        if info.format not in IMAGE_FORMATS:  # inferred: a warning, judged as usual; 420 under --strict
            problem = Problem(where, "format", info.format, f"one of {', '.join(IMAGE_FORMATS)}", inferred=True)
            checked.problems.append(problem)
            checked.refusals[id(problem)] = (420, f"{where}: {info.format} images are not decoded (--strict)")
    if endpoint in SECONDS_LIMITS:
        try:
            seconds = audio_seconds(data)
        except MediaError as exc:
            return checked.fail(410, f"{where}: {exc.detail}", Problem(where, "audio", exc.detail, "decodable audio"))
        limit_s = SECONDS_LIMITS[endpoint]
        if seconds is not None and seconds > limit_s:
            return checked.fail(411, f"{where}: {seconds:.1f} s of audio, over {limit_s} s", Problem(
                where, f"duration {limit_s} s", f"{seconds:.1f} s", f"audio of at most {limit_s} seconds"))
    return checked


def _text(item: Item) -> Checked:
    where = f"{item.where}.content"
    subject = Subject(data_id=item.data_id)
    try:
        raw = _b64(item.content or "")
    except (binascii.Error, ValueError):
        return Checked(subject).fail(402, f"{where} is not valid base64", Problem(
            where, "base64", (item.content or "")[:40], "the text, base64-encoded (UTF-8)"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Checked(subject).fail(400, f"{where}: the decoded text is not UTF-8 (byte {exc.start})", Problem(
            where, "utf-8", f"byte {exc.start}", "UTF-8 text, base64-encoded"))
    checked = Checked(Subject(text=text, data_id=item.data_id), size=len(raw))
    if len(text) > profile.TEXT_MAX_CHARS:
        return checked.fail(403, f"{where}: {len(text)} characters, over {profile.TEXT_MAX_CHARS}", Problem(
            where, f"maxLength {profile.TEXT_MAX_CHARS}", f"{len(text)} characters",
            f"at most {profile.TEXT_MAX_CHARS} characters (after base64 decoding)"))
    return checked
