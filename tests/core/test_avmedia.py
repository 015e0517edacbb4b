"""Audio durations and MP4 tracks read from headers: every format the vendors list that a reader
here knows, by its signature; damaged headers of any kind are a MediaError, never another error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modmock.fixtures.media import audio_bytes, video_bytes
from modmock.mockserver.core.avmedia import VideoTracks, audio_seconds, video_tracks
from modmock.mockserver.core.media import MediaError

SIGNATURES = [b"RIFF\0\0\0\0WAVE", b"fLaC", b"OggS" + b"\0" * 24 + b"OpusHead", b"OggS" + b"\0" * 24 + b"\x01vorbis",
              b"OggS" + b"\0" * 24 + b"\x7fFLAC", b"\0\0\0\x18ftypisom", b"\xff\xf1", b"\xff\xfb", b"ID3"]


@pytest.mark.parametrize("fmt", ["wav", "mp3", "flac", "m4a"])
def test_each_format_s_duration_is_read_from_its_header(fmt: str) -> None:
    assert audio_seconds(audio_bytes(fmt, 3700)) == pytest.approx(3700, abs=0.1)
    assert audio_seconds(audio_bytes(fmt, 2)) == pytest.approx(2, abs=0.1)


def test_bytes_no_reader_knows_are_not_read() -> None:
    assert audio_seconds(b"\x1aE\xdf\xa3 a webm file") is None  # WebM (Matroska): not read here
    assert audio_seconds(b"plain text") is None and video_tracks(b"plain text") is None


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
