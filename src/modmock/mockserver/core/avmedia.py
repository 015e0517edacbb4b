"""Audio and video read from their headers: an audio file's duration, a video's tracks.

Only stream headers are read, with a bound on the work, so a client's file costs little however
it is built (a tag of a million frames, a box tree of a million boxes): WAV by its chunk list;
MP3, AAC (ADTS) and FLAC by mutagen's stream-header readers (an ID3 tag in front is skipped,
never parsed); Ogg Vorbis and Opus by their first and last pages; MP4/M4A/QuickTime by a walk
of the few boxes that hold the tracks; WebM by its Info element; AVI by its header list. A
format none of them is (Ogg FLAC, ...) is not read: the callers judge it by its URL. A damaged header is a
``MediaError`` with rule ``format``, whatever a parser raised on it.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from mutagen.aac import AACInfo
from mutagen.flac import StreamInfo
from mutagen.mp3 import MPEGInfo

from .media import MediaError

MP4_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"free", b"wide", b"skip", b"mdat"})
EBML = b"\x1a\x45\xdf\xa3"  # the first element of a WebM (Matroska) file
MAX_BOXES = 10_000  # boxes an MP4 walk may visit: a real file's track tables need a few hundred
MAX_ID3_TAGS = 8  # ID3 tags stacked in front of a stream
MAX_RIFF_CHUNKS = 64  # chunks in a RIFF list (a WAV before its data, an AVI header list: a real one has a handful)
PCM_LIKE = frozenset({1, 3, 6, 7, 0xFFFE})  # PCM, float, A-law, mu-law, extensible: whole frames


class _OverBudget(Exception):
    """A file built of more parts than any real one: it is not read (judged by its URL)."""


@dataclass(frozen=True)
class VideoTracks:
    """What an MP4 (or QuickTime) file holds: a sound track or not, and its largest picture."""

    audio: bool
    width: int | None = None
    height: int | None = None


def audio_seconds(data: bytes) -> float | None:
    """The duration of an audio file in seconds; None for bytes that are no format read here."""
    try:
        if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
            return _wav_seconds(data)
        if data[4:8] in MP4_FIRST_BOXES:
            return _mp4(data, timing=True).seconds
        if data[:4] == EBML:
            return _webm_seconds(data)
    except _OverBudget:
        return None
    if data[:4] == b"OggS":
        return _ogg_seconds(data)
    start = _after_id3(data)
    if data[start:start + 3] == b"ID3":
        raise MediaError("format", f"more than {MAX_ID3_TAGS} ID3 tags, or one with a broken size")
    head = data[start:start + 4]
    try:
        if head == b"fLaC":
            return _flac_seconds(data, start)
        if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:  # an ADTS frame: sync, layer 00
            return float(AACInfo(io.BytesIO(data[start:])).length)
        if start or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):  # ID3, or an MPEG frame sync
            return float(MPEGInfo(io.BytesIO(data), offset=start).length)
    except MediaError:
        raise
    except Exception:  # mutagen's own errors, and whatever a damaged header trips in its readers
        raise MediaError("format", "an unreadable audio header") from None
    return None


def video_tracks(data: bytes) -> VideoTracks | None:
    """An MP4's or AVI's tracks: whether one is a sound track, and the picture's size (an MP4's
    largest video track, by ``tkhd`` else its sample description; an AVI's main header); None
    for bytes that are neither."""
    try:
        if data[:4] == b"RIFF" and data[8:12] == b"AVI ":
            return _avi(data)
        if data[4:8] not in MP4_FIRST_BOXES:
            return None
        found = _mp4(data, timing=False)
    except _OverBudget:
        return None
    return VideoTracks(found.audio, *(found.size or (None, None)))


def _riff_chunks(data: bytes, start: int, end: int, clip: bool = False) -> Iterator[tuple[bytes, int, int]]:
    """The chunks of a RIFF list between ``start`` and ``end``: (id, payload start, payload end);
    at most ``MAX_RIFF_CHUNKS`` of them (more: not read). A chunk that runs past the list is a
    damaged file, or with ``clip`` (a WAV's data, often declared longer than what was written)
    ends with the list."""
    pos = start
    for _ in range(MAX_RIFF_CHUNKS):
        if pos + 8 > end:
            return
        kind, length = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if pos + 8 + length > end and not clip:
            raise MediaError("format", f"a RIFF chunk ({kind!r}) runs past its list")
        yield kind, pos + 8, min(pos + 8 + length, end)
        pos += 8 + length + (length & 1)
    raise _OverBudget


def _avi(data: bytes) -> VideoTracks:
    """An AVI's ``hdrl`` list: the main header's width and height, and a stream header of type
    ``auds`` (a sound track)."""
    for kind, start, end in _riff_chunks(data, 12, len(data)):
        if kind == b"LIST" and data[start:start + 4] == b"hdrl":
            size, audio = None, False
            for inner, s, e in _riff_chunks(data, start + 4, end):
                if inner == b"avih" and e - s >= 40:
                    width, height = struct.unpack_from("<II", data, s + 32)  # dwWidth, dwHeight
                    size = (width, height) if width and height else None
                elif inner == b"LIST" and data[s:s + 4] == b"strl":
                    strh = next(((a, b) for k, a, b in _riff_chunks(data, s + 4, e) if k == b"strh"), None)
                    audio = audio or bool(strh and data[strh[0]:strh[0] + 4] == b"auds")
            return VideoTracks(audio, *(size or (None, None)))
    raise MediaError("format", "an AVI without its hdrl header list")


def _wav_seconds(data: bytes) -> float:
    """A WAV's duration from its ``fmt `` and ``data`` chunks (any format tag: PCM, float,
    A-law, mu-law, extensible as whole frames; others by their byte rate)."""
    size = None
    fmt: tuple[int, ...] | None = None
    for kind, start, end in _riff_chunks(data, 12, len(data), clip=True):
        if kind == b"fmt " and end - start >= 16:
            fmt = struct.unpack_from("<HHIIH", data, start)
        elif kind == b"data":
            size = end - start
            break
    if fmt is None or size is None:
        raise MediaError("format", "an unreadable WAV header (no fmt or data chunk)")
    tag, rate, byte_rate, block = int(fmt[0]), int(fmt[2]), int(fmt[3]), int(fmt[4])
    if tag in PCM_LIKE and block and rate:
        return (size // block) / rate
    if byte_rate:
        return size / byte_rate
    raise MediaError("format", "an unreadable WAV header (no rate)")


def _after_id3(data: bytes) -> int:
    """Where the stream starts after the ID3v2 tags in front (their sizes read, never their frames)."""
    start = 0
    for _ in range(MAX_ID3_TAGS):
        tag = data[start:start + 10]
        if len(tag) < 10 or tag[:3] != b"ID3" or any(b & 0x80 for b in tag[6:10]):
            break
        size = (tag[6] << 21) | (tag[7] << 14) | (tag[8] << 7) | tag[9]  # syncsafe
        start += 10 + size + (10 if tag[3] == 4 and tag[5] & 0x10 else 0)  # v2.4: a footer when flagged
    return start


def _ogg_seconds(data: bytes) -> float | None:
    """An Ogg Vorbis or Opus stream's duration: the last page's granule position (the final
    64 KB searched) over the first page's sample rate (Opus: 48 kHz, less its pre-skip). Other
    Ogg streams (FLAC, Speex, Theora, a multiplexed file) are not read."""
    if len(data) < 28:
        raise MediaError("format", "an Ogg page cut short")
    packet = data[27 + data[26]:]  # after the first page's segment table
    serial = data[14:18]
    if packet[:7] == b"\x01vorbis" and len(packet) >= 16:
        rate, skip = int.from_bytes(packet[12:16], "little"), 0
    elif packet[:8] == b"OpusHead" and len(packet) >= 12:
        rate, skip = 48_000, int.from_bytes(packet[10:12], "little")
    else:
        return None
    last = data.rfind(b"OggS", max(0, len(data) - 65_536))
    if not rate or last < 0 or last + 18 > len(data):
        raise MediaError("format", "an unreadable Ogg stream (no rate, or no last page)")
    if data[last + 14:last + 18] != serial:
        return None  # another stream's page ends the file: multiplexed, not read
    granule = int.from_bytes(data[last + 6:last + 14], "little", signed=True)
    return max(0, granule - skip) / rate


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``pos``: its value (the length marker kept for an
    element id) and where it ends; -1 for a size of all ones (unknown)."""
    if pos >= len(data) or not data[pos]:
        raise MediaError("format", "an unreadable WebM element")
    length = 9 - data[pos].bit_length()
    if pos + length > len(data):
        raise MediaError("format", "a WebM element cut short")
    value = int.from_bytes(data[pos:pos + length], "big")
    if keep_marker:
        return value, pos + length
    value &= (1 << (7 * length)) - 1
    return (-1 if value == (1 << (7 * length)) - 1 else value), pos + length


