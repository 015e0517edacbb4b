"""Helpers for the Alibaba tests: the official SDK pointed at the mock, and a hand signer.

The hand signer is written from the published algorithm on its own (hashlib, hmac, urllib),
so the mock's verifier is checked against an independent implementation, not itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import quote, urlencode

import requests
from alibabacloud_green20220302 import models
from alibabacloud_green20220302.client import Client
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions

import modmock

AK, SECRET = "test-ak", "test-secret"


def sdk(target: modmock.MockServer | int, *, v1: bool = False, ak: str = AK, secret: str = SECRET) -> Client:
    """The official client, pointed at a mock (or a port) over plain HTTP."""
    port = target if isinstance(target, int) else target.port
    config = Config(access_key_id=ak, access_key_secret=secret, endpoint=f"127.0.0.1:{port}", protocol="http")
    if v1:
        config.signature_algorithm = "v2"
    return Client(config)


def _with_url(parameters: dict[str, Any]) -> dict[str, Any]:
    """A default clean imageUrl; ``imageUrl=None`` leaves it out."""
    parameters.setdefault("imageUrl", "https://cdn.example.com/photos/clean.jpg")
    return {k: v for k, v in parameters.items() if v is not None}


def moderation(services: str = "baselineCheck", **parameters: Any) -> models.ImageBatchModerationRequest:
    parameters = _with_url(parameters)
    return models.ImageBatchModerationRequest(service=services, service_parameters=json.dumps(parameters))


def call(client: Client, request: models.ImageBatchModerationRequest) -> Any:
    return client.image_batch_moderation_with_options(request, RuntimeOptions())


def _enc(value: str) -> str:
    return quote(value, safe="-_.~")


def now_iso(offset: float = 0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))


def v3_request(url: str, query: dict[str, str], *, ak: str = AK, secret: str = SECRET, date: str | None = None,
               nonce: str | None = None, body: bytes = b"", host: str | None = None) -> dict[str, Any]:
    """Headers and URL of a V3 (ACS3-HMAC-SHA256) signed POST /, signed by hand."""
    headers = {
        "host": host or url.split("//", 1)[1].split("/", 1)[0],
        "x-acs-action": "ImageBatchModeration", "x-acs-version": "2022-03-02",
        "x-acs-date": date or now_iso(), "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
    }
    names = sorted(headers)
    canonical = "\n".join([
        "POST", "/", "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(query.items())),
        "".join(f"{n}:{headers[n].strip()}\n" for n in names), ";".join(names), headers["x-acs-content-sha256"],
    ])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"ACS3-HMAC-SHA256 Credential={ak},SignedHeaders={';'.join(names)},Signature={signature}"
    return {"url": url + "/?" + urlencode(query, quote_via=quote), "headers": headers, "data": body}


def v1_params(query: dict[str, str], *, ak: str = AK, secret: str = SECRET, timestamp: str | None = None,
              nonce: str | None = None, method: str = "POST") -> dict[str, str]:
    """Parameters of a V1 (RPC, HMAC-SHA1) signed request, signed by hand."""
    params = {"Action": "ImageBatchModeration", "Version": "2022-03-02", "Format": "JSON",
              "AccessKeyId": ak, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
              "SignatureNonce": nonce or uuid.uuid4().hex, "Timestamp": timestamp or now_iso(), **query}
    pairs = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&%2F&" + _enc(pairs)
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    params["Signature"] = base64.b64encode(digest).decode()
    return params


def post_v3(mock: modmock.MockServer, query: dict[str, str], **kwargs: Any) -> requests.Response:
    signed = v3_request(mock.url, query, **kwargs)
    return requests.post(signed["url"], headers=signed["headers"], data=signed["data"], timeout=10)


def post_v1(mock: modmock.MockServer, query: dict[str, str], *, form: bool = False, **kwargs: Any) -> requests.Response:
    params = v1_params(query, **kwargs)
    if form:
        return requests.post(mock.url + "/", data=params, timeout=10)
    return requests.post(mock.url + "/?" + urlencode(params, quote_via=quote), timeout=10)


def parameters(services: str = "baselineCheck", **service_parameters: Any) -> dict[str, str]:
    service_parameters = _with_url(service_parameters)
    return {"Service": services, "ServiceParameters": json.dumps(service_parameters)}
