"""Verifying Alibaba signatures (V3 ACS3-HMAC-SHA256 and V1 HMAC-SHA1) against the configured
secrets, with the 15-minute window (wall time) and single-use nonces."""

from __future__ import annotations

import calendar
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.auth import same
from ...core.nonces import NonceStore
from ...settings import SettingsError, config_strings
from . import profile, signing
from .errors import GatewayError


@dataclass(frozen=True)
class Credential:
    """One AccessKey pair; ``services`` limits what it may call (None: every service)."""

    access_key_id: str
    access_key_secret: str
    services: tuple[str, ...] | None = None


DEFAULT = Credential(profile.DEFAULT_ACCESS_KEY_ID, profile.DEFAULT_ACCESS_KEY_SECRET)


def load_credentials(config: dict[str, Any]) -> list[Credential]:
    """The default pair (unless ``include_defaults = false``) plus configured ones."""
    creds = [DEFAULT] if config.get("include_defaults", True) else []
    for i, item in enumerate(config.get("credentials", [])):
        table = f"[[alibaba.credentials]] #{i + 1}"
        if not isinstance(item, dict) or not item.get("access_key_id") or not item.get("access_key_secret"):
            raise SettingsError(f"{table} needs access_key_id and access_key_secret")
        services = config_strings(table, "services", item["services"]) if "services" in item else None
        unknown = sorted(set(services or ()) - profile.ALL_SERVICES)
        if unknown:
            raise SettingsError(f"{table}: unknown service(s) {unknown}; known: {sorted(profile.ALL_SERVICES)}")
        creds.append(Credential(str(item["access_key_id"]), str(item["access_key_secret"]), services))
    if not creds:
        raise SettingsError("alibaba: no credentials (include_defaults = false and none configured)")
    return creds


@dataclass(frozen=True)
class SignedRequest:
    """What the handler hands to the verifier."""

    method: str
    path: str
    query: Mapping[str, str]
    form: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class Verifier:
    """Checks a request's signature against ``credentials`` with the run's nonce store;
    returns the credential or raises a GatewayError."""

    def __init__(self, credentials: list[Credential], nonces: NonceStore) -> None:
        self.credentials = {c.access_key_id: c for c in credentials}
        self.nonces = nonces
        self.unclaimed: tuple[tuple[str, str, str], str] | None = None  # a shared store's nonce still to use

    def verify(self, req: SignedRequest) -> tuple[Credential, str]:
        """The credential and the scheme (``"v3"`` or ``"v1"``) of a correctly signed request."""
        authorization = req.headers.get("authorization", "")
        if authorization:
            return self._v3(req, authorization), "v3"
        if "Signature" in req.query or "Signature" in req.form:
            return self._v1(req), "v1"
        raise GatewayError("missing_signature", "no Authorization header and no Signature parameter")

    def _credential(self, access_key_id: str) -> Credential:
        cred = self.credentials.get(access_key_id)
        if cred is None:
            raise GatewayError("unknown_key", f"AccessKeyId {access_key_id!r} is not configured")
        return cred

    def _v3(self, req: SignedRequest, authorization: str) -> Credential:
        parts = signing.parse_v3_authorization(authorization)
        if parts is None:
            raise GatewayError("bad_authorization", f"cannot read Authorization {authorization[:80]!r}")
        cred = self._credential(parts["Credential"])
        signed = [h.strip().lower() for h in parts["SignedHeaders"].split(";") if h.strip()]
        unsigned = [h for h in profile.V3_REQUIRED_SIGNED if h not in signed]
        if unsigned:
            raise GatewayError("bad_signature", f"headers not signed: {', '.join(unsigned)}")
        _check_time(req.headers.get("x-acs-date", ""))
        actual = hashlib.sha256(req.body).hexdigest()
        declared = req.headers.get("x-acs-content-sha256", actual)
        if not same(declared.lower(), actual):
            raise GatewayError("bad_signature", "x-acs-content-sha256 is not the SHA-256 of the body")
        canonical = signing.v3_canonical_request(req.method, req.path, req.query, req.headers, signed, declared)
        expected = signing.v3_string_to_sign(canonical)
        if not same(signing.v3_signature(cred.access_key_secret, expected), parts["Signature"].lower()):
            raise GatewayError("bad_signature", None, expected=f"{expected}\ncanonical request:\n{canonical}")
        self._nonce(cred, req.headers.get("x-acs-signature-nonce", ""))
        return cred

    def _v1(self, req: SignedRequest) -> Credential:
        params = {**req.query, **req.form}
        missing = [p for p in profile.V1_REQUIRED if not params.get(p)]
        if missing:
            raise GatewayError("missing_param", f"missing {', '.join(missing)}")
        cred = self._credential(params["AccessKeyId"])
        if (params["SignatureMethod"], params["SignatureVersion"]) != (profile.V1_METHOD, profile.V1_VERSION):
            raise GatewayError("bad_signature_method", f"SignatureMethod {params['SignatureMethod']!r} and "
                               f"SignatureVersion {params['SignatureVersion']!r}; expected HMAC-SHA1 and 1.0")
        _check_time(params["Timestamp"])
        expected = signing.v1_string_to_sign(req.method, params)
        if not same(signing.v1_signature(cred.access_key_secret, expected), params["Signature"]):
            raise GatewayError("bad_signature", None, expected=expected)
        self._nonce(cred, params["SignatureNonce"])
        return cred

    def _nonce(self, cred: Credential, nonce: str) -> None:
        if not nonce:
            raise GatewayError("missing_param", "no signature nonce")
        key = (profile.NAME, cred.access_key_id, nonce)
        if self.nonces.shared:  # claimed in the shared store once verified (see :meth:`claim`)
            self.unclaimed = (key, nonce)
        elif not self.nonces.use(key, profile.SIGNATURE_WINDOW_SECONDS):
            raise GatewayError("nonce_used", f"nonce {nonce!r} was used within the last 15 minutes")

    async def claim(self) -> None:
        """Use the verified request's nonce in a shared store (every process remembers it)."""
        if self.unclaimed is None:
            return
        key, nonce = self.unclaimed
        self.unclaimed = None
        if not await self.nonces.claim(key, profile.SIGNATURE_WINDOW_SECONDS):
            raise GatewayError("nonce_used", f"nonce {nonce!r} was used within the last 15 minutes")


def _check_time(value: str) -> None:
    """The request time must be ISO 8601 UTC and within 15 minutes of wall time."""
    try:
        when = calendar.timegm(time.strptime(value, profile.TIMESTAMP_FORMAT))
    except ValueError:
        raise GatewayError("bad_timestamp", f"{value!r} is not yyyy-MM-ddTHH:mm:ssZ") from None
    skew = abs(time.time() - when)
    if skew > profile.SIGNATURE_WINDOW_SECONDS:
        raise GatewayError("expired", f"{value} is {skew:.0f} s away from the server's time (limit 900 s)")
