"""Drawn requests ready to send over HTTP, signed at send time where the vendor signs.

    @given(strategies.call("alibaba", "image_batch_moderation"))
    def test_mock_accepts(call):
        status, answer = call.send(mock.url, mock.credentials)

Signing happens in ``send``, with a fresh nonce and timestamp, so Hypothesis can replay and
shrink a drawn call without tripping the vendor's replay protection.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

Signer = Callable[["Call", Any], "Call"]


@dataclass(frozen=True)
class Call:
    """One HTTP request: a JSON body, or query parameters; ``signer`` completes it before sending."""

    method: str
    path: str
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    signer: Signer | None = None

    def signed(self, credentials: Any = None) -> Call:
        """The call as it goes on the wire (signed with ``credentials`` where the vendor signs)."""
        return self.signer(self, credentials) if self.signer else self

    def send(self, base_url: str, credentials: Any = None, timeout: float = 10.0) -> tuple[int, Any]:
        """Send to ``base_url``; the HTTP status and the parsed JSON answer (text when not JSON)."""
        call = self.signed(credentials)
        url = base_url.rstrip("/") + call.path
        if call.params:
            url += "?" + urlencode(call.params, quote_via=quote)
        data = None if call.body is None else json.dumps(call.body).encode("utf-8")
        headers = dict(call.headers)
        if data is not None:
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(url, data=data, method=call.method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw.decode("utf-8"))
        except ValueError:
            return status, raw.decode("utf-8", "replace")
