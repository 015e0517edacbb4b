"""A small Deepcleer image client, written as an integrator would, and its contract-suite adapters.

    python -m modmock contract --vendor deepcleer --client examples.deepcleer_client:adapter
    python -m modmock contract --vendor deepcleer --client examples.deepcleer_client:buggy_adapter

``adapter`` passes every item. ``buggy_adapter`` drives ``ClientIgnoring1901``, which checks the
answer code against the error codes it happens to know and forgot the rate-limit code 1901: the
suite's rate-limit item (and usually the drawn-answers item) fails on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests

SUCCESS, RATE_LIMITED, PROCESSING = 1100, 1901, 1102
DECISIONS = {"PASS": "pass", "REVIEW": "review", "REJECT": "reject"}


class ModerationError(Exception):
    """The service gave no verdict."""


class RateLimited(ModerationError):
    """Code 1901: slow down before asking again."""


class DeepcleerClient:
    """Moderates one image per call; asynchronous when given a callback URL."""

    def __init__(self, base_url: str, access_key: str, app_id: str = "default", event_id: str = "default",
                 timeout: float = 5.0) -> None:
        self.base_url, self.access_key, self.timeout = base_url.rstrip("/"), access_key, timeout
        self.app_id, self.event_id = app_id, event_id

    def moderate_image(self, img_url: str, user_id: str, callback_url: str | None = None) -> str | None:
        """"pass", "review" or "reject"; None when asynchronous (the verdict comes by callback)."""
        body: dict[str, Any] = {"accessKey": self.access_key, "appId": self.app_id, "eventId": self.event_id,
                                "type": "POLITY_EROTIC_VIOLENT", "data": {"img": img_url, "tokenId": user_id}}
        if callback_url:
            body["callback"] = callback_url
        try:
            answer = requests.post(f"{self.base_url}/image/v4", json=body, timeout=self.timeout).json()
        except (requests.RequestException, ValueError) as exc:
            raise ModerationError(f"no usable answer: {exc}") from exc
        self.check(answer)
        return None if callback_url else decision_of(answer)

    def moderate_batch(self, img_urls: list[str], user_id: str) -> list[str]:
        """One decision per image, in order; an image the service could not judge is held (review)."""
        answer = self._post("/images/v4", {
            "accessKey": self.access_key, "appId": self.app_id, "eventId": self.event_id, "type": "POLITY_EROTIC_VIOLENT",
            "data": {"tokenId": user_id, "imgs": [{"img": url, "btId": f"img-{i}"} for i, url in enumerate(img_urls)]}})
        results = {item.get("btId"): item for item in answer.get("imgs") or []}
        decisions = []
        for i in range(len(img_urls)):
            item = results.get(f"img-{i}") or {}
            decisions.append(decision_of(item) if item.get("code") == SUCCESS else "review")
        return decisions

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = requests.post(f"{self.base_url}{path}", json=body, timeout=self.timeout).json()
        except (requests.RequestException, ValueError) as exc:
            raise ModerationError(f"no usable answer: {exc}") from exc
        self.check(answer)
        return answer  # type: ignore[no-any-return]

    def moderate_later(self, img_url: str, user_id: str, sleep: Callable[[float], None] = time.sleep,
                       poll_every: float = 5.0, patience: float = 600.0) -> str:
        """Submit asynchronously, then poll the query endpoint until the result is there."""
        request_id = self._post("/v4/saas/async/img", {
            "accessKey": self.access_key, "appId": self.app_id, "eventId": self.event_id,
            "type": "POLITY_EROTIC_VIOLENT", "data": {"img": img_url, "tokenId": user_id}})["requestId"]
        waited = 0.0
        while True:
            answer = self._post("/v4/image/query", {"accessKey": self.access_key,
                                                    "requestIds": [{"requestId": request_id}]})
            content = (answer.get("contents") or [{}])[0]
            if content.get("code") == SUCCESS:
                return decision_of(content["Result"])
            if content.get("code") != PROCESSING:
                raise ModerationError(f"query: code {content.get('code')}: {content.get('message')}")
            if waited >= patience:
                raise ModerationError(f"request {request_id} still processing after {waited:g} s")
            sleep(poll_every)
            waited += poll_every

    def check(self, answer: Any) -> None:
        """Raise unless the answer carries a result (or an acknowledgement)."""
        code = answer.get("code") if isinstance(answer, dict) else None
        if code == RATE_LIMITED:
            raise RateLimited(answer.get("message"))
        if code != SUCCESS:
            raise ModerationError(f"code {code}: {answer.get('message') if isinstance(answer, dict) else answer}")


class ClientIgnoring1901(DeepcleerClient):
    """The deliberate bug: only the error codes its author remembered are checked."""

    def check(self, answer: Any) -> None:
        if answer.get("code") in (1902, 1903, 1911, 9101):
            raise ModerationError(answer.get("message"))


def decision_of(result: dict[str, Any]) -> str:
    """The decision on a result; a machine result awaiting human review (finalResult 0) is held."""
    if result.get("finalResult") == 0:
        return "review"
    return DECISIONS[result["riskLevel"]]


class CallbackReceiver:
    """Handles the callbacks of asynchronous requests once each, by request id."""

    def __init__(self) -> None:
        self.decided: dict[str, str] = {}
        self._lock = threading.Lock()

    def handle(self, body: Any) -> str | None:
        """The decision taken, or None for a delivery already handled."""
        DeepcleerClient("", "").check(body)
        with self._lock:
            if body["requestId"] in self.decided:
                return None
            self.decided[body["requestId"]] = decision = decision_of(body)
            return decision


def _moderate(client_class: type[DeepcleerClient], url: str, credentials: dict[str, Any],
              callback_url: str | None) -> str | None:
    client = client_class(url, credentials["accessKeys"][0]["accessKey"])
    return client.moderate_image("https://cdn.example.com/uploads/1.jpg", "user-1", callback_url)


def adapter(url: str, credentials: dict[str, Any], callback_url: str | None = None) -> str | None:
    return _moderate(DeepcleerClient, url, credentials, callback_url)


def buggy_adapter(url: str, credentials: dict[str, Any], callback_url: str | None = None) -> str | None:
    return _moderate(ClientIgnoring1901, url, credentials, callback_url)


def job(url: str, credentials: dict[str, Any], sleep: Callable[[float], None] = time.sleep) -> str:
    """The asynchronous endpoint, polled: submit, then ask the query endpoint until it is done."""
    client = DeepcleerClient(url, credentials["accessKeys"][0]["accessKey"])
    return client.moderate_later("https://cdn.example.com/uploads/1.jpg", "user-1", sleep)


for _adapter in (adapter, buggy_adapter):
    _adapter.errors = (ModerationError,)  # type: ignore[attr-defined]
    _adapter.receiver = CallbackReceiver().handle  # type: ignore[attr-defined]
def batch(url: str, credentials: dict[str, Any], images: list[str]) -> list[str]:
    """Several images in one request (``/images/v4``)."""
    return DeepcleerClient(url, credentials["accessKeys"][0]["accessKey"]).moderate_batch(images, "user-1")


adapter.job = job  # type: ignore[attr-defined]
adapter.batch = batch  # type: ignore[attr-defined]
