"""The quick reading of plain URLs gives the parts urlsplit gives, for any string."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from modmock.mockserver.core.urls import _by_urlsplit, read_url

PIECES = st.sampled_from(["http", "https", "HTTPS", "ftp", "://", ":", "/", "?", "#", "@", "[", "]", "%2F", "..",
                          "host", "Host.example", "127.0.0.1", "::1", "80", "65535", "65536", "00080", " ", "\t",
                          "\n", "\x00", "é", "\\", "a", "-", "_", "~", "+", "=", ";", "'"])


@given(st.lists(PIECES, max_size=12).map("".join))
def test_a_url_built_from_the_pieces_that_matter_reads_as_urlsplit_reads_it(url: str) -> None:
    assert read_url.__wrapped__(url) == _by_urlsplit(url)


@given(st.text(max_size=60))
def test_any_text_reads_as_urlsplit_reads_it(text: str) -> None:
    for url in (text, "https://" + text, "http://cdn.example.com/" + text):
        assert read_url.__wrapped__(url) == _by_urlsplit(url)


def test_the_plain_form_is_read_without_urlsplit() -> None:
    assert read_url("HTTPS://CDN.example.com:8443/a/B.jpg?x=1#f") == ("https", "cdn.example.com", "/a/B.jpg", None)
    assert read_url("https://cdn.example.com:99999/a.jpg").problem is not None  # out of range: urlsplit's word
    assert read_url("ftp://cdn.example.com/a.jpg").problem == "not an http or https URL"
