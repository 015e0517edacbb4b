"""The vendor's credentials on the way out: each vendor's request rewritten to authenticate with
the real account given in the proxy's config (``[upstream]``), and its callback address pointed
at the proxy's receiver.

- Deepcleer: the body's ``accessKey``.
- Alibaba: the request signed again with the real AccessKey (V3 ``Authorization`` over the
  upstream's ``Host``, or the V1 ``Signature`` parameter), the client's nonce and time kept.
- AKOOL: the ``clientId``/``clientSecret`` of ``getToken`` (the real token then passes through);
  webhooks are opened with the real pair and sealed again with the client's.
- Jocloud: the ``token`` header (``Basic base64(certificateId:certificateKey)``), and the appid
  of the path when one is given.

A value ``"env:NAME"`` is read from the environment (keep secrets out of the file).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..errors import SettingsError
from ..mockserver.vendors.akool import webhook as akool_webhook
from ..mockserver.vendors.alibaba import signing

log = logging.getLogger("modmock")

KEYS = {
    "deepcleer": ("access_key",),
    "alibaba": ("access_key_id", "access_key_secret"),
    "akool": ("client_id", "client_secret"),
    "jocloud": ("certificate_id", "certificate_key", "appid"),
}
REQUIRED = {"deepcleer": ("access_key",), "alibaba": ("access_key_id", "access_key_secret"),
            "akool": ("client_id", "client_secret"), "jocloud": ("certificate_id", "certificate_key")}
CALLBACK_FIELDS = {"deepcleer": ("callback",), "akool": ("webhookUrl",), "jocloud": ("callbackUrl",), "alibaba": ()}
STS_HEADER, STS_PARAMETER = "x-acs-security-token", "SecurityToken"  # a client's STS token (not forwarded)
KEPT = 10_000  # AKOOL clients and tokens remembered (the oldest forgotten first)
FAMILY = {"aivacom": "jocloud"}  # another domain of one vendor: the same credentials and fields


def family(vendor: str) -> str:
    """The vendor whose credentials and callback fields ``vendor`` uses."""
    return FAMILY.get(vendor, vendor)


@dataclass
class Outgoing:
    """A request as it leaves for the vendor (mutable while credentials are put in)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json_body: Any = None  # the body, when it is a JSON object (written back into ``body``)
    client: str | None = None  # AKOOL: the clientId the client sent (before the real one went in)

    def set_json(self, value: Any) -> None:
        self.json_body = value
        self.body = json.dumps(value, ensure_ascii=False).encode("utf-8")


def load_upstream(vendor: str, table: Mapping[str, Any] | None) -> dict[str, str]:
    """The ``[upstream]`` table of the proxy's config: the real account's credentials."""
    table = dict(table or {})
    vendor = family(vendor)
    unknown = sorted(set(table) - set(KEYS[vendor]))
    if unknown:
        raise SettingsError(f"[upstream] for {vendor}: unknown key(s) {', '.join(unknown)}; "
                            f"known: {', '.join(KEYS[vendor])}")
    values: dict[str, str] = {}
    for key, raw in table.items():
        if not isinstance(raw, str):
            raise SettingsError(f"[upstream] {key} must be a string")
        if raw.startswith("env:"):
            name = raw[4:]
            if name not in os.environ:
                raise SettingsError(f"[upstream] {key} = \"env:{name}\": {name} is not set")
            raw = os.environ[name]
        values[key] = raw
    missing = [k for k in REQUIRED[vendor] if not values.get(k)]
    if missing:
        raise SettingsError(f"proxy --vendor {vendor}: the config's [upstream] table needs {', '.join(missing)} "
                            "(the real account's credentials)")
    return values


