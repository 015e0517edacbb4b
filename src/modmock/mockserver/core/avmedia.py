"""Audio and video read from their headers: an audio file's duration, an MP4's tracks.

WAV is read by the standard library; FLAC, Ogg (Vorbis, Opus, FLAC), MP3, MP4/M4A and AAC (ADTS)
by mutagen, chosen by the file's signature (never by a name a client chose). A format none of
them is (WebM, AVI, ...) is not read: the callers judge it by its URL. Only headers are read, so
a 25 MB file costs little; a damaged header is a ``MediaError`` with rule ``format``, whatever a
parser raised on it.
"""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mutagen.aac import AAC
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.mp4._atom import Atoms  # the box reader MP4 itself uses (kept under mutagen < 2)
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from .media import MediaError


@dataclass(frozen=True)
class VideoTracks:
    """What an MP4 (or QuickTime) file holds: a sound track or not, and its picture's size."""

    audio: bool
    width: int | None = None
    height: int | None = None


def _reader(data: bytes) -> tuple[str, Callable[[Any], Any]] | None:
    """The format and mutagen's reader for ``data``, by its signature; None when no reader is."""
    if data[:4] == b"fLaC":
        return "FLAC", FLAC
    if data[:4] == b"OggS":
        first_page = data[28:36]
        if first_page.startswith(b"OpusHead"):
            return "Ogg Opus", OggOpus
        if first_page.startswith(b"\x01vorbis"):
            return "Ogg Vorbis", OggVorbis
        if first_page.startswith(b"\x7fFLAC"):
            return "Ogg FLAC", OggFLAC
        return None
    if data[4:8] == b"ftyp":
        return "MP4", MP4
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xF6 == 0xF0:  # an ADTS frame: sync, layer 00
        return "AAC", AAC
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "MP3", MP3
    return None


def audio_seconds(data: bytes) -> float | None:
    """The duration of an audio file in seconds; None for bytes that are no format read here."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        try:
            with wave.open(io.BytesIO(data)) as audio:
                frames: int = audio.getnframes()
                return frames / float(audio.getframerate() or 1)
        except (wave.Error, EOFError, RuntimeError, ValueError, struct.error):  # truncated chunks raise any of these
            raise MediaError("format", "an unreadable WAV header") from None
    found = _reader(data)
    if found is None:
        return None
    name, reader = found
    try:
        return float(reader(io.BytesIO(data)).info.length)
    except Exception:  # mutagen's own errors, and whatever a damaged header trips in its parsers
        raise MediaError("format", f"an unreadable {name} header") from None


def video_tracks(data: bytes) -> VideoTracks | None:
    """An MP4's tracks: whether one is a sound track, and the first picture track's width and
    height (from its ``tkhd``); None for bytes that are not MP4."""
    if data[4:8] != b"ftyp":
        return None
    fileobj = io.BytesIO(data)
    try:
        atoms = Atoms(fileobj)
        audio, size = False, None
        for trak in atoms[(b"moov",)].findall(b"trak"):
            ok, handler = trak[b"mdia", b"hdlr"].read(fileobj)
            kind = handler[8:12] if ok else b""
            audio = audio or kind == b"soun"
            if kind == b"vide" and size is None:
                ok, header = trak[(b"tkhd",)].read(fileobj)
                if ok and len(header) >= 8:
                    width, height = struct.unpack(">II", header[-8:])  # 16.16 fixed point
                    size = (width >> 16, height >> 16)
    except Exception:  # a damaged box tree trips the parser in many ways
        raise MediaError("format", "an unreadable MP4 box tree") from None
    return VideoTracks(audio, *(size or (None, None)))
