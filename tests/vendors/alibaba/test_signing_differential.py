"""Our canonicalisation against the official SDK's own signing functions, on drawn inputs.

The SDK's ``get_authorization`` and ``get_rpcsignature`` are an implementation we did not
write; for any parameters and headers both must produce the same signature."""

from __future__ import annotations

from alibabacloud_tea_openapi.utils import Utils
from hypothesis import given
from hypothesis import strategies as st

from modmock.mockserver.vendors.alibaba import signing

KEYS = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N")) | st.sampled_from("_-.~"),
               min_size=1, max_size=12)
VALUES = st.text(max_size=40).filter(lambda v: "\x00" not in v)
HEADER_VALUES = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30)


class _Request:
    """The few attributes of a Tea request the SDK's signer reads."""

    def __init__(self, query: dict[str, str], headers: dict[str, str]) -> None:
        self.method, self.pathname, self.query, self.headers = "POST", "/", query, headers


@given(query=st.dictionaries(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1,
                                     max_size=12), VALUES, max_size=5),
       headers=st.dictionaries(st.sampled_from(["x-acs-date", "x-acs-action", "accept", "user-agent", "host"]),
                               HEADER_VALUES, min_size=1))
def test_v3_matches_the_sdk(query: dict[str, str], headers: dict[str, str]) -> None:
    payload = signing.EMPTY_SHA256
    theirs = Utils.get_authorization(_Request(query, headers), "ACS3-HMAC-SHA256", payload, "ak", "secret")
    canonical = signing.v3_canonical_request("POST", "/", query, headers, list(headers), payload)
    ours = signing.v3_authorization("ak", list(headers),
                                    signing.v3_signature("secret", signing.v3_string_to_sign(canonical)))
    assert ours == theirs


@given(params=st.dictionaries(KEYS, VALUES, min_size=1, max_size=6), secret=st.text(min_size=1, max_size=20))
def test_v1_matches_the_sdk(params: dict[str, str], secret: str) -> None:
    theirs = Utils.get_rpcsignature(params, "POST", secret)
    assert signing.v1_signature(secret, signing.v1_string_to_sign("POST", params)) == theirs
