"""AKOOL's webhook envelope: ``{signature, dataEncrypt, timestamp, nonce}``.

``dataEncrypt`` is the JSON payload encrypted with AES-CBC (key: clientSecret as UTF-8, 16/24/32
bytes; IV: clientId as UTF-8, 16 bytes; PKCS#7 padding), base64-encoded. ``signature`` is the
hex SHA-1 of clientId, timestamp, nonce and dataEncrypt sorted as strings and joined.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ...core.jsonio import encode_json
from . import profile


class WebhookError(ValueError):
    """A webhook that does not verify or decrypt."""


def check_keys(client_id: str, client_secret: str) -> str | None:
    """Why this pair cannot encrypt webhooks, or None when it can."""
    if len(client_secret.encode("utf-8")) not in profile.KEY_SIZES:
        return (f"clientSecret must be 16, 24 or 32 bytes (it is the AES key), "
                f"not {len(client_secret.encode('utf-8'))}")
    if len(client_id.encode("utf-8")) != profile.IV_SIZE:
        return f"clientId must be 16 bytes (it is the AES-CBC IV), not {len(client_id.encode('utf-8'))}"
    return None


def _cipher(client_id: str, client_secret: str) -> Cipher[modes.CBC]:
    problem = check_keys(client_id, client_secret)
    if problem:
        raise WebhookError(problem)
    return Cipher(algorithms.AES(client_secret.encode("utf-8")), modes.CBC(client_id.encode("utf-8")))


def signature(client_id: str, timestamp: int | str, nonce: str, data_encrypt: str) -> str:
    joined = "".join(sorted([client_id, str(timestamp), nonce, data_encrypt]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def encrypt(payload: Any, client_id: str, client_secret: str) -> str:
    padder = padding.PKCS7(128).padder()
    plain = padder.update(encode_json(payload)) + padder.finalize()
    encryptor = _cipher(client_id, client_secret).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def seal(payload: Any, client_id: str, client_secret: str, timestamp: int, nonce: str) -> dict[str, Any]:
    """The envelope AKOOL POSTs for ``payload``."""
    data = encrypt(payload, client_id, client_secret)
    return {"signature": signature(client_id, timestamp, nonce, data), "dataEncrypt": data,
            "timestamp": timestamp, "nonce": nonce}


def open_webhook(envelope: Any, client_id: str, client_secret: str) -> Any:
    """Verify the envelope's signature and decrypt its payload; ``WebhookError`` says what is wrong."""
    if not isinstance(envelope, dict):
        raise WebhookError("the webhook body must be a JSON object")
    missing = [k for k in ("signature", "dataEncrypt", "timestamp", "nonce") if k not in envelope]
    if missing:
        raise WebhookError(f"the webhook lacks {', '.join(missing)}")
    data = envelope["dataEncrypt"]
    if not isinstance(data, str):
        raise WebhookError("dataEncrypt must be a base64 string")
    expected = signature(client_id, envelope["timestamp"], str(envelope["nonce"]), data)
    if not hmac.compare_digest(expected, str(envelope["signature"])):
        raise WebhookError("signature does not match sha1(sorted clientId, timestamp, nonce, dataEncrypt)")
    try:
        decryptor = _cipher(client_id, client_secret).decryptor()
        padded = decryptor.update(base64.b64decode(data, validate=True)) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
        return json.loads(plain.decode("utf-8"))
    except (binascii.Error, ValueError) as exc:
        raise WebhookError(f"dataEncrypt does not decrypt to JSON with this clientSecret/clientId: {exc}") from None
