"""A small Jocloud client, written as an integrator would, and its contract-suite adapters.

    python -m modmock contract --vendor jocloud --client examples.jocloud_client:adapter
    python -m modmock contract --vendor jocloud --client examples.jocloud_client:buggy_adapter

Images are moderated synchronously; with a callback URL, a video is submitted and its result
comes by callback. A Jocloud answer is HTTP 200 with a code of its own, and each item and each
action inside it carries a code too. ``adapter`` passes every item. ``buggy_adapter`` drives
``ClientIgnoringItemCodes``, which reads the suggestions it finds and ignores the codes of items
and actions: a failed item (no results) or failed actions (no suggestions) read as a pass, so
the suite's item- and action-level ``error_code`` items fail on it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import requests

OK, TOO_MANY_REQUESTS = 200, 429
SEVERITY = {"pass": 0, "review": 1, "block": 2}
DECISIONS = ("pass", "review", "reject")


class ModerationError(Exception):
    """The service gave no verdict."""


class RateLimited(ModerationError):
    """429: too many requests in flight or per second."""


class JocloudClient:
    """One image per call; one video per call, asynchronously, when given a callback URL."""

    def __init__(self, base_url: str, appid: str, token: str, timeout: float = 5.0) -> None:
        self.base_url, self.appid, self.token, self.timeout = base_url.rstrip("/"), appid, token, timeout

    def _post(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = requests.post(f"{self.base_url}/app/{self.appid}/v1/{kind}", json=body,
                                   params={"traceId": str(uuid.uuid4())}, headers={"token": self.token},
                                   timeout=self.timeout).json()
        except (requests.RequestException, ValueError) as exc:
            raise ModerationError(f"no usable answer: {exc}") from exc
        if not isinstance(answer, dict):
            raise ModerationError(f"not a Jocloud answer: {answer!r}")
        if answer.get("code") == TOO_MANY_REQUESTS:
            raise RateLimited(answer.get("message"))
        if answer.get("code") != OK:
            raise ModerationError(f"code {answer.get('code')}: {answer.get('message')}")
        return answer

    def moderate_image(self, url: str) -> str:
        return self.decision_of(self._post("image/sync", {"data": [{"dataId": "photo-1", "url": url}]}))

    def submit_video(self, url: str, callback_url: str) -> None:
        self._post("video/async", {"data": [{"dataId": "clip-1", "url": url}], "callbackUrl": callback_url})

    def start_live(self, url: str, callback_url: str, interval: int = 10) -> str:
        """Start moderating a live stream (reports every ``interval`` s by callback); its task id."""
        answer = self._post("video/live", {"data": [{"dataId": "stream-1", "url": url}], "callbackUrl": callback_url,
                                           "interval": interval})
        item = (answer.get("data") or [{}])[0]
        if item.get("code") != OK or not item.get("taskId"):
            raise ModerationError(f"the stream did not start: {item}")
        return str(item["taskId"])

    def stop_live(self, task_id: str) -> None:
        answer = self._post("video/live", {"operation": "stop", "data": [{"dataId": "stream-1", "taskId": task_id}]})
        item = (answer.get("data") or [{}])[0]
        if item.get("code") != OK:
            raise ModerationError(f"the stream did not stop: {item}")

    def decision_of(self, answer: dict[str, Any]) -> str:
        """The most severe suggestion; an error for any item or action that did not succeed."""
        worst = 0
        for item in answer.get("data") or []:
            if item.get("code") != OK:
                raise ModerationError(f"item {item.get('dataId')}: code {item.get('code')}: {item.get('message')}")
            if not item.get("results"):
                raise ModerationError(f"item {item.get('dataId')}: no action result")
            for result in item["results"]:
                if result.get("code") != OK:
                    raise ModerationError(f"action {result.get('action')}: code {result.get('code')}")
                worst = max(worst, SEVERITY[result["suggestion"]])
        if not answer.get("data"):
            raise ModerationError("no item in the answer")
        return DECISIONS[worst]


class ClientIgnoringItemCodes(JocloudClient):
    """The deliberate bug: only the envelope's code is checked."""

    def decision_of(self, answer: dict[str, Any]) -> str:
        suggestions = [r["suggestion"] for item in answer.get("data") or [] for r in item.get("results") or []
                       if "suggestion" in r]
        return DECISIONS[max((SEVERITY[s] for s in suggestions), default=0)]


class CallbackReceiver:
    """Decides each callback once (a retry repeats its requestId); a live stream sends one per
    segment."""

    def __init__(self) -> None:
        self.decided: dict[str, str] = {}
        self._lock = threading.Lock()

    def handle(self, body: Any) -> str | None:
        """The decision taken, or None for a callback already handled."""
        if not isinstance(body, dict) or body.get("code") != OK:
            raise ModerationError(f"not a result: {body!r}")
        decision = JocloudClient("", "", "").decision_of(body)
        report = str(body["requestId"])
        with self._lock:
            if report in self.decided:
                return None
            self.decided[report] = decision
            return decision


def _moderate(client_class: type[JocloudClient], url: str, credentials: dict[str, Any],
              callback_url: str | None) -> str | None:
    certificate = credentials["credentials"][0]
    client = client_class(url, certificate["appid"], certificate["token"])
    if callback_url:
        client.submit_video("https://cdn.example.com/uploads/clip.mp4", callback_url)
        return None
    return client.moderate_image("https://cdn.example.com/uploads/photo.jpg")


def adapter(url: str, credentials: dict[str, Any], callback_url: str | None = None) -> str | None:
    return _moderate(JocloudClient, url, credentials, callback_url)


def buggy_adapter(url: str, credentials: dict[str, Any], callback_url: str | None = None) -> str | None:
    return _moderate(ClientIgnoringItemCodes, url, credentials, callback_url)


def live(url: str, credentials: dict[str, Any], callback_url: str) -> Callable[[], None]:
    """Start moderating a stream; the function that stops it."""
    certificate = credentials["credentials"][0]
    client = JocloudClient(url, certificate["appid"], certificate["token"])
    task_id = client.start_live("rtmp://live.example.com/app/stream-1", callback_url)
    return lambda: client.stop_live(task_id)


for _adapter in (adapter, buggy_adapter):
    _adapter.errors = (ModerationError,)  # type: ignore[attr-defined]
    _adapter.receiver = CallbackReceiver().handle  # type: ignore[attr-defined]
    _adapter.live = live  # type: ignore[attr-defined]
