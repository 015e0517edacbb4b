"""AKOOL webhooks for your receiver's tests: open (verify and decrypt) one, or seal a payload.

    from modmock.contracts import akool

    payload = akool.open_webhook(request_json, client_id, client_secret)   # WebhookError if bad
    envelope = akool.seal({"_id": "...", "status": 3, "type": 1}, client_id, client_secret)
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from ..mockserver.vendors.akool.webhook import WebhookError, open_webhook, signature
from ..mockserver.vendors.akool.webhook import seal as _seal

__all__ = ["WebhookError", "open_webhook", "seal", "signature"]


def seal(payload: Any, client_id: str, client_secret: str, timestamp: int | None = None,
         nonce: str | None = None) -> dict[str, Any]:
    """The envelope AKOOL would POST for ``payload`` (now, with a random nonce, unless given)."""
    return _seal(payload, client_id, client_secret,
                 int(time.time() * 1000) if timestamp is None else timestamp, nonce or secrets.token_hex(8))
