"""The ``token`` header (seeds: section 3 and Annex 1): ``Basic base64(certificateId:certificateKey)``
for the appid in the path. The seeds' Python sample writes ``Base `` instead of ``Basic ``; that
spelling is accepted unless ``--strict``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.auth import same
from ...core.journal import Problem
from ...settings import SettingsError
from . import errors, profile


@dataclass(frozen=True)
class Certificate:
    """One API certificate and the service (appid) it belongs to."""

    appid: str
    certificate_id: str
    certificate_key: str

    def token(self, scheme: str = profile.TOKEN_SCHEME) -> str:
        """The header value a client sends."""
        plain = f"{self.certificate_id}:{self.certificate_key}".encode()
        return f"{scheme} {base64.b64encode(plain).decode('ascii')}"


DEFAULT = Certificate(profile.DEFAULT_APPID, profile.DEFAULT_CERTIFICATE_ID, profile.DEFAULT_CERTIFICATE_KEY)
KEYS = ("appid", "certificate_id", "certificate_key")


def load_certificates(table: str, config: Mapping[str, Any]) -> list[Certificate]:
    """The seeds' sample certificate (unless ``include_defaults = false``) plus configured ones."""
    found = [DEFAULT] if config.get("include_defaults", True) else []
    for i, item in enumerate(config.get("credentials", [])):
        where = f"[[{table}.credentials]] #{i + 1}"
        if not isinstance(item, dict) or any(not isinstance(item.get(k), (str, int)) or item.get(k) == ""
                                             for k in KEYS):
            raise SettingsError(f"{where} needs {', '.join(KEYS)}")
        extra = sorted(set(item) - set(KEYS))
        if extra:
            raise SettingsError(f"{where}: unknown key(s) {extra}; known: {', '.join(KEYS)}")
        cert = Certificate(str(item["appid"]), str(item["certificate_id"]), str(item["certificate_key"]))
        if ":" in cert.certificate_id:
            raise SettingsError(f"{where}: certificate_id cannot contain ':' (the token joins id:key)")
        found.append(cert)
    if not found:
        raise SettingsError(f"{table}: no credentials (include_defaults = false and none configured)")
    return found


def _fail(problem: Problem, detail: str) -> errors.BadRequest:
    return errors.BadRequest(detail, problems=[problem])


def authenticate(headers: Mapping[str, str], appid: str, certificates: list[Certificate], strict: bool,
                 ex: Any) -> Certificate:
    """The certificate the ``token`` header names for ``appid``, or raise the inferred 400."""
    value = headers.get(profile.TOKEN_HEADER)
    expected = f"{profile.TOKEN_SCHEME} base64(certificateId:certificateKey)"
    if not value:
        raise _fail(Problem("token", "required", value, expected, inferred=True), "token header is missing")
    scheme, _, encoded = value.strip().partition(" ")
    if scheme == profile.SAMPLE_SCHEME:
        wrong = Problem("token", f"scheme {profile.TOKEN_SCHEME}", scheme,
                        f"'{profile.TOKEN_SCHEME} ' (the seeds' Python sample writes 'Base ')", inferred=True)
        if strict:
            raise _fail(wrong, "token must start with 'Basic ' (--strict)")
        ex.warn(wrong)
    elif scheme != profile.TOKEN_SCHEME:
        raise _fail(Problem("token", f"scheme {profile.TOKEN_SCHEME}", scheme, expected, inferred=True),
                    f"token must start with '{profile.TOKEN_SCHEME} '")
    try:
        plain = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise _fail(Problem("token", "base64", encoded[:40], expected, inferred=True),
                    "token is not base64(certificateId:certificateKey)") from None
    cert_id, colon, key = plain.partition(":")
    if not colon:
        raise _fail(Problem("token", "certificateId:certificateKey", "no ':' in the decoded token", expected,
                            inferred=True), "token is not base64(certificateId:certificateKey)")
    match = None
    for cert in certificates:
        if same(cert.certificate_id, cert_id) & same(cert.certificate_key, key):
            match = cert
    if match is None:
        raise _fail(Problem("token", "known certificate", cert_id, "a configured certificate ID and key",
                            inferred=True), "unknown certificate ID or wrong certificate key")
    if match.appid != appid:
        raise _fail(Problem("appid", "certificate's service", appid, f"the appid {match.appid} of certificate "
                            f"{match.certificate_id}", inferred=True),
                    f"certificate {match.certificate_id} does not serve appid {appid}")
    return match
