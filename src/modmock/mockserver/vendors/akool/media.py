"""Media limits judged by bytes (seed: image 20 MB, PNG/JPEG/WEBP/non-animated GIF; audio 25 MB
and 60 minutes; video 1024 MB, 1080p, and 1203 "video should be with audio"), for content the
mock may download (allow-listed hosts).

Elsewhere the URL's extension is all the mock judges (``checks.py``). Audio is read where
``core.avmedia`` reads its format (every one the seed lists); video in both of the seed's
containers, MP4 and AVI.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.avmedia import audio_seconds, video_tracks
from ...core.callbacks import AllowList
from ...core.fetch import fetch
from ...core.journal import Problem
from ...core.media import MediaError, inspect
from . import profile

TEXT_DOWNLOAD_MAX = 10 * profile.MB  # a text document (inferred: the seed gives no limit)


@dataclass(frozen=True)
class Downloaded:
    """What the download found: problems with the bytes, or why the job will fail, or nothing."""

    problems: tuple[Problem, ...] = ()
    failure: str | None = None
    note: str | None = None
    without_audio: bool = False  # a video with no sound track: 1203


async def judge(url: str, kind: int, allow: AllowList) -> Downloaded:
    limit = profile.SIZE_LIMITS.get(kind, TEXT_DOWNLOAD_MAX)
    what = profile.TYPES[kind]
    try:
        data = await fetch(url, allow, limit)
    except MediaError as exc:
        if exc.rule == "size":
            return Downloaded((Problem("content", f"size {limit // profile.MB} MB", exc.detail,
                                       f"a {what} of at most {limit // profile.MB} MB"),))
        return Downloaded(failure=f"the {what} could not be downloaded: {exc.detail}")
    if data is None:
        return Downloaded(note="content not downloaded (host not allow-listed): judged by its URL only")
    note = f"downloaded {len(data)} bytes of the {what}"
    if kind == profile.TYPE_IMAGE:
        return Downloaded(_image(data), note=note)
    if kind == profile.TYPE_AUDIO:
        return Downloaded(_audio(data), note=note)
    if kind == profile.TYPE_VIDEO:
        return _video(data, note)
    return Downloaded(note=note)


def _image(data: bytes) -> tuple[Problem, ...]:
    try:
        info = inspect(data)
    except MediaError as exc:
        return (Problem("content", "format", exc.detail, "a PNG, JPEG, WEBP or non-animated GIF image"),)
    fmt = profile.IMAGE_FORMATS.get(info.format)
    if fmt is None:
        return (Problem("content", "format", info.format, "a PNG, JPEG, WEBP or non-animated GIF image"),)
    if fmt == "gif" and info.frames > 1:
        return (Problem("content", "non-animated GIF", f"a GIF of {info.frames} frames",
                        "a non-animated GIF (one frame)"),)
    return ()


def _video(data: bytes, note: str) -> Downloaded:
    """An MP4's or AVI's picture at most 1080p: 1080 lines on its short side (documented), 1920
    on its long side (inferred: a warning unless ``--strict``), either way up; and a sound track
    (else 1203). A video in another container is not read."""
    try:
        tracks = video_tracks(data)
    except MediaError as exc:
        return Downloaded((Problem("content", "format", exc.detail, "a readable MP4 or AVI video"),), note=note)
    if tracks is None:
        return Downloaded(note=note)
    problems = []
    if tracks.width is not None and tracks.height is not None:
        size = f"{tracks.width}x{tracks.height}"
        if min(tracks.width, tracks.height) > profile.VIDEO_MAX_LINES:
            problems.append(Problem("content", "resolution 1080p", size, "a video of at most 1080 lines (1080p)"))
        elif max(tracks.width, tracks.height) > profile.VIDEO_MAX_WIDTH:
            problems.append(Problem("content", "resolution 1080p", size, "a video of at most 1920 x 1080",
                                    inferred=True))
    return Downloaded(tuple(problems), note=note, without_audio=not tracks.audio)


def _audio(data: bytes) -> tuple[Problem, ...]:
    try:
        seconds = audio_seconds(data)
    except MediaError as exc:
        return (Problem("content", "format", exc.detail, "a readable audio file"),)
    if seconds is not None and seconds > profile.AUDIO_MAX_SECONDS:
        return (Problem("content", "duration 60 min", f"{seconds / 60:.1f} minutes", "audio of at most 60 minutes"),)
    return ()
