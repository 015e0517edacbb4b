"""Webhooks: AKOOL's envelope, its signature and AES-CBC payload, on each status change (or at
completion only), retried when the receiver fails; the kit's helper opens them."""

from __future__ import annotations

import pytest

import modmock
from akool_helpers import CLIENT_ID, CLIENT_SECRET, bearer, submit
from modmock.contracts import akool as kit
from modmock.mockserver.core import schemas


def _job(mock: modmock.MockServer, sink_url: str, content: str = "https://cdn.example.com/porn.jpg") -> str:
    answer = submit(mock, {"type": 1, "content": content, "webhookUrl": sink_url}, bearer(mock))
    assert answer["data"]["webhookUrl"] == sink_url
    return str(answer["data"]["_id"])


def test_each_status_change_sends_a_signed_encrypted_webhook(callback_sink) -> None:
    with modmock.serve("akool", clock="manual") as mock:
        job = _job(mock, callback_sink.url)
        mock.run_until_idle()
        deliveries = callback_sink.wait_for(2)
    payloads = []
    for received in deliveries:
        envelope = received.json
        assert schemas.validator("akool/webhook.json").is_valid(envelope), envelope
        payload = kit.open_webhook(envelope, CLIENT_ID, CLIENT_SECRET)
        assert schemas.validator("akool/webhook_payload.json").is_valid(payload), payload
        payloads.append(payload)
    assert [p["status"] for p in payloads] == [2, 3]
    assert all(p["_id"] == job and p["type"] == 1 for p in payloads)
    assert payloads[-1]["final_conclusion"] == "Non-Compliant" and "sexual" in payloads[-1]["result"]


def test_completion_only_when_configured(callback_sink) -> None:
    with modmock.serve("akool", clock="manual", config={"akool": {"webhook_on": "completion"}}) as mock:
        _job(mock, callback_sink.url, "https://cdn.example.com/fine.png")
        mock.run_until_idle()
        (received,) = callback_sink.wait_for(1)
    assert kit.open_webhook(received.json, CLIENT_ID, CLIENT_SECRET)["final_conclusion"] == "Compliant"


def test_a_failing_receiver_gets_retries_every_attempt_journaled(callback_sink) -> None:
    callback_sink.statuses = [500, 500, 200]
    with modmock.serve("akool", clock="manual", config={"akool": {"webhook_on": "completion"}}) as mock:
        _job(mock, callback_sink.url)
        mock.run_until_idle()
        (delivery,) = mock.callbacks
    assert [a.status for a in delivery.attempts] == [500, 500, 200]
    assert [a.outcome for a in delivery.attempts] == ["rejected", "rejected", "delivered"]
    assert [round(b.time - a.time) for a, b in zip(delivery.attempts, delivery.attempts[1:])] == [5, 10]
    bodies = {r.body for r in callback_sink.deliveries}
    assert len(bodies) == 1  # a retry sends the same envelope


def test_a_job_without_webhook_url_sends_nothing(callback_sink) -> None:
    with modmock.serve("akool", clock="manual") as mock:
        submit(mock, {"type": 4, "content": "plain words"}, bearer(mock))
        mock.run_until_idle()
        assert mock.callbacks == []


def test_the_helper_refuses_a_tampered_or_foreign_webhook() -> None:
    envelope = kit.seal({"_id": "a" * 24, "status": 3, "type": 1}, CLIENT_ID, CLIENT_SECRET)
    assert kit.open_webhook(envelope, CLIENT_ID, CLIENT_SECRET)["status"] == 3
    with pytest.raises(kit.WebhookError, match="signature"):
        kit.open_webhook(dict(envelope, nonce="other"), CLIENT_ID, CLIENT_SECRET)
    with pytest.raises(kit.WebhookError, match="decrypt"):
        kit.open_webhook(envelope, CLIENT_ID, "x" * 24)
    with pytest.raises(kit.WebhookError, match="lacks"):
        kit.open_webhook({"signature": "x"}, CLIENT_ID, CLIENT_SECRET)


def test_the_encryption_matches_an_independent_aes_cbc() -> None:
    """Decrypt with the primitive directly: key = clientSecret, IV = clientId, PKCS#7, base64."""
    import base64
    import hashlib
    import json

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    envelope = kit.seal({"_id": "b" * 24, "status": 2, "type": 3}, CLIENT_ID, CLIENT_SECRET, 1710757900382, "n1")
    raw = Cipher(algorithms.AES(CLIENT_SECRET.encode()), modes.CBC(CLIENT_ID.encode())).decryptor()
    plain = raw.update(base64.b64decode(envelope["dataEncrypt"])) + raw.finalize()
    assert json.loads(plain[:-plain[-1]]) == {"_id": "b" * 24, "status": 2, "type": 3}
    parts = sorted([CLIENT_ID, "1710757900382", "n1", envelope["dataEncrypt"]])
    assert envelope["signature"] == hashlib.sha1("".join(parts).encode()).hexdigest()
