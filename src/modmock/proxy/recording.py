"""Exchanges saved as replay files (``--record DIR``), secrets scrubbed, and read back.

One JSON file per exchange, numbered in the order they happened::

    {"modmock-recording": 1, "vendor": "deepcleer", "endpoint": "image_v4", "kind": "answer",
     "request": {"method": "POST", "path": "/image/v4", "query": [], "headers": {...}, "body": {...}},
     "response": {"status": 200, "headers": {...}, "body": {...}}}

``kind`` is ``answer`` (a request and the vendor's answer) or ``callback`` (what the vendor POSTed
to the proxy's receiver, and the client's answer). Keys, tokens, signatures and webhook secrets
are replaced by ``"***"`` wherever they appear: a body field, a header, a query parameter.
"""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..mockserver.core.recordings import FORMAT

SCRUBBED = "***"
# Names (compared without case, ``_`` and ``-``) whose values are secrets.
SECRET_NAMES = frozenset({"accesskey", "accesskeyid", "accesskeysecret", "clientsecret", "token", "signature",
                          "authorization", "cookie", "setcookie", "password", "secret", "webhooksecret", "apikey",
                          "xapikey", "securitytoken", "xacssecuritytoken", "certificatekey", "dataencrypt"})


# Endings that name a secret too (``refreshToken``, ``access_token``, ``sessionKey``), and names
# with such an ending that are not one.
SECRET_ENDINGS = ("token", "secret", "signature", "password", "passwd", "credential", "credentials", "accesskey",
                  "apikey", "privatekey", "sessionkey", "secretkey", "certificatekey", "webhookkey")
NOT_SECRETS = frozenset({"tokenid", "nexttoken", "pagetoken", "clienttoken", "continuationtoken"})


def is_secret(name: str) -> bool:
    """Whether a field, header or parameter of this name holds a secret."""
    plain = name.replace("_", "").replace("-", "").lower()
    return plain not in NOT_SECRETS and (plain in SECRET_NAMES or plain.endswith(SECRET_ENDINGS))


def scrub(value: Any) -> Any:
    """``value`` with every secret replaced by ``"***"`` (a copy)."""
    if isinstance(value, dict):
        return {k: _masked(v) if is_secret(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _masked(value: Any) -> Any:
    """A secret's value with every text ``"***"`` and every number 0 (its shape and types kept,
    so a replayed or checked body keeps them; an empty one stays empty)."""
    if isinstance(value, str):
        return SCRUBBED if value else value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return 0
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return SCRUBBED


def scrub_pairs(pairs: list[tuple[str, str]]) -> list[list[str]]:
    return [[k, SCRUBBED if is_secret(k) else v] for k, v in pairs]


class Recorder:
    """Writes the exchanges of one proxy run into ``folder`` (created if missing)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        start = max((int(p.name.split("-", 1)[0]) for p in self.folder.glob("[0-9]*-*.json")
                     if p.name.split("-", 1)[0].isdigit()), default=0)
        self._numbers = itertools.count(start + 1)  # a folder recorded into again keeps its order
        self._lock = threading.Lock()
        self.written = 0

    def write(self, vendor: str, endpoint: str, kind: str, request: dict[str, Any], response: dict[str, Any]) -> Path:
        """Save one exchange (scrubbed); its path."""
        record = {"modmock-recording": FORMAT, "vendor": vendor, "endpoint": endpoint, "kind": kind,
                  "request": _scrubbed_side(request), "response": _scrubbed_side(response)}
        with self._lock:
            number = next(self._numbers)
            path = self.folder / f"{number:06d}-{endpoint or 'unknown'}-{kind}.json"
            partial = path.with_name(path.name + ".partial")
            partial.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            partial.replace(path)  # a reader never sees half a file
            self.written += 1
        return path


def _scrubbed_side(side: dict[str, Any]) -> dict[str, Any]:
    out = dict(side)
    headers = out.get("headers", {})
    if "headers" in out:
        out["headers"] = {k: SCRUBBED if is_secret(k) else v for k, v in headers.items()}
    if "query" in out:
        out["query"] = scrub_pairs([(str(k), str(v)) for k, v in out["query"]])
    body = out.get("body")
    form = any(k.lower() == "content-type" and str(v).startswith("application/x-www-form-urlencoded")
               for k, v in headers.items())
    if isinstance(body, str) and form:  # an RPC form: its parameters, scrubbed one by one
        out["body"] = urlencode([(k, v) for k, v in scrub_pairs(parse_qsl(body, keep_blank_values=True))])
    elif "body" in out:
        out["body"] = scrub(body)
    for key in ("payload",):
        if key in out:
            out[key] = scrub(out[key])
    return out
