"""A small AKOOL client, written as an integrator would, and its contract-suite adapters.

    python -m modmock contract --vendor akool --client examples.akool_client:adapter
    python -m modmock contract --vendor akool --client examples.akool_client:buggy_adapter

The client gets a bearer token (and a new one when the old one is refused), submits a job,
then polls it until it ends, or lets its webhook receiver decide. ``adapter`` passes every item.
``buggy_adapter`` drives ``ClientTrustingFailedJobs``, which reads a failed job (status 4) as
compliant: the suite's ``job_failed`` item fails on it, and no other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SUCCESS, RATE_LIMITED, TOKEN_REFUSED = 1000, 1005, (1101, 1102)
COMPLETED, FAILED = 3, 4
DECISIONS = {"Compliant": "pass", "Unknown": "review", "Non-Compliant": "reject"}


class ModerationError(Exception):
    """The service gave no verdict."""


class RateLimited(ModerationError):
    """Code 1005: slow down before submitting again."""


class JobTimeout(ModerationError):
    """The job did not end within the client's patience."""


class WebhookRefused(ModerationError):
    """A webhook that is not AKOOL's, or not fresh."""


class AkoolClient:
    """Submits one piece of content per call and waits for its job (or leaves it to a webhook)."""

    def __init__(self, base_url: str, client_id: str, client_secret: str, *, timeout: float = 5.0,
                 sleep: Callable[[float], None] = time.sleep, poll_every: float = 2.0, patience: float = 300.0) -> None:
        self.base_url, self.client_id, self.client_secret = base_url.rstrip("/"), client_id, client_secret
        self.timeout, self.sleep, self.poll_every, self.patience = timeout, sleep, poll_every, patience
        self._token: str | None = None

    def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            answer = requests.request(method, self.base_url + path, timeout=self.timeout, **kwargs).json()
        except (requests.RequestException, ValueError) as exc:
            raise ModerationError(f"no usable answer: {exc}") from exc
        if not isinstance(answer, dict):
            raise ModerationError(f"not an AKOOL answer: {answer!r}")
        return answer

    def _token_now(self) -> str:
        if self._token is None:
            answer = self._send("POST", "/api/open/v3/getToken",
                                json={"clientId": self.client_id, "clientSecret": self.client_secret})
            if answer.get("code") != SUCCESS or not isinstance(answer.get("token"), str):
                raise ModerationError(f"no token: code {answer.get('code')}")
            self._token = answer["token"]
        return self._token

    def _authorized(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """A call with the bearer token; a refused token is replaced once."""
        for attempt in range(2):
            answer = self._send(method, path, headers={"Authorization": f"Bearer {self._token_now()}"}, **kwargs)
            if answer.get("code") in TOKEN_REFUSED and attempt == 0:
                self._token = None
                continue
            return answer
        return answer

    def submit(self, content: str, webhook_url: str | None = None) -> str:
        body: dict[str, Any] = {"type": 1, "content": content}
        if webhook_url:
            body["webhookUrl"] = webhook_url
        answer = self._authorized("POST", "/api/open/v3/content/analysis/sentiment", json=body)
        if answer.get("code") == RATE_LIMITED:
            raise RateLimited(answer.get("msg"))
        if answer.get("code") != SUCCESS or not isinstance(answer.get("data"), dict):
            raise ModerationError(f"code {answer.get('code')}: {answer.get('msg')}")
        return str(answer["data"]["_id"])

    def wait(self, job_id: str) -> str:
        """Poll the job until it ends: its decision, or an error for a failed or endless job."""
        waited = 0.0
        while True:
            answer = self._authorized("GET", "/api/open/v3/content/analysis/infobyid", params={"_id": job_id})
            if answer.get("code") != SUCCESS or not isinstance(answer.get("data"), dict):
                raise ModerationError(f"code {answer.get('code')}: {answer.get('msg')}")
            decision = self.decision_of(answer["data"])
            if decision is not None:
                return decision
            if waited >= self.patience:
                raise JobTimeout(f"job {job_id} still status {answer['data'].get('status')} after {waited:g} s")
            self.sleep(self.poll_every)
            waited += self.poll_every

    def decision_of(self, job: dict[str, Any]) -> str | None:
        """The decision of an ended job; None while it runs."""
        if job.get("status") == FAILED:
            raise ModerationError(f"job {job.get('_id')} failed")
        if job.get("status") != COMPLETED:
            return None
        if job.get("final_conclusion") not in DECISIONS:
            raise ModerationError(f"job {job.get('_id')}: unknown conclusion {job.get('final_conclusion')!r}")
        return DECISIONS[job["final_conclusion"]]


class ClientTrustingFailedJobs(AkoolClient):
    """The deliberate bug: a failed job is read as compliant content."""

    def decision_of(self, job: dict[str, Any]) -> str | None:
        if job.get("status") == FAILED:
            return "pass"
        return super().decision_of(job)


class WebhookReceiver:
    """Verifies, decrypts and decides each job's webhook once; earlier statuses are ignored."""

    def __init__(self, max_age_seconds: float = 300.0) -> None:
        self.client_id = self.client_secret = ""
        self.max_age_ms = max_age_seconds * 1000
        self.decided: dict[str, str] = {}
        self._lock = threading.Lock()

    def open(self, envelope: Any) -> dict[str, Any]:
        """The payload of a genuine, fresh webhook; :class:`WebhookRefused` for any other."""
        try:
            self.check_signature(envelope)
            self.check_fresh(envelope)
            payload = self.decrypt(envelope["dataEncrypt"])
        except (KeyError, TypeError, ValueError) as exc:
            raise WebhookRefused(f"unreadable webhook: {exc}") from exc
        if not isinstance(payload, dict):
            raise WebhookRefused("the payload is not an object")
        return payload

    def check_signature(self, envelope: dict[str, Any]) -> None:
        signed = "".join(sorted([self.client_id, str(envelope["timestamp"]), str(envelope["nonce"]),
                                 envelope["dataEncrypt"]]))
        if not hmac.compare_digest(hashlib.sha1(signed.encode()).hexdigest(), str(envelope["signature"])):
            raise WebhookRefused("bad signature")

    def check_fresh(self, envelope: dict[str, Any]) -> None:
        if abs(time.time() * 1000 - float(envelope["timestamp"])) > self.max_age_ms:
            raise WebhookRefused("stale timestamp: a replay?")

    def decrypt(self, data: str) -> Any:
        cipher = Cipher(algorithms.AES(self.client_secret.encode()), modes.CBC(self.client_id.encode()))
        decryptor = cipher.decryptor()
        padded = decryptor.update(base64.b64decode(data)) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return json.loads(unpadder.update(padded) + unpadder.finalize())

    def handle(self, envelope: Any) -> str | None:
        """The decision taken, or None for a status before the end or a job already decided."""
        job = self.open(envelope)
        decision = AkoolClient("", "", "").decision_of(job)
        if decision is None:
            return None
        with self._lock:
            if job["_id"] in self.decided:
                return None
            self.decided[job["_id"]] = decision
            return decision


RECEIVER = WebhookReceiver()
_CLIENTS: dict[tuple[type[AkoolClient], str, str], AkoolClient] = {}  # a client keeps its token between calls


def _moderate(client_class: type[AkoolClient], url: str, credentials: dict[str, Any],
              sleep: Callable[[float], None], callback_url: str | None) -> str | None:
    account = credentials["credentials"][0]
    RECEIVER.client_id, RECEIVER.client_secret = account["clientId"], account["clientSecret"]
    key = (client_class, url, account["clientId"])
    client = _CLIENTS.setdefault(key, client_class(url, account["clientId"], account["clientSecret"]))
    client.sleep = sleep
    job_id = client.submit("https://cdn.example.com/uploads/photo.jpg", callback_url)
    return None if callback_url else client.wait(job_id)


def adapter(url: str, credentials: dict[str, Any], sleep: Callable[[float], None] = time.sleep,
            callback_url: str | None = None) -> str | None:
    return _moderate(AkoolClient, url, credentials, sleep, callback_url)


def buggy_adapter(url: str, credentials: dict[str, Any], sleep: Callable[[float], None] = time.sleep,
                  callback_url: str | None = None) -> str | None:
    return _moderate(ClientTrustingFailedJobs, url, credentials, sleep, callback_url)


for _adapter in (adapter, buggy_adapter):
    _adapter.errors = (ModerationError,)  # type: ignore[attr-defined]
    _adapter.receiver = RECEIVER.handle  # type: ignore[attr-defined]
