"""Alibaba Cloud request signatures, as pure functions (no HTTP).

* V3, ``ACS3-HMAC-SHA256`` (header ``Authorization``), the official SDK's default.
* V1, the RPC signature with HMAC-SHA1 (query/form ``Signature``), the SDK's
  ``signature_algorithm="v2"``.

Both canonicalise parameters with RFC 3986 percent-encoding (only ``A-Z a-z 0-9 - _ . ~``
stay as they are; a space is ``%20``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import quote

V3_ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def pe(value: str) -> str:
    """RFC 3986 percent-encoding, as Alibaba signs it."""
    return quote(value, safe="~", encoding="utf-8")


def canonical_query(params: Mapping[str, str]) -> str:
    """``k=v`` pairs sorted by key, both percent-encoded, joined by ``&``."""
    return "&".join(f"{pe(k)}={pe(v)}" for k, v in sorted(params.items()))


def canonical_headers(headers: Mapping[str, str], signed: Iterable[str]) -> str:
    """``name:trimmed value`` lines for the signed header names, in sorted order."""
    lines = []
    for name in sorted(signed):
        lines.append(f"{name}:{headers.get(name, '').strip()}\n")
    return "".join(lines)


def v3_canonical_request(method: str, path: str, params: Mapping[str, str], headers: Mapping[str, str],
                         signed: list[str], payload_hash: str) -> str:
    """The V3 canonical request: method, path, query, headers, signed names, payload hash."""
    return "\n".join([method.upper(), path or "/", canonical_query(params),
                      canonical_headers(headers, signed), ";".join(sorted(signed)), payload_hash])


def v3_string_to_sign(canonical_request: str) -> str:
    return f"{V3_ALGORITHM}\n{hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()}"


def v3_signature(secret: str, string_to_sign: str) -> str:
    return hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def v3_authorization(access_key_id: str, signed: list[str], signature: str) -> str:
    return f"{V3_ALGORITHM} Credential={access_key_id},SignedHeaders={';'.join(sorted(signed))},Signature={signature}"


def parse_v3_authorization(value: str) -> dict[str, str] | None:
    """``Credential``, ``SignedHeaders`` and ``Signature`` of a V3 header, or None."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != V3_ALGORITHM:
        return None
    parts: dict[str, str] = {}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            parts[key] = val
    if not {"Credential", "SignedHeaders", "Signature"} <= set(parts):
        return None
    return parts


def v1_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """``METHOD&%2F&`` + the percent-encoded canonical query (``Signature`` left out)."""
    signed = {k: v for k, v in params.items() if k != "Signature"}
    return f"{method.upper()}&{pe('/')}&{pe(canonical_query(signed))}"


def v1_signature(secret: str, string_to_sign: str) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")
