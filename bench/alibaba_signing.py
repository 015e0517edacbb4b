"""Alibaba Cloud request signing for load generators, from the published algorithms alone
(hashlib, hmac, urllib): every request gets its own nonce and a fresh timestamp."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import quote, urlencode

AK, SECRET = "test-ak", "test-secret"  # the mock's default Alibaba credentials
PARAMETERS = {"Service": "baselineCheck",
              "ServiceParameters": json.dumps({"imageUrl": "https://cdn.example.com/photos/clean.jpg",
                                               "dataId": "bench-1"})}


def _enc(value: str) -> str:
    return quote(value, safe="-_.~")


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def v1_query(parameters: dict[str, str] | None = None, *, ak: str = AK, secret: str = SECRET) -> str:
    """The query string of a V1 (RPC, HMAC-SHA1) signed ``POST /`` calling ImageBatchModeration."""
    params = {"Action": "ImageBatchModeration", "Version": "2022-03-02", "Format": "JSON", "AccessKeyId": ak,
              "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
              "Timestamp": _now_iso(), **(PARAMETERS if parameters is None else parameters)}
    pairs = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
    digest = hmac.new((secret + "&").encode(), ("POST&%2F&" + _enc(pairs)).encode(), hashlib.sha1).digest()
    params["Signature"] = base64.b64encode(digest).decode()
    return urlencode(params, quote_via=quote)


def v3_headers(host: str, query: dict[str, str] | None = None, *, ak: str = AK, secret: str = SECRET,
               body: bytes = b"") -> tuple[str, dict[str, str]]:
    """The query string and headers of a V3 (ACS3-HMAC-SHA256) signed ``POST /``, as the SDK sends it."""
    query = PARAMETERS if query is None else query
    headers = {"host": host, "x-acs-action": "ImageBatchModeration", "x-acs-version": "2022-03-02",
               "x-acs-date": _now_iso(), "x-acs-signature-nonce": uuid.uuid4().hex,
               "x-acs-content-sha256": hashlib.sha256(body).hexdigest()}
    names = sorted(headers)
    canonical = "\n".join([
        "POST", "/", "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(query.items())),
        "".join(f"{n}:{headers[n].strip()}\n" for n in names), ";".join(names), headers["x-acs-content-sha256"]])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"ACS3-HMAC-SHA256 Credential={ak},SignedHeaders={';'.join(names)},Signature={signature}"
    return urlencode(query, quote_via=quote), headers
