"""A URL read once per request: the parts the checks, the allow-list and the default rule ask
about, as :func:`urllib.parse.urlsplit` reads them.

One request asks about its image URL several times (is it valid, is its host allow-listed, what
do its path words say); the few most recent URLs are remembered, so it is read once. A URL of the
plain form clients send (``http(s)://host[:port]/path``, nothing urlsplit would clean up or
decode) is read by one regular expression; any other goes to urlsplit. Both give the same parts
(``tests/core/test_urls.py`` holds them side by side).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

RECENT = 256  # URLs remembered: those of the requests being served, not a cache of all traffic
_PLAIN = re.compile(r"(?P<scheme>[hH][tT][tT][pP][sS]?)://(?P<host>[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?"
                    r"(?P<path>/[!$&'()*+,;=:@%/A-Za-z0-9._~-]*)?(?:[?#][!-~]*)?")
MAX_PORT = 65535


class Url(NamedTuple):
    """What a URL says: its scheme and host (lower case), its path, and why it is not a usable
    http(s) URL (``problem``; None when it is)."""

    scheme: str
    host: str
    path: str
    problem: str | None


@lru_cache(maxsize=RECENT)
def read_url(url: str) -> Url:
    """``url`` split into the parts the mock asks about."""
    plain = _PLAIN.fullmatch(url)
    if plain is not None and (plain["port"] is None or int(plain["port"]) <= MAX_PORT):
        return Url(plain["scheme"].lower(), plain["host"].lower(), plain["path"] or "", None)
    return _by_urlsplit(url)


def _by_urlsplit(url: str) -> Url:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return Url("", "", "", f"not a valid URL ({exc})")
    host, scheme = (parts.hostname or "").lower(), parts.scheme.lower()
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port (the host and path still read)
    except ValueError as exc:
        return Url(scheme, host, parts.path, f"not a valid URL ({exc})")
    problem = None
    if scheme not in ("http", "https"):
        problem = "not an http or https URL"
    elif not host:
        problem = "the URL has no host"
    return Url(scheme, host, parts.path, problem)