class Credentials:
    """What one vendor's requests and callbacks need rewritten between client and vendor."""

    def __init__(self, vendor: str, upstream: dict[str, str], host: str) -> None:
        self.vendor, self.upstream, self.host = family(vendor), upstream, host
        self.client_pairs: OrderedDict[str, str] = OrderedDict()  # AKOOL: a client's clientId -> clientSecret
        self.tokens: OrderedDict[str, str] = OrderedDict()  # AKOOL: a token handed to a client -> its clientId

    # -- requests -----------------------------------------------------------------------------
    def rewrite(self, out: Outgoing) -> None:
        """Put the real account's credentials into ``out``."""
        getattr(self, f"_{self.vendor}")(out)

    def _deepcleer(self, out: Outgoing) -> None:
        if isinstance(out.json_body, dict) and "accessKey" in out.json_body:
            out.set_json({**out.json_body, "accessKey": self.upstream["access_key"]})

    def _akool(self, out: Outgoing) -> None:
        body = out.json_body
        if isinstance(body, dict) and "clientId" in body and "clientSecret" in body:
            out.client = str(body["clientId"])
            _keep(self.client_pairs, out.client, str(body["clientSecret"]))
            out.set_json({**body, "clientId": self.upstream["client_id"], "clientSecret": self.upstream["client_secret"]})

    def _jocloud(self, out: Outgoing) -> None:
        plain = f"{self.upstream['certificate_id']}:{self.upstream['certificate_key']}".encode()
        if "token" in out.headers:
            scheme = out.headers["token"].partition(" ")[0] or "Basic"
            out.headers["token"] = f"{scheme} {base64.b64encode(plain).decode('ascii')}"
        appid = self.upstream.get("appid")
        parts = out.path.split("/")
        if appid and len(parts) > 2 and parts[1] == "app":
            parts[2] = appid
            out.path = "/".join(parts)

    def _alibaba(self, out: Outgoing) -> None:
        key_id, secret = self.upstream["access_key_id"], self.upstream["access_key_secret"]
        authorization = out.headers.get("authorization", "")
        parsed = signing.parse_v3_authorization(authorization) if authorization else None
        if parsed is not None:
            out.headers.pop(STS_HEADER, None)  # the client's temporary token: not the real account's
            signed = [h.strip().lower() for h in parsed["SignedHeaders"].split(";") if h.strip() and
                      h.strip().lower() != STS_HEADER]
            out.headers["host"] = self.host
            payload = hashlib.sha256(out.body).hexdigest()
            if "x-acs-content-sha256" in out.headers:
                out.headers["x-acs-content-sha256"] = payload
            canonical = signing.v3_canonical_request(out.method, out.path, dict(out.query), out.headers, signed,
                                                     out.headers.get("x-acs-content-sha256", payload))
            signature = signing.v3_signature(secret, signing.v3_string_to_sign(canonical))
            out.headers["authorization"] = signing.v3_authorization(key_id, signed, signature)
            return
        form = out.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        params = dict(out.query)
        form_params = dict(parse_qsl(out.body.decode("utf-8", "replace"), keep_blank_values=True)) if form else {}
        where = "query" if "Signature" in params else "form" if "Signature" in form_params else None
        if where is None:
            return  # unsigned: the vendor answers it as it does
        params.pop(STS_PARAMETER, None)
        form_params.pop(STS_PARAMETER, None)
        out.query = [(k, v) for k, v in out.query if k != STS_PARAMETER]
        merged = {**params, **form_params, "AccessKeyId": key_id}
        merged["Signature"] = signing.v1_signature(secret, signing.v1_string_to_sign(out.method, merged))
        if where == "query":
            out.query = [(k, merged[k]) if k in ("AccessKeyId", "Signature") else (k, v) for k, v in out.query]
        else:
            pairs = [(k, merged[k]) if k in ("AccessKeyId", "Signature") else (k, v)
                     for k, v in parse_qsl(out.body.decode("utf-8", "replace"), keep_blank_values=True)
                     if k != STS_PARAMETER]
            out.body = urlencode(pairs).encode("ascii")

    def answered(self, endpoint: str, out: Outgoing, value: Any) -> None:
        """What an answer tells about its client: AKOOL's token, handed to the clientId that asked."""
        if out.client is not None and isinstance(value, dict) and isinstance(value.get("token"), str):
            _keep(self.tokens, value["token"], out.client)

    def client_of(self, authorization: str) -> str | None:
        """The clientId whose token a request carries (AKOOL), or None."""
        scheme, _, token = authorization.strip().partition(" ")
        return self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None

    # -- callbacks ------------------------------------------------------------------------------
    def open_callback(self, body: bytes) -> tuple[Any, str | None]:
        """The callback's payload as its schema describes it, and why it could not be read."""
        try:
            value = json.loads(body)
        except ValueError as exc:
            return None, f"the callback is not JSON: {exc}"
        if self.vendor != "akool":
            return value, None
        try:
            return akool_webhook.open_webhook(value, self.upstream["client_id"], self.upstream["client_secret"]), None
        except akool_webhook.WebhookError as exc:
            return value, f"the webhook does not open with the real clientId/clientSecret: {exc}"

    def relay_body(self, body: bytes, payload: Any, client_id: str | None) -> bytes:
        """The body relayed to the client: as it came, or (AKOOL) sealed again with the client's pair."""
        if self.vendor != "akool" or payload is None:
            return body
        if client_id is None or client_id not in self.client_pairs:
            log.warning("proxy: an AKOOL webhook relayed in the vendor's envelope: the client whose token asked "
                        "for it is not known here (the proxy restarted, or it never saw that client's getToken)")
            return body
        sealed = akool_webhook.seal(payload, client_id, self.client_pairs[client_id], int(time.time()),
                                    secrets.token_hex(8))
        return json.dumps(sealed).encode("utf-8")


def _keep(table: OrderedDict[str, str], key: str, value: str) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > KEPT:
        table.popitem(last=False)


def upstream_host(url: str) -> str:
    """The ``Host`` of the upstream (name and port as the URL gives them)."""
    return urlsplit(url).netloc
