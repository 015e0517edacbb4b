"""Audio durations and MP4 tracks read from headers: every format the vendors list that a reader
here knows, by its signature; damaged headers of any kind are a MediaError, never another error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modmock.fixtures.media import audio_bytes, avi_bytes, video_bytes
from modmock.mockserver.core.avmedia import VideoTracks, audio_seconds, video_tracks
from modmock.mockserver.core.media import MediaError

SIGNATURES = [b"RIFF\0\0\0\0WAVE", b"RIFF\0\0\0\0AVI ", b"\x1a\x45\xdf\xa3",
              b"fLaC", b"OggS" + b"\0" * 24 + b"OpusHead", b"OggS" + b"\0" * 24 + b"\x01vorbis",
              b"OggS" + b"\0" * 24 + b"\x7fFLAC", b"\0\0\0\x18ftypisom", b"\xff\xf1", b"\xff\xfb", b"ID3"]


@pytest.mark.parametrize("fmt", ["wav", "mp3", "aac", "flac", "m4a", "ogg", "webm"])
def test_each_format_s_duration_is_read_from_its_header(fmt: str) -> None:
    assert audio_seconds(audio_bytes(fmt, 3700)) == pytest.approx(3700, abs=0.1)
    assert audio_seconds(audio_bytes(fmt, 2)) == pytest.approx(2, abs=0.1)


def test_bytes_no_reader_knows_are_not_read() -> None:
    assert audio_seconds(b"plain text") is None and video_tracks(b"plain text") is None
    live = audio_bytes("webm", 5).replace(b"\x44\x89\x88", b"\xec\x89\x00")  # Duration turned into a Void element
    assert audio_seconds(live) is None  # a WebM that declares no duration (a live recording)


def test_an_mp4_s_sound_track_and_picture_size() -> None:
    assert video_tracks(video_bytes(width=1920, height=1080)) == VideoTracks(True, 1920, 1080)
    assert video_tracks(video_bytes(width=640, height=480, audio=False)) == VideoTracks(False, 640, 480)
    assert video_tracks(audio_bytes("m4a", 5)) == VideoTracks(True)  # sound only: no picture


@given(st.sampled_from(SIGNATURES), st.binary(max_size=300))
def test_a_damaged_header_is_a_media_error_and_nothing_else(signature: bytes, rest: bytes) -> None:
    data = signature + rest
    for read in (audio_seconds, video_tracks):
        try:
            read(data)
        except MediaError as exc:
            assert exc.rule == "format"


def _box(kind: bytes, payload: bytes) -> bytes:
    import struct

    return struct.pack(">I", 8 + len(payload)) + kind + payload


def test_aac_and_flac_behind_an_id3_tag_are_read_as_themselves() -> None:
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x20" + b"\0" * 32  # a 32-byte tag (syncsafe size)
    assert audio_seconds(tag + audio_bytes("aac", 10)) == pytest.approx(10, abs=0.2)
    assert audio_seconds(tag + audio_bytes("flac", 10)) == pytest.approx(10)
    assert audio_seconds(tag + audio_bytes("mp3", 10)) == pytest.approx(10, abs=0.1)


@pytest.mark.timeout(10)  # a guard against a hang: each took seconds to minutes with whole-file readers
def test_hostile_files_cost_a_header_read_however_they_are_built() -> None:
    frames = b"".join(b"TXXX" + (1).to_bytes(4, "big") + b"\0\0" + b"x" for _ in range(200_000))
    size = len(frames)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    tagged = b"ID3\x04\x00\x00" + syncsafe + frames + audio_bytes("mp3", 5)
    assert audio_seconds(tagged) == pytest.approx(5, abs=0.1)  # the tag's 200,000 frames are skipped, not parsed
    padded = audio_bytes("flac", 5)[:8 + 34] + b"\x01\x00\x00\x00" * 500_000  # half a million empty blocks
    assert audio_seconds(padded) == pytest.approx(5)
    crowded = _box(b"ftyp", b"isom\0\0\0\0") + _box(b"moov", b"\0\0\0\x08free" * 1_000_000)
    assert video_tracks(crowded) is None  # more boxes than a real file's track tables: not read (judged by URL)


def test_a_quicktime_meta_box_before_the_tracks_hides_no_sound_track() -> None:
    video = video_bytes(width=640, height=360)
    moov_at = video.index(b"moov") - 4
    udta = _box(b"udta", _box(b"meta", _box(b"hdlr", b"\0" * 8 + b"mdta" + b"\0" * 12) + b"\xff" * 64))
    moov = video[moov_at:]
    rebuilt = video[:moov_at] + _box(b"moov", udta + moov[8:])
    assert video_tracks(rebuilt) == VideoTracks(True, 640, 360)


def test_a_box_that_runs_past_its_parent_is_a_damaged_file() -> None:
    broken = _box(b"ftyp", b"isom\0\0\0\0") + _box(b"moov", b"\x00\x00\x10\x00trak" + b"\0" * 16)
    with pytest.raises(MediaError, match="runs past"):
        video_tracks(broken)


def test_the_largest_video_track_counts_and_a_zero_header_falls_back_to_the_sample_entry() -> None:
    import struct

    small, large = video_bytes(width=320, height=240, audio=False), video_bytes(width=3840, height=2160, audio=False)
    trak = large[large.index(b"trak") - 4:]
    both = small[:small.index(b"moov") - 4] + _box(b"moov", small[small.index(b"moov") + 4:] + trak)
    assert video_tracks(both) == VideoTracks(False, 3840, 2160)
    zero = video_bytes(width=0, height=0, audio=False)
    entry = struct.pack(">I4s6sH16sHH", 86, b"avc1", b"\0" * 6, 1, b"\0" * 16, 1920, 1080) + b"\0" * 50
    stsd = _box(b"stsd", b"\0" * 4 + struct.pack(">I", 1) + entry)
    fixed = zero.replace(_box(b"stsd", b"\0" * 8), stsd)
    moov_at = fixed.index(b"moov") - 4
    inner = fixed[moov_at + 8:]
    trak_at = inner.index(b"trak") - 4
    trak_box = inner[trak_at:]
    mdia_at = trak_box.index(b"mdia") - 4
    mdia = trak_box[mdia_at:]
    minf_at = mdia.index(b"minf") - 4
    stbl = _box(b"stbl", stsd)
    new_mdia = _box(b"mdia", mdia[8:minf_at] + _box(b"minf", stbl))
    new_trak = _box(b"trak", trak_box[8:mdia_at] + new_mdia)
    rebuilt = fixed[:moov_at] + _box(b"moov", inner[:trak_at] + new_trak)
    assert video_tracks(rebuilt) == VideoTracks(False, 1920, 1080)


def _riff(tag: int, channels: int, rate: int, bits: int, frames: int, extra: bytes = b"") -> bytes:
    import struct

    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + extra + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", frames * block)
    body += b"\0" * frames * block
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize("tag", [1, 3, 7, 0xFFFE])  # PCM, IEEE float, mu-law, extensible
def test_every_wav_encoding_s_duration_is_read_from_its_chunks(tag: int) -> None:
    assert audio_seconds(_riff(tag, 2, 8000, 32 if tag == 3 else 16, 16000)) == pytest.approx(2.0)


@pytest.mark.timeout(10)  # a guard against a hang
def test_stacked_tags_and_chunks_are_bounded() -> None:
    tag = b"ID3\x03\x00\x00\x00\x00\x00\x01" + b"\0"
    with pytest.raises(MediaError, match="ID3 tags"):
        audio_seconds(tag * 2_000_000 + audio_bytes("mp3", 5))
    junk = b"junk\0\0\0\0" * 3_000_000
    assert audio_seconds(_riff(1, 1, 8000, 8, 8000, junk)) is None  # more chunks than a real file: not read
    two = b"ID3\x04\x00\x00\x00\x00\x00\x04" + b"\0" * 4
    assert audio_seconds(two + two + audio_bytes("aac", 10)) == pytest.approx(10, abs=0.2)


def test_an_avi_s_picture_size_and_sound_stream_come_from_its_header_list() -> None:
    assert video_tracks(avi_bytes(width=1920, height=1080)) == VideoTracks(True, 1920, 1080)
    assert video_tracks(avi_bytes(width=640, height=480, audio=False)) == VideoTracks(False, 640, 480)
    with pytest.raises(MediaError, match="runs past"):
        video_tracks(avi_bytes()[:40])  # cut inside its header list


def test_opus_counts_48_khz_less_its_pre_skip_and_a_multiplexed_ogg_is_not_read() -> None:
    import struct

    def page(kind: int, granule: int, serial: int, packet: bytes) -> bytes:
        return (b"OggS\0" + bytes([kind]) + struct.pack("<qII", granule, serial, 0) + b"\0" * 4
                + bytes([1, len(packet)]) + packet)

    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    assert audio_seconds(page(2, 0, 7, head) + page(4, 48_000 * 90 + 312, 7, b"\0")) == pytest.approx(90)
    assert audio_seconds(page(2, 0, 7, head) + page(4, 48_000 * 90, 8, b"\0")) is None  # another stream's page last
    assert audio_seconds(page(2, 0, 7, b"\x7fFLAC" + b"\0" * 20)) is None  # Ogg FLAC: not read