def _ebml(data: bytes, start: int, end: int, budget: _Budget) -> Iterator[tuple[int, int, int]]:
    """The elements between ``start`` and ``end``: (id, payload start, payload end); an element
    of unknown size runs to ``end``."""
    pos = start
    while pos < end:
        element, pos = _vint(data, pos, keep_marker=True)
        size, pos = _vint(data, pos, keep_marker=False)
        stop = end if size < 0 else pos + size
        if stop > end:
            raise MediaError("format", "a WebM element runs past its parent")
        budget.spend()
        yield element, pos, stop
        pos = stop


def _webm_seconds(data: bytes) -> float | None:
    """A WebM's ``Segment`` → ``Info``: ``Duration`` in ``TimecodeScale`` units (nanoseconds
    each, a million by default); None when it declares none (a live recording)."""
    budget = _Budget()
    for element, start, end in _ebml(data, 0, len(data), budget):
        if element != 0x18538067:  # Segment
            continue
        for child, s, e in _ebml(data, start, end, budget):
            if child == 0x1F43B675:  # a Cluster: the media, after the headers
                return None
            if child != 0x1549A966:  # Info
                continue
            scale, duration = 1_000_000, None
            for field, a, b in _ebml(data, s, e, budget):
                if field == 0x2AD7B1 and b - a <= 8:  # TimecodeScale
                    scale = int.from_bytes(data[a:b], "big")
                elif field == 0x4489 and b - a in (4, 8):  # Duration, a float
                    duration = float(struct.unpack(">f" if b - a == 4 else ">d", data[a:b])[0])
            if duration is None or not 0 <= duration * scale < 1e18:
                return None
            return duration * scale / 1e9
    raise MediaError("format", "a WebM without its Segment")


def _flac_seconds(data: bytes, start: int) -> float:
    """FLAC's STREAMINFO, the first metadata block: samples over the sample rate."""
    block = data[start + 4:start + 8]
    if len(block) < 4 or block[0] & 0x7F != 0:
        raise MediaError("format", "an unreadable FLAC header (no STREAMINFO first)")
    info = StreamInfo(data[start + 8:start + 8 + 34])  # type: ignore[no-untyped-call]
    return float(info.length)


@dataclass
class _Found:
    seconds: float | None = None
    audio: bool = False
    size: tuple[int, int] | None = None


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_BOXES

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _OverBudget


def _boxes(data: bytes, start: int, end: int, budget: _Budget) -> Iterator[tuple[bytes, int, int]]:
    """The boxes between ``start`` and ``end``: (type, where its payload starts, where it ends).
    A box that runs past its parent is a damaged file."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        head = 8
        if size == 1:
            if pos + 16 > end:
                raise MediaError("format", "an MP4 box cut short")
            size, head = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = end - pos  # to the end of its parent
        if size < head or pos + size > end:
            raise MediaError("format", f"an MP4 box ({kind!r}) runs past its parent")
        budget.spend()
        yield kind, pos + head, pos + size
        pos += size


def _child(data: bytes, start: int, end: int, kind: bytes, budget: _Budget) -> tuple[int, int] | None:
    return next(((s, e) for k, s, e in _boxes(data, start, end, budget) if k == kind), None)


def _timing(data: bytes, start: int, end: int) -> float | None:
    """Seconds from an ``mvhd`` or ``mdhd`` (version 0 or 1): duration over timescale."""
    version = data[start] if start < end else -1
    layout, offset = {0: (">II", 12), 1: (">IQ", 20)}.get(version, ("", 0))
    if not layout or start + offset + struct.calcsize(layout) > end:
        raise MediaError("format", "an unreadable MP4 media header")
    scale, duration = struct.unpack_from(layout, data, start + offset)
    return duration / scale if scale else None


def _mp4(data: bytes, timing: bool) -> _Found:
    """Walk ``moov`` → ``trak`` → ``mdia`` (``mdhd``, ``hdlr``), ``tkhd`` and the video sample
    description; nothing else (no ``udta``, no ``meta``) is entered. ``timing``: read the
    duration too (the first sound track's, else the movie's)."""
    budget, found, movie = _Budget(), _Found(), None
    moov = _child(data, 0, len(data), b"moov", budget)
    if moov is None:
        raise MediaError("format", "an MP4 without its moov box (cut short?)")
    for kind, start, end in _boxes(data, *moov, budget):
        if kind == b"mvhd" and timing:
            movie = _timing(data, start, end)
        if kind != b"trak":
            continue
        mdia = _child(data, start, end, b"mdia", budget)
        hdlr = mdia and _child(data, *mdia, b"hdlr", budget)
        handler = data[hdlr[0] + 8:hdlr[0] + 12] if hdlr and hdlr[1] - hdlr[0] >= 12 else b""
        if handler == b"soun":
            mdhd = mdia and _child(data, *mdia, b"mdhd", budget)
            if timing and mdhd and not found.audio:
                found.seconds = _timing(data, *mdhd)  # the first sound track's own length
            found.audio = True
        elif handler == b"vide":
            size = _picture(data, start, end, mdia, budget)
            if size and (found.size is None or size[0] * size[1] > found.size[0] * found.size[1]):
                found.size = size
    if found.seconds is None:
        found.seconds = movie
    return found


def _picture(data: bytes, start: int, end: int, mdia: tuple[int, int] | None,
             budget: _Budget) -> tuple[int, int] | None:
    """A video track's size: its ``tkhd`` (16.16 fixed point), else its first sample entry's."""
    tkhd = _child(data, start, end, b"tkhd", budget)
    if tkhd and tkhd[1] - tkhd[0] >= 8:
        width, height = struct.unpack_from(">II", data, tkhd[1] - 8)
        if width >> 16 and height >> 16:
            return width >> 16, height >> 16
    minf = mdia and _child(data, *mdia, b"minf", budget)
    stbl = minf and _child(data, *minf, b"stbl", budget)
    stsd = stbl and _child(data, *stbl, b"stsd", budget)
    if stsd and stsd[1] - stsd[0] >= 44 and struct.unpack_from(">I", data, stsd[0] + 4)[0] >= 1:
        width16, height16 = struct.unpack_from(">HH", data, stsd[0] + 40)  # VisualSampleEntry width, height
        if width16 and height16:
            return width16, height16
    return None
